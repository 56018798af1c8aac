"""docs/producer-contract.md: every channel documented, every example valid, the plan's samples in it."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from contract_messages import sample_text

from tickstock.contract import (
    ALL_CHANNELS,
    CHANNEL_TYPES,
    MAX_BATCH,
    MAX_MESSAGE_BYTES,
    Channel,
    parse,
)
from tickstock.contract.models import ALERT_TYPES

DOC = Path(__file__).resolve().parents[3] / "docs" / "producer-contract.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _json_examples(doc: str) -> list[str]:
    return re.findall(r"^```json\n(.*?)^```", doc, re.S | re.M)


def test_every_channel_has_its_own_section(doc: str) -> None:
    for channel in ALL_CHANNELS:
        assert f"### `{channel}`" in doc, channel


def test_every_json_example_is_a_valid_message(doc: str) -> None:
    examples = _json_examples(doc)
    assert len(examples) >= 9
    for example in examples:
        message_type = orjson.loads(example)["type"]
        channels = [c for c in Channel if message_type in CHANNEL_TYPES[c]]
        assert channels, message_type
        for channel in channels:
            if channel is not Channel.PATTERNS_DETECTED:
                parse(channel, example)


@pytest.mark.parametrize("channel", [c for c in Channel if c is not Channel.PATTERNS_DETECTED])
def test_the_plans_sample_is_shown_verbatim(doc: str, channel: Channel) -> None:
    assert sample_text(channel) in _json_examples(doc)


def test_the_limits_and_enumerations_are_stated(doc: str) -> None:
    assert f"**{MAX_BATCH}**" in doc
    assert f"{MAX_MESSAGE_BYTES // 1024} KiB" in doc
    assert "**confidence ≥ 0.8**" in doc
    for alert_type in ALERT_TYPES:
        assert f"| `{alert_type}` |" in doc
    for command in (
        "tickstock contract validate",
        "tickstock contract schema",
        "tickstock check-producer",
    ):
        assert command in doc
