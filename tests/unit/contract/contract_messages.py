"""Messages for the contract tests: the plan's samples, and one-field variations of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from tickstock.contract import Channel, ContractError, parse

PLAN_SAMPLES_DIR = Path(__file__).parent / "plan_samples"
#: Passed as a field value to ``with_body``: remove that field.
DROP = object()


def sample_path(channel: Channel) -> Path:
    """``plan_samples/tickstock.patterns.streaming.json`` for ``tickstock:patterns:streaming``."""
    return PLAN_SAMPLES_DIR / f"{channel.value.replace(':', '.')}.json"


def plan_sample(channel: Channel) -> dict[str, Any]:
    """A fresh copy of the plan's sample message for ``channel``."""
    return orjson.loads(sample_path(channel).read_bytes())


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
