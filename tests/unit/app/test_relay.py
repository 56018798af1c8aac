"""Relay: every raw message is handled on its own; rejects are counted, never raised."""

import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tickstock.app.metrics import AppMetrics
from tickstock.app.relay import Relay
from tickstock.app.state import LiveState
from tickstock.contract import ALL_CHANNELS, Channel
from tickstock.contract.parse import parse
from tickstock.contract.samples import SAMPLES


class RecordingFanOut:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict, bool]] = []
        #: the conflation key of each published event
        self.keys: list[str | None] = []

    def publish(self, event, data, *, received=None, backfilled=False, key=None) -> int:
        self.published.append((event, data, backfilled))
        self.keys.append(key)
        return len(self.published)


def make_relay() -> tuple[Relay, RecordingFanOut, AppMetrics]:
    fanout = RecordingFanOut()
    metrics = AppMetrics()
    return Relay(LiveState(), fanout, metrics=metrics), fanout, metrics  # type: ignore[arg-type]


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    channel=st.sampled_from(ALL_CHANNELS),
    raw=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()),
)
def test_fuzzed_messages_never_raise_and_every_reject_is_counted(channel, raw):
    relay, fanout, _ = make_relay()
    relayed = relay.handle(channel, raw)
    assert relayed == len(fanout.published)
    assert relay.state.rejects == (0 if relayed else 1)
    assert relay.handle(Channel.HEALTH.value, SAMPLES[Channel.HEALTH]) == 1


def test_rejects_are_counted_per_channel_and_kind():
    relay, fanout, metrics = make_relay()
    relay.handle(Channel.HEALTH.value, b"{")
    relay.handle(Channel.HEALTH.value, b"x" * 70_000)
    relay.handle(Channel.HEALTH.value, SAMPLES[Channel.ALERTS_CRITICAL])
    relay.handle("not:a:channel", b"{}")
    counts = {
        (s.labels["channel"], s.labels["reason"]): s.value
        for family in metrics.rejects.collect()
        for s in family.samples
        if s.name.endswith("_total")
    }
    assert counts == {
        (Channel.HEALTH.value, "json"): 1.0,
        (Channel.HEALTH.value, "too_large"): 1.0,
        (Channel.HEALTH.value, "type"): 1.0,
        ("not:a:channel", "unknown_channel"): 1.0,
    }
    assert relay.state.rejects == 4 and fanout.published == []


def test_metrics_and_app_status_are_published_only_when_changed():
    relay, fanout, _ = make_relay()
    relay.publish_changes(include_metrics=True)
    relay.publish_changes(include_metrics=True)
    assert [event for event, _, _ in fanout.published] == ["app_status", "metrics"]
    relay.set_redis_status("connected")
    assert fanout.published[-1][0] == "app_status"
    assert fanout.published[-1][1]["redis"] == "connected"


async def test_ticker_checks_staleness_each_interval_and_sends_metrics_once_a_second():
    """A 0.25 s tick (health every second) announces a stale engine within a quarter of a
    second, while metrics still go out at most once a second."""
    import asyncio

    now = [1000.0]
    clock = lambda: now[0]  # noqa: E731
    state = LiveState(health_interval=1.0, stale_after_intervals=3, clock=clock)

    class TimedFanOut:
        def __init__(self) -> None:
            self.timed: list[tuple[float, tuple[str, dict]]] = []

        def publish(self, event, data, *, received=None, backfilled=False) -> int:
            self.timed.append((now[0], (event, data)))
            return len(self.timed)

    fanout = TimedFanOut()
    relay = Relay(state, fanout, clock=clock)  # type: ignore[arg-type]
    state.accept(Channel.HEALTH, parse(Channel.HEALTH, SAMPLES[Channel.HEALTH]))
    ticks = 0

    async def fake_sleep(seconds: float) -> None:
        nonlocal ticks
        ticks += 1
        if ticks > 20:  # 5 simulated seconds
            raise asyncio.CancelledError
        now[0] += seconds
        detection = json.loads(SAMPLES[Channel.PATTERNS_STREAMING])  # the count changes
        detection["detection"]["timestamp"] = f"2025-10-05T10:{ticks:02d}:00Z"  # every tick
        state.accept(
            Channel.PATTERNS_STREAMING,
            parse(Channel.PATTERNS_STREAMING, json.dumps(detection).encode()),
        )

    try:
        await relay.tick_forever(0.25, sleep=fake_sleep)
    except asyncio.CancelledError:
        pass
    statuses = [(at, data["engine"]) for at, (event, data) in fanout.timed if event == "app_status"]
    went_stale = next(at for at, engine in statuses if engine == "stale")
    assert 1003.0 <= went_stale <= 1003.25
    metrics_at = [at for at, (event, _) in fanout.timed if event == "metrics"]
    assert metrics_at and all(b - a >= 0.99 for a, b in itertools.pairwise(metrics_at))


def test_forming_bars_held_by_the_conflation_leave_with_the_next_tick():
    now = [100.0]
    fanout = RecordingFanOut()
    relay = Relay(LiveState(clock=lambda: now[0]), fanout, clock=lambda: now[0])  # type: ignore[arg-type]

    def forming(close: float) -> bytes:
        bar = {"symbol": "NVDA", "timestamp": "2025-10-05T10:15:00Z", "open": 1.0,
               "high": 9.0, "low": 1.0, "close": close, "volume": 5}  # fmt: skip
        message = {"type": "streaming_bars", "timeframe": "1min", "closed": False, "bars": [bar]}
        return json.dumps(message).encode()

    assert relay.handle(Channel.BARS_STREAMING.value, forming(2.0)) == 1  # the first: at once
    assert relay.handle(Channel.BARS_STREAMING.value, forming(3.0)) == 0  # held
    assert relay.handle(Channel.BARS_STREAMING.value, forming(4.0)) == 0  # replaces 3.0
    relay.relay_forming_bars()
    assert len(fanout.published) == 1  # the second is not up yet
    now[0] += 1.0
    relay.relay_forming_bars()
    assert [d["bars"][0]["close"] for e, d, _ in fanout.published] == [2.0, 4.0]
    assert fanout.keys == ["bars:forming:1min"] * 2, "keyed: a later one supersedes it"


def test_closed_bars_and_other_events_have_no_conflation_key():
    relay, fanout, _ = make_relay()
    bar = {"symbol": "NVDA", "timestamp": "2025-10-05T10:15:00Z", "open": 1.0,
           "high": 9.0, "low": 1.0, "close": 2.0, "volume": 5}  # fmt: skip
    closed = {"type": "streaming_bars", "timeframe": "1min", "closed": True, "bars": [bar]}
    assert relay.handle(Channel.BARS_STREAMING.value, json.dumps(closed).encode()) == 1
    relay.handle(Channel.PATTERNS_STREAMING.value, SAMPLES[Channel.PATTERNS_STREAMING])
    assert fanout.published and fanout.keys == [None] * len(fanout.published)


def _samples(counter) -> dict[tuple[str, str], float]:
    return {
        (s.labels["channel"], s.labels["reason"]): s.value
        for family in counter.collect()
        for s in family.samples
        if s.name.endswith("_total")
    }


def _deviant_detection(**changes) -> dict:
    detection = json.loads(SAMPLES[Channel.PATTERNS_STREAMING])["detection"]
    return {**detection, **changes}


def test_normalisations_are_relayed_counted_per_reason_and_logged_once_a_minute(caplog):
    relay, fanout, metrics = make_relay()
    now = [0.0]
    relay.clock = lambda: now[0]
    relay.counts.throttle.clock = relay.clock

    def message(symbol: str) -> str:
        detection = _deviant_detection(symbol=symbol, timeframe="1m")
        return json.dumps({"type": "streaming_pattern", "detection": detection})

    caplog.set_level("INFO", logger="tickstock.app.ingest")
    for symbol in ("nvda", "aapl", "msft"):
        assert relay.handle(Channel.PATTERNS_STREAMING.value, message(symbol)) == 1
    assert fanout.published[0][1]["detection"]["symbol"] == "NVDA"
    assert _samples(metrics.normalisations) == {
        (Channel.PATTERNS_STREAMING.value, "symbol_case"): 3.0,
        (Channel.PATTERNS_STREAMING.value, "timeframe_alias"): 3.0,
    }
    assert relay.state.metrics()["normalised"] == 6 and relay.state.rejects == 0
    lines = [r for r in caplog.records if r.getMessage().startswith("normalised")]
    assert len(lines) == 2  # one per kind, not one per message
    now[0] = 61.0
    relay.handle(Channel.PATTERNS_STREAMING.value, message("ibm"))
    lines = [r for r in caplog.records if r.getMessage().startswith("normalised symbol_case")]
    assert len(lines) == 2 and lines[1].fields["held_back"] == 2


def test_strict_ingest_rejects_what_tolerant_ingest_normalises():
    relay, fanout, metrics = make_relay()
    relay.tolerant = False
    message = json.dumps(
        {"type": "streaming_pattern", "detection": _deviant_detection(symbol="nvda")}
    )
    assert relay.handle(Channel.PATTERNS_STREAMING.value, message) == 0
    assert fanout.published == []
    assert _samples(metrics.rejects) == {(Channel.PATTERNS_STREAMING.value, "invalid"): 1.0}
    assert relay.state.metrics()["normalised"] == 0


def test_a_bad_item_of_a_batch_is_rejected_alone_and_its_neighbours_relayed():
    relay, fanout, metrics = make_relay()
    message = json.dumps(
        {
            "type": "streaming_patterns_batch",
            "detections": [
                _deviant_detection(symbol="AAPL"),
                _deviant_detection(symbol="LOW", confidence=0.2),
                _deviant_detection(symbol="MSFT"),
            ],
        }
    )
    assert relay.handle(Channel.PATTERNS_DETECTED.value, message) == 2
    assert [d["detection"]["symbol"] for _, d, _ in fanout.published] == ["AAPL", "MSFT"]
    assert _samples(metrics.rejects) == {(Channel.PATTERNS_DETECTED.value, "low_confidence"): 1.0}
    assert relay.received[Channel.PATTERNS_DETECTED.value] == {
        "messages": 1,
        "relayed": 2,
        "rejected": 1,
        "normalised": 0,
    }


def test_an_unexpected_failure_is_logged_with_its_context_and_costs_one_message(caplog):
    relay, fanout, metrics = make_relay()

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    relay.state.accept = broken  # type: ignore[method-assign]
    assert relay.handle(Channel.HEALTH.value, SAMPLES[Channel.HEALTH]) == 0
    (line,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert line.fields["channel"] == Channel.HEALTH.value and line.fields["bytes"] > 0
    assert line.exc_info is not None
    assert _samples(metrics.rejects) == {(Channel.HEALTH.value, "internal"): 1.0}
    assert fanout.published == []
