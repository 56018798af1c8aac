"""Process-wide logging: ``key=value`` text lines for people, JSON lines for collectors.

Every line carries time, level, logger and message, then the record's context fields
(``extra=logs.ctx(channel=..., reason=...)``): ``key=value`` pairs after the message in
``text`` format, keys of the line's object with ``TICKSTOCK_LOG_FORMAT=json`` (``ts``,
``level``, ``logger``, ``message``, the fields, and ``exc`` when there is a traceback).
A ``RateLimitFilter`` on the one handler caps the lines per logger per minute.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

from tickstock.app.logs import FIELDS, RateLimitFilter

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
#: Keys a field may not take in a JSON line (they are the line's own).
_RESERVED = frozenset({"ts", "level", "logger", "message", "exc"})


def _fields_of(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, FIELDS, None)
    return fields if isinstance(fields, dict) else {}


def _text_value(value: Any) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' "=\n\r\t'):
        return orjson.dumps(text).decode()  # quoted, with newlines escaped: one line per record
    return text


class KeyValueFormatter(logging.Formatter):
    """The text format, then `` key=value`` for each context field."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = _fields_of(record)
        if fields:
            line += " " + " ".join(f"{k}={_text_value(v)}" for k, v in fields.items())
        return line


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record, its context fields as keys."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _fields_of(record).items():
            line[f"field_{key}" if key in _RESERVED else key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(
    level: str = "INFO",
    fmt: str = "text",
    stream: TextIO | None = None,
    max_lines_per_minute: int = 600,
) -> logging.Handler:
    """Replace the root handlers with one rate-limited handler writing ``fmt`` lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter() if fmt == "json" else KeyValueFormatter())
    handler.addFilter(RateLimitFilter(max_lines_per_minute))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own loggers propagate to ours, so every line has one format.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return handler
