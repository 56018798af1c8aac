"""LiveState: de-duplication, the four metrics, engine state and restore, on injected clocks."""

from datetime import UTC, datetime
from typing import Literal

import orjson

from tickstock.app.state import LiveState, RecentKeys
from tickstock.contract import Channel
from tickstock.contract.models import ContractModel
from tickstock.contract.parse import parse
from tickstock.contract.samples import SAMPLES


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_state(clock: FakeClock, **kwargs) -> LiveState:
    wall = FakeClock(1_759_660_000.0)  # 2025-10-05T10:26:40Z
    return LiveState(
        rate_window=10.0,
        health_interval=60.0,
        stale_after_intervals=3,
        clock=clock,
        wall_clock=wall,
        **kwargs,
    )


def message(channel: Channel, **changes):
    data = orjson.loads(SAMPLES[channel])
    body_key = next(k for k in data if k != "type")
    data[body_key].update(changes)
    return parse(channel, orjson.dumps(data))


def detection(symbol="NVDA", minute=15, confidence=0.85):
    return {
        "symbol": symbol,
        "pattern_type": "Doji",
        "confidence": confidence,
        "timestamp": f"2025-10-05T10:{minute:02d}:00Z",
        "timeframe": "1min",
        "bar_data": {"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 10},
    }


def pattern_batch(detections):
    return orjson.dumps({"type": "streaming_patterns_batch", "detections": detections})


def test_detection_on_both_channels_is_relayed_once_and_flagged_high_confidence():
    state = make_state(FakeClock())
    first = state.accept(Channel.PATTERNS_STREAMING, message(Channel.PATTERNS_STREAMING))
    second = state.accept(Channel.PATTERNS_DETECTED, message(Channel.PATTERNS_DETECTED))
    assert len(first) == 1 and second == []
    event, data = first[0]
    assert event == "streaming_pattern"
    assert data["high_confidence"] is True
    assert data["channels"] == ["tickstock:patterns:streaming", "tickstock:patterns:detected"]
    assert state.patterns_detected == 1 and state.duplicates == 1
    assert len(state.recent_patterns) == 1


def test_low_confidence_detection_is_not_flagged():
    state = make_state(FakeClock())
    raw = pattern_batch([detection(confidence=0.5)])
    [(_, data)] = state.accept(Channel.PATTERNS_STREAMING, parse(Channel.PATTERNS_STREAMING, raw))
    assert data["high_confidence"] is False


def test_batch_is_split_into_one_event_per_detection_in_order():
    state = make_state(FakeClock())
    raw = pattern_batch([detection(minute=m) for m in range(3)])
    relayed = state.accept(Channel.PATTERNS_STREAMING, parse(Channel.PATTERNS_STREAMING, raw))
    assert [d["detection"]["timestamp"][-9:] for _, d in relayed] == [
        "10:00:00Z",
        "10:01:00Z",
        "10:02:00Z",
    ]


def test_dedupe_window_is_bounded_and_forgets_the_oldest():
    keys = RecentKeys(capacity=3)
    for key in "abcd":
        keys.add(key)
    assert len(keys) == 3 and "a" not in keys and "d" in keys


def test_recent_lists_are_bounded_newest_last():
    state = make_state(FakeClock(), max_patterns=2)
    raw = pattern_batch([detection(minute=m) for m in range(5)])
    state.accept(Channel.PATTERNS_STREAMING, parse(Channel.PATTERNS_STREAMING, raw))
    assert [p["detection"]["timestamp"][14:16] for p in state.recent_patterns] == ["03", "04"]
    assert state.patterns_detected == 5


def test_events_per_second_is_a_sliding_window():
    clock = FakeClock(1000.0)
    state = make_state(clock)
    for second in range(10):
        clock.now = 1000.0 + second
        for _ in range(3):
            state.accept(Channel.INDICATORS_STREAMING, message(Channel.INDICATORS_STREAMING))
    assert state.metrics()["events_per_second"] == 3.0
    clock.now = 1030.0
    assert state.metrics()["events_per_second"] == 0.0


def test_active_symbols_come_from_health_else_symbols_seen_in_the_last_minute():
    clock = FakeClock()
    state = make_state(clock)
    for symbol in ("AAA", "BBB"):
        state.accept(
            Channel.INDICATORS_STREAMING, message(Channel.INDICATORS_STREAMING, symbol=symbol)
        )
    assert state.metrics()["active_symbols"] == 2
    clock.now += 61
    assert state.metrics()["active_symbols"] == 0
    state.accept(Channel.HEALTH, message(Channel.HEALTH))
    assert state.metrics()["active_symbols"] == 485


def test_engine_is_waiting_then_live_then_stale_then_stopped():
    clock = FakeClock()
    state = make_state(clock)
    assert state.engine_state() == "waiting"
    state.accept(Channel.HEALTH, message(Channel.HEALTH))
    assert state.engine_state() == "live"
    clock.now += 180
    assert state.engine_state() == "live"
    clock.now += 1
    assert state.engine_state() == "stale"
    state.accept(Channel.SESSION_STARTED, message(Channel.SESSION_STARTED))
    state.accept(Channel.SESSION_STOPPED, message(Channel.SESSION_STOPPED))
    assert state.engine_state() == "stopped"
    assert state.session["status"] == "stopped"
    assert state.session["universe"] == "market_leaders:top_500"
    assert state.session["total_patterns"] == 1250


def test_session_start_resets_the_session_counts():
    state = make_state(FakeClock())
    state.accept(Channel.PATTERNS_STREAMING, message(Channel.PATTERNS_STREAMING))
    state.accept(Channel.ALERTS_INDICATORS, message(Channel.ALERTS_INDICATORS))
    state.accept(Channel.SESSION_STARTED, message(Channel.SESSION_STARTED, session_id="s2"))
    metrics = state.metrics()
    assert metrics["patterns_detected"] == 0 and metrics["indicator_alerts"] == 0
    assert state.session["status"] == "active"


def test_resolved_critical_alert_clears_the_open_alert_of_its_component():
    state = make_state(FakeClock())
    state.accept(Channel.ALERTS_CRITICAL, message(Channel.ALERTS_CRITICAL))
    assert list(state.open_critical) == ["massive_websocket"]
    resolved = message(Channel.ALERTS_CRITICAL, resolved=True, timestamp="2025-10-05T12:50:00Z")
    assert state.accept(Channel.ALERTS_CRITICAL, resolved)
    assert state.open_critical == {}


def test_latest_indicator_is_kept_per_symbol_and_indicator_bounded():
    state = make_state(FakeClock(), max_indicators=2)
    for symbol, value in (("AAA", 1.0), ("AAA", 2.0), ("BBB", 3.0), ("CCC", 4.0)):
        state.accept(
            Channel.INDICATORS_STREAMING,
            message(Channel.INDICATORS_STREAMING, symbol=symbol, value=value),
        )
    latest = [d["calculation"]["symbol"] for d in state.latest_indicators.values()]
    assert latest == ["BBB", "CCC"]


def test_restore_shows_the_session_at_once_and_dedupes_later_sightings():
    clock = FakeClock()
    state = make_state(clock)
    det = message(Channel.PATTERNS_STREAMING).detection
    state.restore(
        session=message(Channel.SESSION_STARTED, started_at="2025-10-05T10:26:00Z"),
        patterns=[(det, ["tickstock:patterns:streaming"])],
        health=message(Channel.HEALTH, timestamp="2025-10-05T10:26:00Z"),
        patterns_detected=42,
    )
    snapshot = state.snapshot(epoch="e", seq=7, reason="connect", settings={})
    assert snapshot["session"]["session_id"] == "uuid-string"
    assert snapshot["metrics"]["patterns_detected"] == 42
    assert snapshot["app_status"]["engine"] == "live"
    assert len(snapshot["recent_patterns"]) == 1 and snapshot["seq"] == 7
    assert state.accept(Channel.PATTERNS_DETECTED, message(Channel.PATTERNS_DETECTED)) == []


def test_restored_health_counts_from_the_restore_whatever_its_own_clock_says():
    """Freshness goes by arrival: a stored report's timestamp may be a simulated day's."""
    for stamp in ("2019-01-02T09:00:00Z", "2031-05-05T15:00:00Z"):
        clock = FakeClock()
        state = make_state(clock)
        state.restore(health=message(Channel.HEALTH, timestamp=stamp))
        assert state.engine_state() == "live"
        clock.now += 181
        assert state.engine_state() == "stale", "nothing arrived within 3 intervals"


def test_a_health_report_older_than_the_current_one_still_arrives_and_keeps_the_engine_live():
    clock = FakeClock()
    state = make_state(clock)
    state.accept(Channel.HEALTH, message(Channel.HEALTH, timestamp="2025-10-05T15:59:00Z"))
    clock.now += 170
    replayed = message(Channel.HEALTH, timestamp="2025-10-05T09:31:00Z", active_symbols=7)
    assert state.accept(Channel.HEALTH, replayed)
    clock.now += 170
    assert state.engine_state() == "live"
    assert state.metrics()["active_symbols"] == 7


def test_a_backfilled_health_report_does_not_make_a_silent_engine_live():
    clock = FakeClock()
    state = make_state(clock)
    state.accept(Channel.HEALTH, message(Channel.HEALTH, timestamp="2025-10-05T10:00:00Z"))
    clock.now += 181
    backfilled = message(Channel.HEALTH, timestamp="2025-10-05T10:03:00Z")
    state.accept(Channel.HEALTH, backfilled, live=False)
    assert state.engine_state() == "stale"


def test_a_new_session_starts_clean():
    clock = FakeClock()
    state = make_state(clock)
    state.accept(Channel.SESSION_STARTED, message(Channel.SESSION_STARTED, session_id="old"))
    state.accept(Channel.PATTERNS_STREAMING, message(Channel.PATTERNS_STREAMING))
    state.accept(Channel.ALERTS_INDICATORS, message(Channel.ALERTS_INDICATORS))
    state.accept(Channel.INDICATORS_STREAMING, message(Channel.INDICATORS_STREAMING))
    state.accept(Channel.ALERTS_CRITICAL, message(Channel.ALERTS_CRITICAL))
    state.accept(Channel.HEALTH, message(Channel.HEALTH))

    state.accept(Channel.SESSION_STARTED, message(Channel.SESSION_STARTED, session_id="new"))
    snapshot = state.snapshot(epoch="e", seq=1, reason="connect", settings={})
    assert snapshot["session"]["session_id"] == "new"
    assert snapshot["recent_patterns"] == [] and snapshot["recent_alerts"] == []
    assert snapshot["latest_indicators"] == [] and snapshot["open_critical_alerts"] == []
    assert snapshot["health"] is None
    assert snapshot["metrics"]["patterns_detected"] == 0
    assert snapshot["metrics"]["active_symbols"] == 0
    assert snapshot["app_status"]["engine"] == "live", "the session start was heard just now"
    # the replayed day repeats the old session's detection: an event of the new session
    assert state.accept(Channel.PATTERNS_STREAMING, message(Channel.PATTERNS_STREAMING))
    assert state.metrics()["patterns_detected"] == 1


def test_the_same_session_started_again_keeps_its_view():
    state = make_state(FakeClock())
    state.accept(Channel.SESSION_STARTED, message(Channel.SESSION_STARTED, session_id="s1"))
    state.accept(Channel.PATTERNS_STREAMING, message(Channel.PATTERNS_STREAMING))
    state.accept(
        Channel.SESSION_STARTED,
        message(Channel.SESSION_STARTED, session_id="s1", started_at="2025-10-05T09:31:00Z"),
    )
    assert len(state.recent_patterns) == 1 and state.metrics()["patterns_detected"] == 1


def test_duplicate_of_a_detection_no_longer_in_the_recent_list_is_still_dropped():
    state = make_state(FakeClock(), max_patterns=2)
    raw = pattern_batch([detection(minute=m) for m in range(5)])
    assert (
        len(state.accept(Channel.PATTERNS_STREAMING, parse(Channel.PATTERNS_STREAMING, raw))) == 5
    )
    again = pattern_batch([detection(minute=0)])
    assert state.accept(Channel.PATTERNS_DETECTED, parse(Channel.PATTERNS_DETECTED, again)) == []
    assert state.duplicates == 1 and state.patterns_detected == 5


def test_de_duplication_window_holds_nothing_the_garbage_collector_must_traverse():
    """Full collections stay short under load: the window keeps only tuples of strings."""
    import gc

    state = make_state(FakeClock())
    raw = pattern_batch([detection(symbol=f"S{n}") for n in range(50)])
    state.accept(Channel.PATTERNS_STREAMING, parse(Channel.PATTERNS_STREAMING, raw))
    gc.collect()
    window = state._detections._items
    assert len(window) == 50
    assert not any(gc.is_tracked(key) or gc.is_tracked(value) for key, value in window.items())


class _Toy(ContractModel):
    """A message of a channel LiveState keeps no state for (a new channel's, say)."""

    type: Literal["toy"]
    note: str
    at: datetime


def test_a_message_it_keeps_no_state_for_is_relayed_as_it_came_under_its_channels_event():
    clock = FakeClock()
    state = make_state(clock)
    toy = _Toy(type="toy", note="<b>x</b>", at=datetime(2025, 10, 5, 10, 15, tzinfo=UTC))
    relayed = state.accept(Channel.HEALTH, toy)
    assert relayed == [
        ("streaming_health", {"type": "toy", "note": "<b>x</b>", "at": "2025-10-05T10:15:00Z"})
    ]
    assert state.metrics()["events_per_second"] == 0.1  # one event in the 10 s window
    assert state.accept(Channel.HEALTH, toy, live=False) == relayed
    assert state.metrics()["events_per_second"] == 0.1  # a backfilled one is not counted
