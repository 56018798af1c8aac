"""``tickstock check-producer``: listen to the channels and judge a producer by the contract.

For a while it subscribes to every channel, validates each message with the contract and
reports, per channel, counts and rejects (with reasons); the health cadence (mean and max
interval); whether the two pattern channels agree (every detection on ``patterns:detected``
also on ``patterns:streaming`` with confidence ≥ 0.8, and every ≥ 0.8 detection on streaming
also on detected); and whether every ``session_started`` is paired with a ``session_stopped``.
On the optional bars channel: a closed bar is final (the same symbol and minute closed twice
is a violation), and forming bars come at most once a second per symbol. Any violation
makes the exit code 1. Values the app normalises in tolerant mode (``nvda``, ``1m``,
``250000.0``, ...) are reported as warnings, per channel and kind: the app accepts them,
but the canonical form is better. It works against any producer, ours or external.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import redis.asyncio as aioredis

from tickstock.contract import (
    ALL_CHANNELS,
    HIGH_CONFIDENCE,
    BarsMessage,
    Channel,
    SessionStartedMessage,
    SessionStoppedMessage,
    detections_of,
)
from tickstock.contract.parse import read
from tickstock.errors import ContractError

#: Least seconds between two forming bars of one symbol (a second, less timer jitter).
FORMING_MIN_INTERVAL = 0.9
#: At most this many seconds to read what arrived before the end of a check.
DRAIN_SECONDS = 5.0
#: Seconds the pattern channels may disagree at the end of a check (a batch still in flight).
ORDER_GRACE = 1.0


@dataclass(slots=True)
class ChannelReport:
    messages: int = 0
    items: int = 0
    rejects: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    normalised: int = 0
    warnings: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ProducerReport:
    duration: float
    channels: dict[str, ChannelReport]
    health_intervals: list[float]
    detected_not_on_streaming: int
    streaming_high_not_on_detected: int
    detected_below_threshold: int
    sessions_started: int
    sessions_stopped: int
    unpaired_sessions: list[str]
    bars_closed: int = 0
    bars_forming: int = 0
    bars_closed_twice: int = 0
    forming_too_often: int = 0

    @property
    def health_mean_interval(self) -> float | None:
        iv = self.health_intervals
        return sum(iv) / len(iv) if iv else None

    @property
    def health_max_interval(self) -> float | None:
        return max(self.health_intervals) if self.health_intervals else None

    @property
    def warnings(self) -> list[str]:
        """Normalisations: accepted by a tolerant app, but not the canonical form."""
        return [
            f"{name}: {count} × normalised {what}, e.g. {r.examples[what]}"
            for name, r in self.channels.items()
            for what, count in r.warnings.most_common()
        ]

    @property
    def violations(self) -> list[str]:
        found = [f"{name}: {r.rejects} rejected" for name, r in self.channels.items() if r.rejects]
        if self.detected_not_on_streaming:
            found.append(
                f"{self.detected_not_on_streaming} detections on patterns:detected "
                "never came on patterns:streaming"
            )
        if self.streaming_high_not_on_detected:
            found.append(
                f"{self.streaming_high_not_on_detected} detections with confidence >= "
                f"{HIGH_CONFIDENCE} on patterns:streaming never came on patterns:detected"
            )
        if self.detected_below_threshold:
            found.append(
                f"{self.detected_below_threshold} detections below {HIGH_CONFIDENCE} on patterns:detected"
            )
        if self.bars_closed_twice:
            found.append(
                f"{self.bars_closed_twice} closed bars published again (a closed bar is final)"
            )
        if self.forming_too_often:
            found.append(
                f"{self.forming_too_often} forming bars less than a second after the symbol's last"
            )
        if self.unpaired_sessions:
            found.append(
                "sessions stopped without a start or started twice: "
                + ", ".join(self.unpaired_sessions[:5])
            )
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "duration_seconds": self.duration,
            "channels": {
                name: {
                    "messages": r.messages,
                    "items": r.items,
                    "rejects": r.rejects,
                    "reasons": dict(r.reasons),
                    "normalised": r.normalised,
                    "normalisations": dict(r.warnings),
                }
                for name, r in self.channels.items()
            },
            "health": {
                "messages": self.channels[Channel.HEALTH.value].messages,
                "mean_interval_seconds": self.health_mean_interval,
                "max_interval_seconds": self.health_max_interval,
            },
            "patterns": {
                "detected_not_on_streaming": self.detected_not_on_streaming,
                "streaming_high_confidence_not_on_detected": self.streaming_high_not_on_detected,
                "detected_below_threshold": self.detected_below_threshold,
            },
            "bars": {
                "closed": self.bars_closed,
                "forming": self.bars_forming,
                "closed_twice": self.bars_closed_twice,
                "forming_too_often": self.forming_too_often,
            },
            "sessions": {
                "started": self.sessions_started,
                "stopped": self.sessions_stopped,
                "unpaired": self.unpaired_sessions,
            },
            "warnings": self.warnings,
            "violations": self.violations,
        }

    def to_text(self) -> str:
        lines = [f"check-producer: {self.duration:.1f} s", ""]
        lines.append(f"{'channel':42} {'messages':>9} {'items':>9} {'rejects':>8}")
        for name, r in self.channels.items():
            lines.append(f"{name:42} {r.messages:9d} {r.items:9d} {r.rejects:8d}")
            for reason, count in r.reasons.most_common(5):
                lines.append(f"    {count} × {reason}")
        mean, top = self.health_mean_interval, self.health_max_interval
        cadence = (
            f"mean {mean:.2f} s, max {top:.2f} s" if mean is not None and top is not None else "n/a"
        )
        lines += [
            "",
            f"health cadence: {cadence}",
            f"sessions: {self.sessions_started} started, {self.sessions_stopped} stopped",
            "",
        ]
        warnings = self.warnings
        lines.append("warnings: none" if not warnings else "warnings (normalised by the app):")
        lines += [f"  - {w}" for w in warnings[:20]]
        violations = self.violations
        lines.append("violations: none" if not violations else "VIOLATIONS:")
        lines += [f"  - {v}" for v in violations]
        return "\n".join(lines)


class ProducerChecker:
    """Feeds on raw (channel, bytes) messages; ``report()`` judges what it saw."""

    def __init__(self) -> None:
        self.channels = {name: ChannelReport() for name in ALL_CHANNELS}
        self.health_times: list[float] = []
        self.streaming_high: dict[tuple[str, str, str, str], float] = {}
        self.streaming_all: set[tuple[str, str, str, str]] = set()
        self.detected: dict[tuple[str, str, str, str], float] = {}
        self.detected_below = 0
        self.started: dict[str, int] = {}
        self.stopped: list[str] = []
        self.started_at = time.monotonic()
        self.closed_bars: set[tuple[str, str]] = set()
        self.closed_twice = 0
        self.forming_at: dict[str, float] = {}
        self.forming_bars = 0
        self.forming_too_often = 0

    def feed(self, channel: str, raw: bytes, received_at: float | None = None) -> None:
        at = time.monotonic() if received_at is None else received_at
        report = self.channels.setdefault(channel, ChannelReport())
        report.messages += 1
        try:
            parsed = read(channel, raw, tolerant=True)
        except ContractError as exc:
            self._reject(report, exc)
            return
        for dropped in parsed.dropped:
            self._reject(report, dropped)
        for note in parsed.normalised:
            report.normalised += 1
            what = f"{note.kind} of {note.field}"
            report.warnings[what] += 1
            report.examples.setdefault(what, f"{note.before} -> {note.after}")
        message = parsed.message
        if message is None:
            return
        detections = detections_of(message)
        report.items += (
            len(detections)
            or len(getattr(message, "calculations", ()))
            or len(getattr(message, "bars", ()))
            or 1
        )
        if isinstance(message, BarsMessage):
            self._bars(message, at)
            return
        if channel == Channel.HEALTH.value:
            self.health_times.append(at)
        elif channel == Channel.PATTERNS_STREAMING.value:
            for d in detections:
                self.streaming_all.add(d.identity)
                if d.confidence >= HIGH_CONFIDENCE:
                    self.streaming_high[d.identity] = at
        elif channel == Channel.PATTERNS_DETECTED.value:
            for d in detections:
                self.detected[d.identity] = at
        elif isinstance(message, SessionStartedMessage):
            sid = message.session.session_id
            self.started[sid] = self.started.get(sid, 0) + 1
        elif isinstance(message, SessionStoppedMessage):
            self.stopped.append(message.session.session_id)

    def _bars(self, message: BarsMessage, at: float) -> None:
        for bar in message.bars:
            if message.closed:
                key = (bar.symbol, bar.timestamp.isoformat())
                if key in self.closed_bars:
                    self.closed_twice += 1
                self.closed_bars.add(key)
            else:
                self.forming_bars += 1
                last = self.forming_at.get(bar.symbol)
                if last is not None and at - last < FORMING_MIN_INTERVAL:
                    self.forming_too_often += 1
                self.forming_at[bar.symbol] = at

    def _reject(self, report: ChannelReport, exc: ContractError) -> None:
        report.rejects += 1
        report.reasons[f"{exc.field}: {exc.reason}"[:160]] += 1
        if exc.kind == "low_confidence":
            self.detected_below += 1

    def report(self, now: float | None = None) -> ProducerReport:
        now = time.monotonic() if now is None else now
        recent = now - ORDER_GRACE
        detected_missing = sum(
            1 for key, at in self.detected.items() if key not in self.streaming_all and at < recent
        )
        high_missing = sum(
            1 for key, at in self.streaming_high.items() if key not in self.detected and at < recent
        )
        unpaired = [sid for sid, n in self.started.items() if n > 1]
        unpaired += [sid for sid in self.stopped if sid not in self.started]
        times = self.health_times
        return ProducerReport(
            duration=now - self.started_at,
            channels=self.channels,
            health_intervals=[b - a for a, b in pairwise(times)],
            detected_not_on_streaming=detected_missing,
            streaming_high_not_on_detected=high_missing,
            detected_below_threshold=self.detected_below,
            sessions_started=sum(self.started.values()),
            sessions_stopped=len(self.stopped),
            unpaired_sessions=unpaired,
            bars_closed=len(self.closed_bars),
            bars_forming=self.forming_bars,
            bars_closed_twice=self.closed_twice,
            forming_too_often=self.forming_too_often,
        )


async def check_producer(
    redis_url: str,
    duration: float,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
) -> ProducerReport:
    """Listen for ``duration`` seconds (or until ``stop``); ``ready`` is set once subscribed."""
    client = aioredis.Redis.from_url(redis_url, socket_connect_timeout=2.0)
    pubsub = client.pubsub()
    checker = ProducerChecker()
    try:
        await pubsub.subscribe(*ALL_CHANNELS)
        if ready is not None:
            ready.set()
        deadline = time.monotonic() + duration
        while (left := deadline - time.monotonic()) > 0 and not (stop and stop.is_set()):
            item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=min(left, 0.2))
            _check(checker, item)
        # What Redis sent before the end still counts: it answers a PING after it.
        await pubsub.ping()
        deadline = time.monotonic() + DRAIN_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=min(left, 0.2))
            if item is not None and item.get("type") == "pong":
                break
            _check(checker, item)
    finally:
        await pubsub.aclose()
        await client.aclose()
    return checker.report(time.monotonic() + ORDER_GRACE)


def _check(checker: ProducerChecker, item: dict[str, Any] | None) -> None:
    """Feed one pub/sub item to ``checker`` if it is a message."""
    if item is None or item.get("type") != "message":
        return
    channel = item["channel"]
    name = channel.decode() if isinstance(channel, bytes) else str(channel)
    checker.feed(name, item["data"])
