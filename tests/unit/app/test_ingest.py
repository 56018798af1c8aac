"""Relay: every raw message is handled on its own; rejects are counted, never raised."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tickstock.app.ingest import Relay
from tickstock.app.metrics import AppMetrics
from tickstock.app.state import LiveState
from tickstock.contract import ALL_CHANNELS, Channel
from tickstock.contract.samples import SAMPLES


class RecordingFanOut:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict, bool]] = []

    def publish(self, event, data, *, received=None, backfilled=False) -> int:
        self.published.append((event, data, backfilled))
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
