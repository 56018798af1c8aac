"""Each message ``type`` value is spelled once, in its model's Literal; the constants the
engine and the store write with are read from there and are the plan's names."""

from __future__ import annotations

from typing import Literal

import orjson
import pytest
from pydantic import BaseModel

from tickstock.contract import CHANNEL_TYPES, message_types, models
from tickstock.contract.message_types import type_of

#: constant -> (its model, the plan's name, verbatim)
CONSTANTS = {
    "SESSION_STARTED": (models.SessionStartedMessage, "streaming_session_started"),
    "SESSION_STOPPED": (models.SessionStoppedMessage, "streaming_session_stopped"),
    "PATTERN": (models.PatternMessage, "streaming_pattern"),
    "PATTERNS_BATCH": (models.PatternBatchMessage, "streaming_patterns_batch"),
    "INDICATOR": (models.IndicatorMessage, "streaming_indicator"),
    "INDICATORS_BATCH": (models.IndicatorBatchMessage, "streaming_indicators_batch"),
    "INDICATOR_ALERT": (models.IndicatorAlertMessage, "indicator_alert"),
    "HEALTH": (models.HealthMessage, "streaming_health"),
    "CRITICAL_ALERT": (models.CriticalAlertMessage, "critical_alert"),
    "BARS": (models.BarsMessage, "streaming_bars"),
}


@pytest.mark.parametrize("name", sorted(CONSTANTS))
def test_each_constant_is_its_models_only_type_value_and_the_plans_name(name: str) -> None:
    model, plan_name = CONSTANTS[name]
    (literal,) = model.model_fields["type"].annotation.__args__  # type: ignore[union-attr]
    assert getattr(message_types, name) == literal == plan_name


def test_every_type_a_channel_carries_has_its_constant_and_no_constant_is_spare() -> None:
    carried = {value for types in CHANNEL_TYPES.values() for value in types}
    declared = {value for name, value in vars(message_types).items() if name.isupper()}
    assert declared == carried
    assert len(declared) == len(CONSTANTS)


@pytest.mark.parametrize("value", sorted({value for _, value in CONSTANTS.values()}))
def test_a_type_value_needs_no_json_escaping_so_the_engine_may_write_it_between_quotes(
    value: str,
) -> None:
    assert orjson.dumps(value) == f'"{value}"'.encode()


def test_a_model_without_a_single_type_value_has_no_type_of() -> None:
    class Either(BaseModel):
        type: Literal["a", "b"]

    class Untyped(BaseModel):
        name: str

    assert type_of(models.HealthMessage) == "streaming_health"
    for model in (Either, Untyped):
        with pytest.raises(TypeError, match="not a Literal of one string"):
            type_of(model)
