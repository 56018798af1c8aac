"""JSON Schema of each channel's messages, for producer authors and their validators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter

from tickstock.contract.channels import CHANNEL_TYPES, Channel
from tickstock.contract.limits import HIGH_CONFIDENCE


def channel_schema(channel: Channel) -> dict[str, Any]:
    """The JSON Schema every message on ``channel`` must satisfy."""
    models = tuple(CHANNEL_TYPES[channel].values())
    union: Any = models[0] if len(models) == 1 else models[0] | models[1]
    schema = TypeAdapter(union).json_schema(mode="validation")
    if channel is Channel.PATTERNS_DETECTED:  # the high-confidence channel's own rule
        confidence = schema["$defs"]["PatternDetection"]["properties"]["confidence"]
        confidence["minimum"] = HIGH_CONFIDENCE
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:tickstock:{channel.value}",
        **schema,
        "title": channel.value,
    }


def write_schemas(out_dir: Path) -> list[Path]:
    """Write ``<channel>.schema.json`` for every channel into ``out_dir``; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for channel in Channel:
        path = out_dir / f"{channel.value.replace(':', '.')}.schema.json"
        path.write_bytes(orjson.dumps(channel_schema(channel), option=orjson.OPT_INDENT_2))
        written.append(path)
    return written
