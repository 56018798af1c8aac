"""Market sources: where the engine's minutes come from (synthetic, replay, live feeds).

Each source is an async iterator of ``SessionOpened`` / ``MinuteForming`` / ``MinuteClosed`` /
``SessionClosed`` events that owns its timing and its faults; the runner turns the events into messages and
rows, whatever the source.
"""

from tickstock.engine.sources.base import (
    MarketEvent,
    MarketSource,
    MinuteClosed,
    MinuteForming,
    SessionClosed,
    SessionOpened,
    SourceContext,
)

__all__ = [
    "MarketEvent",
    "MarketSource",
    "MinuteClosed",
    "MinuteForming",
    "SessionClosed",
    "SessionOpened",
    "SourceContext",
]
