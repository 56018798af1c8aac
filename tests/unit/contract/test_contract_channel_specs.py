"""The channel table: every channel declared once, and what the rest derives from it."""

import pytest

from tickstock.contract import CHANNEL_EVENT, CHANNEL_TYPES, OPTIONAL_CHANNELS, SOCKET_EVENTS, parse
from tickstock.contract.channels import CHANNEL_SPECS, SPECS, Channel
from tickstock.contract.samples import SAMPLES


def test_every_channel_is_declared_once_in_its_order() -> None:
    assert [spec.channel for spec in CHANNEL_SPECS] == list(Channel)
    assert set(SPECS) == set(Channel)


@pytest.mark.parametrize("spec", CHANNEL_SPECS, ids=lambda spec: spec.channel.value)
def test_a_channels_line_is_its_event_types_sample_and_optionality(spec) -> None:  # type: ignore[no-untyped-def]
    assert CHANNEL_EVENT[spec.channel] == spec.event
    assert spec.event in SOCKET_EVENTS
    assert spec.batch_event is None or spec.batch_event in SOCKET_EVENTS
    assert CHANNEL_TYPES[spec.channel] is spec.types
    assert SAMPLES[spec.channel] == spec.sample
    assert parse(spec.channel, spec.sample).type in spec.types
    assert (spec.channel in OPTIONAL_CHANNELS) is spec.optional


def test_the_socket_events_are_the_declared_ones_each_once() -> None:
    declared = {s.event for s in CHANNEL_SPECS} | {s.batch_event for s in CHANNEL_SPECS}
    assert set(SOCKET_EVENTS) == declared - {None}
    assert len(SOCKET_EVENTS) == len(set(SOCKET_EVENTS))
