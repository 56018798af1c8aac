"""Messages for the contract tests: the plan's samples, and one-field variations of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from tickstock.contract import Channel, ContractError, parse
from tickstock.contract.samples import SAMPLES

PLAN_SAMPLES_DIR = Path(__file__).parent / "plan_samples"
#: Passed as a field value to ``with_body``: remove that field.
DROP = object()


def sample_path(channel: Channel) -> Path:
    """``plan_samples/tickstock.patterns.streaming.json`` for ``tickstock:patterns:streaming``."""
    return PLAN_SAMPLES_DIR / f"{channel.value.replace(':', '.')}.json"


#: The channels with a sample file here: the plan's 8 and bars (docs/producer-contract.md's).
SAMPLE_FILE_CHANNELS = tuple(c for c in Channel if sample_path(c).exists())


def sample_text(channel: Channel) -> str:
    """The text of ``channel``'s sample file; a channel without one, its declared sample."""
    path = sample_path(channel)
    return path.read_text() if path.exists() else SAMPLES[channel] + "\n"


def plan_sample(channel: Channel) -> dict[str, Any]:
    """A fresh copy of the plan's sample message for ``channel`` (its declared one if the
    plan has none), so that the tests over every channel cover a new one."""
    return orjson.loads(sample_text(channel))


def body_key(message: dict[str, Any]) -> str:
    """The one key beside ``type`` (``detection``, ``session``, ...)."""
    (key,) = (k for k in message if k != "type")
    return key


def with_body(channel: Channel, **changes: Any) -> dict[str, Any]:
    """The plan's sample for ``channel`` with fields of its body replaced (``...=DROP`` drops)."""
    message = plan_sample(channel)
    body = message[body_key(message)]
    for name, value in changes.items():
        if value is DROP:
            body.pop(name)
        else:
            body[name] = copy.deepcopy(value)
    return message


def rejected(channel: Channel, message: Any) -> ContractError:
    """Parse ``message`` (a JSON value, or raw text/bytes) and return the expected rejection."""
    raw = message if isinstance(message, str | bytes) else orjson.dumps(message)
    with pytest.raises(ContractError) as caught:
        parse(channel, raw)
    return caught.value


def accepted(channel: Channel, message: Any):  # type: ignore[no-untyped-def]
    """Parse ``message`` and return the model; fails the test on a ContractError."""
    raw = message if isinstance(message, str | bytes) else orjson.dumps(message)
    return parse(channel, raw)
