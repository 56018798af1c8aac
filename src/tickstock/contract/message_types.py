"""Each channel message's ``type`` value, read once from its model's ``type`` Literal.

The models (``models.py``) spell every value once. Code that writes a message without
building its model - the engine's hot path writing JSON text (``engine.messages``,
``engine.pipeline``), the store turning rows into events (``store.payloads``) - takes the
value from here, resolved at import, so a renamed type cannot leave a writer behind.
"""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel

from tickstock.contract import models


def type_of(model: type[BaseModel]) -> str:
    """The one value ``model``'s ``type`` field may take; ``TypeError`` if not exactly one."""
    field = model.model_fields.get("type")
    values = get_args(field.annotation) if field is not None else ()
    if len(values) != 1 or not isinstance(values[0], str):
        raise TypeError(f"{model.__name__}.type is not a Literal of one string")
    return values[0]


SESSION_STARTED = type_of(models.SessionStartedMessage)
SESSION_STOPPED = type_of(models.SessionStoppedMessage)
PATTERN = type_of(models.PatternMessage)
PATTERNS_BATCH = type_of(models.PatternBatchMessage)
INDICATOR = type_of(models.IndicatorMessage)
INDICATORS_BATCH = type_of(models.IndicatorBatchMessage)
INDICATOR_ALERT = type_of(models.IndicatorAlertMessage)
HEALTH = type_of(models.HealthMessage)
CRITICAL_ALERT = type_of(models.CriticalAlertMessage)
BARS = type_of(models.BarsMessage)
