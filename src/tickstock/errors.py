"""Every failure TickStock raises on purpose, as one tree.

::

    TickStockError
    ├── ConfigError            a setting has a bad value (names the variable)
    ├── ContractError          a message breaks the producer contract (channel, field, reason)
    │   └── MessageTooLarge    over the size limit, rejected unread
    ├── TimestampError         text is not an ISO-8601 date-time, or lacks a required zone
    ├── StoreError             the database refused or failed
    │   ├── ReadOnlyError      a write was attempted through the app's read-only handle
    │   └── StoreUnavailable   the database cannot be reached
    ├── FeedError              a market-data feed cannot be read (e.g. a bad CSV row)
    └── AuthError              a request lacks valid credentials

Errors carry what the caller needs to show a clear message, never a stack trace.
"""

from __future__ import annotations


class TickStockError(Exception):
    """Base of every error TickStock raises deliberately."""


class ConfigError(TickStockError):
    """A setting has an invalid value."""

    def __init__(self, variable: str, reason: str) -> None:
        self.variable = variable
        self.reason = reason
        super().__init__(f"{variable}: {reason}")


class ContractError(TickStockError):
    """A message on a channel does not keep the producer contract."""

    def __init__(self, channel: str, field: str, reason: str, kind: str = "invalid") -> None:
        self.channel = channel
        self.field = field
        self.reason = reason
        #: a short, stable reason class for counting rejects: json, type, missing,
        #: invalid, too_large, batch_too_large, low_confidence, unknown_channel
        self.kind = kind
        super().__init__(f"{channel}: {field}: {reason}")


class MessageTooLarge(ContractError):
    """The raw message is larger than the contract allows; it was not parsed."""


class TimestampError(TickStockError, ValueError):
    """Text that is not an ISO-8601 date-time (``not_iso``), or has no zone where one is
    required (``zoneless``); a ``ValueError`` too, so validators treat it as bad input."""

    def __init__(self, text: str, kind: str) -> None:
        self.text = text
        self.kind = kind
        reason = "is not ISO-8601" if kind == "not_iso" else "has no time zone"
        super().__init__(f"timestamp {text!r} {reason}")


class StoreError(TickStockError):
    """The database refused or failed an operation."""


class ReadOnlyError(StoreError):
    """A write was attempted through a read-only database handle."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now."""


class FeedError(TickStockError):
    """A market-data feed cannot be read."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class AuthError(TickStockError):
    """A request or connection lacks valid credentials."""
