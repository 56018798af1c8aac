"""Bytes from Redis to validated models.

``parse(channel, raw)`` is the contract exactly as written: the canonical form, a message
valid as a whole or a ``ContractError``. ``read(channel, raw, tolerant=...)`` is what the app
ingests with: in tolerant mode values with one meaning are normalised (``normalise``), and
in either mode each item of a batch stands alone - a bad detection drops itself, not its
neighbours. The error always names the channel, the field path (``detection.bar_data.low``)
and a human reason, and carries a short ``kind`` so that rejects can be counted by reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from tickstock.contract import message_types, models, normalise
from tickstock.contract.channels import CHANNEL_TYPES, Channel
from tickstock.contract.limits import (
    HIGH_CONFIDENCE,
    MAX_BARS_BATCH,
    MAX_BATCH,
    MAX_MESSAGE_BYTES,
)
from tickstock.errors import ContractError, MessageTooLarge

_KIND_BY_PYDANTIC = {
    "missing": "missing",
    "literal_error": "invalid",
}

#: The list field of each batch type; its length is checked before anything else.
_BATCH_FIELD = {
    message_types.PATTERNS_BATCH: "detections",
    message_types.INDICATORS_BATCH: "calculations",
    message_types.BARS: "bars",
}
_BATCH_MAX = {message_types.BARS: MAX_BARS_BATCH}


#: The model of one item of each batch type.
_BATCH_ITEM: dict[str, type[BaseModel]] = {
    message_types.PATTERNS_BATCH: models.PatternDetection,
    message_types.INDICATORS_BATCH: models.IndicatorCalculation,
    message_types.BARS: models.Bar,
}


@dataclass(frozen=True, slots=True)
class Parsed:
    """A read message: the model of its valid part (``None`` when no item of a batch was
    valid), the normalisations made, and the batch items dropped, each with its error."""

    message: models.Message | None
    normalised: tuple[normalise.Normalisation, ...] = ()
    dropped: tuple[ContractError, ...] = ()


def parse(channel: str | Channel, raw: bytes | str) -> models.Message:
    """Validate one raw message received on ``channel``: canonical form, whole message."""
    chan = _channel(channel)
    return parse_object(chan, _decode(chan, raw))


def read(channel: str | Channel, raw: bytes | str, *, tolerant: bool = True) -> Parsed:
    """Validate one raw message item by item; ``tolerant`` normalises one-meaning deviations.

    Raises ``ContractError`` when the message as a whole is rejected (size, JSON, type, a
    bad single item, a batch over the limit).
    """
    chan = _channel(channel)
    data = _decode(chan, raw)
    kind = _envelope(chan, data)
    ctx = normalise.context(tolerant=tolerant)
    field = _BATCH_FIELD.get(kind, "")
    items = data.get(field)
    if field and isinstance(items, list) and items:
        return _read_batch(chan, data, kind, field, items, ctx)
    try:
        message = CHANNEL_TYPES[chan][kind].model_validate(data, context=ctx)
    except ValidationError as exc:
        raise _contract_error(chan, exc) from None
    if chan is Channel.PATTERNS_DETECTED:
        _check_high_confidence(chan, message)
    return Parsed(message, tuple(ctx["notes"]))  # type: ignore[arg-type]


def _read_batch(
    chan: Channel,
    data: dict[str, Any],
    kind: str,
    field: str,
    items: list[Any],
    ctx: dict[str, Any],
) -> Parsed:
    item_model = _BATCH_ITEM[kind]
    notes: list[normalise.Normalisation] = ctx["notes"]
    kept: list[Any] = []
    dropped: list[ContractError] = []
    for index, item in enumerate(items):
        noted = len(notes)
        try:
            model = item_model.model_validate(item, context=ctx)
            if chan is Channel.PATTERNS_DETECTED:
                _check_confidence(chan, model, f"{field}.{index}")  # type: ignore[arg-type]
        except ValidationError as exc:
            dropped.append(_contract_error(chan, exc, prefix=f"{field}.{index}"))
        except ContractError as exc:
            dropped.append(exc)
        else:
            kept.append(model)
            continue
        del notes[noted:]  # a dropped item's normalisations were never used
    if not kept:
        return Parsed(None, (), tuple(dropped))
    try:  # the envelope's own fields (a bars message's timeframe and closed)
        message = CHANNEL_TYPES[chan][kind].model_validate({**data, field: kept}, context=ctx)
    except ValidationError as exc:
        raise _contract_error(chan, exc) from None
    return Parsed(message, tuple(notes), tuple(dropped))  # type: ignore[arg-type]


def _channel(channel: str | Channel) -> Channel:
    try:
        chan = Channel(channel)
    except ValueError:
        raise ContractError(str(channel), "", "unknown channel", kind="unknown_channel") from None
    return chan


def _decode(chan: Channel, raw: bytes | str) -> Any:
    # surrogatepass: a str with a lone surrogate is measured here and rejected as JSON below
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(
            chan.value, "", f"message of {size} bytes exceeds {MAX_MESSAGE_BYTES}", kind="too_large"
        )
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ContractError(chan.value, "", f"not valid JSON ({exc})", kind="json") from None
    return data


def parse_object(channel: Channel, data: Any) -> models.Message:
    """Validate an already-decoded JSON value received on ``channel``."""
    kind = _envelope(channel, data)
    try:
        message = CHANNEL_TYPES[channel][kind].model_validate(data)
    except ValidationError as exc:
        raise _contract_error(channel, exc) from None
    if channel is Channel.PATTERNS_DETECTED:
        _check_high_confidence(channel, message)
    return message  # type: ignore[return-value]


def _envelope(channel: Channel, data: Any) -> str:
    """The message's ``type``, once the envelope and the batch size are checked."""
    if not isinstance(data, dict):
        raise ContractError(channel.value, "", "message must be a JSON object", kind="json")
    allowed = CHANNEL_TYPES[channel]
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in allowed:
        expected = " or ".join(repr(t) for t in allowed)
        raise ContractError(
            channel.value, "type", f"got {kind!r:.80}, this channel carries {expected}", kind="type"
        )
    field = _BATCH_FIELD.get(kind, "")
    batch = data.get(field)
    most = _BATCH_MAX.get(kind, MAX_BATCH)
    if isinstance(batch, list) and len(batch) > most:
        raise ContractError(
            channel.value,
            field,
            f"batch of {len(batch)} exceeds the maximum of {most}",
            kind="batch_too_large",
        )
    return kind


def detections_of(message: models.Message) -> tuple[models.PatternDetection, ...]:
    """The detections a pattern message carries (one, or a batch)."""
    if isinstance(message, models.PatternMessage):
        return (message.detection,)
    if isinstance(message, models.PatternBatchMessage):
        return tuple(message.detections)
    return ()


def calculations_of(message: models.Message) -> tuple[models.IndicatorCalculation, ...]:
    """The calculations an indicator message carries (one, or a batch)."""
    if isinstance(message, models.IndicatorMessage):
        return (message.calculation,)
    if isinstance(message, models.IndicatorBatchMessage):
        return tuple(message.calculations)
    return ()


def _check_high_confidence(channel: Channel, message: models.Message) -> None:
    for index, detection in enumerate(detections_of(message)):
        prefix = (
            "detection" if isinstance(message, models.PatternMessage) else f"detections.{index}"
        )
        _check_confidence(channel, detection, prefix)


def _check_confidence(channel: Channel, detection: models.PatternDetection, prefix: str) -> None:
    if detection.confidence < HIGH_CONFIDENCE:
        raise ContractError(
            channel.value,
            f"{prefix}.confidence",
            f"{detection.confidence} is below {HIGH_CONFIDENCE}, "
            "the minimum on the high-confidence channel",
            kind="low_confidence",
        )


def _contract_error(channel: Channel, exc: ValidationError, prefix: str = "") -> ContractError:
    first = exc.errors(include_url=False)[0]
    path = ".".join(str(part) for part in (*([prefix] if prefix else []), *first["loc"]))
    reason = first["msg"]
    if first["type"] == "missing":
        reason = "required field is missing"
    elif first["type"] == "value_error":  # our own rules: the message alone reads better
        reason = reason.removeprefix("Value error, ")
    kind = _KIND_BY_PYDANTIC.get(first["type"], "invalid")
    more = exc.error_count() - 1
    if more:
        reason += f" (and {more} more error{'s' if more > 1 else ''})"
    return ContractError(channel.value, path or "(message)", reason, kind=kind)
