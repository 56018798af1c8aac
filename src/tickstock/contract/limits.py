"""Numbers the contract fixes: sizes, ranges and formats shared by producer and app."""

from __future__ import annotations

#: Largest raw message accepted, in bytes; larger ones are rejected unread.
MAX_MESSAGE_BYTES = 64 * 1024
#: Most detections (or calculations) one batch message may carry.
MAX_BATCH = 50
#: Most bars one ``streaming_bars`` message may carry (250 long bars stay under 64 KiB).
MAX_BARS_BATCH = 250
#: Confidence at and above which a detection also goes on ``tickstock:patterns:detected``.
HIGH_CONFIDENCE = 0.8
#: Longest free-text field (pattern_type, indicator, component, message, ...).
MAX_TEXT = 200
SYMBOL_PATTERN = r"^[A-Z][A-Z0-9.\-]{0,9}$"
SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,64}$"
TIMEFRAME_PATTERN = r"^[0-9]{1,4}(s|min|h|d|w)$"
#: Most lines a multi-valued indicator may carry, and most metadata keys.
MAX_VALUES = 16
MAX_METADATA_KEYS = 32
MAX_ISSUES = 50
