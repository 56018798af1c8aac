"""Tolerant ingest: deviations with exactly one meaning are rewritten to the canonical form.

A producer in the field sends ``nvda``, ``1m``, a volume of ``250000.0``, a timestamp with
no zone or a confidence of ``85`` (per cent). Each has one safe reading, so in tolerant mode
it is rewritten and noted (``Normalisation``) instead of dropping the message. Anything with
more than one reading (``1M``: minute or month? an epoch number: seconds or ms?) or anything
unsafe (markup, wrong types, sizes) is still rejected by the models' rules.

The functions here are pydantic ``BeforeValidator`` hooks. They act only when validation is
given a context made by ``context(tolerant=True)`` (``contract.parse`` does); without one -
the engine building its own messages, or strict mode - they pass values through unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationInfo

from tickstock.contract import limits

#: The kinds of normalisation, each counted under its own name.
KINDS: tuple[str, ...] = (
    "symbol_case",
    "timeframe_alias",
    "integral_float",
    "zoneless_timestamp",
    "confidence_percent",
    "value_object",
)


@dataclass(frozen=True, slots=True)
class Normalisation:
    """One rewritten value: its kind, the field it was in, and the value before and after."""

    kind: str
    field: str
    before: str
    after: str


def context(*, tolerant: bool) -> dict[str, Any]:
    """A validation context; ``notes`` collects the normalisations made with it."""
    return {"tolerant": tolerant, "notes": []}


def note(info: ValidationInfo, kind: str, field: str, before: Any, after: Any) -> None:
    """Record a normalisation in the context's ``notes`` (when validating with a context)."""
    ctx = info.context
    if isinstance(ctx, dict) and isinstance(ctx.get("notes"), list):
        ctx["notes"].append(Normalisation(kind, field, f"{before!r:.40}", f"{after!r:.40}"))


def _tolerant(info: ValidationInfo) -> bool:
    ctx = info.context
    return isinstance(ctx, dict) and ctx.get("tolerant") is True


_SYMBOL = re.compile(limits.SYMBOL_PATTERN)


def symbol_case(value: Any, info: ValidationInfo) -> Any:
    """``nvda`` -> ``NVDA``: only when the upper-cased text is a valid symbol."""
    if isinstance(value, str) and _tolerant(info) and not _SYMBOL.match(value):
        upper = value.upper()
        if _SYMBOL.match(upper):
            note(info, "symbol_case", info.field_name or "symbol", value, upper)
            return upper
    return value


_TIMEFRAME = re.compile(limits.TIMEFRAME_PATTERN)
_TIMEFRAME_ALIAS = re.compile(r"^([0-9]{1,5})\s?([A-Za-z]+)$")
#: Unit spellings with one meaning. ``M`` (minute or month?) is deliberately absent.
_UNITS = {
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "m": "min",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "wk": "w",
    "week": "w",
    "weeks": "w",
}


def canonical_timeframe(value: str) -> str | None:
    """``1m``, ``1min``, ``60s``, ``1 minute`` -> ``1min``; ``None`` when not one meaning."""
    found = _TIMEFRAME_ALIAS.match(value.strip())
    if found is None:
        return None
    count, unit = int(found.group(1)), found.group(2)
    if unit == "M":
        return None  # minute or month: two meanings
    canonical = _UNITS.get(unit.lower())
    if canonical is None or count == 0:
        return None
    if canonical == "s" and count % 60 == 0:
        count, canonical = count // 60, "min"
    text = f"{count}{canonical}"
    return text if _TIMEFRAME.match(text) else None


def timeframe_alias(value: Any, info: ValidationInfo) -> Any:
    """The canonical timeframe of an alias with one meaning (``1m`` -> ``1min``)."""
    if isinstance(value, str) and _tolerant(info):
        canonical = canonical_timeframe(value)
        if canonical is not None and canonical != value:
            note(info, "timeframe_alias", info.field_name or "timeframe", value, canonical)
            return canonical
    return value


def integral_float(value: Any, info: ValidationInfo) -> Any:
    """A count written ``250000.0`` -> ``250000``; ``1.5`` stays a float (and is rejected)."""
    if type(value) is float and _tolerant(info) and value.is_integer():
        as_int = int(value)
        note(info, "integral_float", info.field_name or "count", value, as_int)
        return as_int
    return value


def confidence_percent(value: Any, info: ValidationInfo) -> Any:
    """A confidence given in per cent (above 1, at most 100) -> the fraction.

    ``1`` itself stays 1.0: as a fraction it is valid and means certainty.
    """
    if type(value) in (int, float) and _tolerant(info) and 1 < value <= 100:
        fraction = value / 100
        note(info, "confidence_percent", info.field_name or "confidence", value, fraction)
        return fraction
    return value


def zoneless_timestamp(value: Any, info: ValidationInfo) -> Any:
    """An ISO-8601 date-time without a zone is read as UTC (the contract's zone)."""
    if isinstance(value, str) and _tolerant(info) and len(value) >= 16:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value  # the models' rules say what is wrong with it
        if parsed.tzinfo is None and value[10] in "Tt ":
            stamped = parsed.replace(tzinfo=UTC)
            note(info, "zoneless_timestamp", info.field_name or "timestamp", value, "UTC")
            return stamped
    return value
