"""Models to JSON: the one encoding used on Redis and towards browsers."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel


def to_wire(model: BaseModel) -> dict[str, Any]:
    """A JSON-ready dict: UTC timestamps with ``Z``, unset optional fields left out."""
    return model.model_dump(mode="json", exclude_none=True)


def encode(model: BaseModel) -> bytes:
    """The UTF-8 JSON bytes of ``model``, as published on a channel."""
    return orjson.dumps(to_wire(model))
