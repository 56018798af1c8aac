"""The database schema (SQLAlchemy Core): the plan's 5 tables plus ``streaming_alerts``.

Every contract field has its own column; only open-ended maps (an indicator's lines, its
metadata, the health issues list) are JSON. Unique keys make every write idempotent: the
engine may retry a batch after an outage and a detection written twice stays one row.
The keys include the session (``session_key``: the session id, or "" outside a session,
since SQL NULLs are all distinct): a second run of the same day is a session of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class AwareUtcDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and always reads back aware UTC.

    SQLite keeps no zone: it would drop a non-UTC offset (shifting the time) and return
    naive values. Naive values given to it are taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime) or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = AwareUtcDateTime()

streaming_sessions = Table(
    "streaming_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("universe", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # active | stopped
    Column("started_at", UtcDateTime, nullable=False),
    Column("symbol_count", Integer, nullable=False),
    Column("stopped_at", UtcDateTime),
    Column("duration_seconds", Float),
    Column("total_patterns", Integer),
    Column("total_indicators", Integer),
    # the order sessions were written in: "the latest session" by position (0003)
    Column("seq", Integer),
    Index(None, "started_at"),
)

intraday_patterns = Table(
    "intraday_patterns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64)),
    Column("session_key", String(64), nullable=False, server_default=""),
    Column("symbol", String(10), nullable=False),
    Column("pattern_type", String(200), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("high_confidence", Boolean, nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("timeframe", String(8), nullable=False),
    Column("open", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("low", Float, nullable=False),
    Column("close", Float, nullable=False),
    Column("volume", BigInteger, nullable=False),
    # a detection once per session: a replayed day's second run stores its own rows (0003)
    UniqueConstraint(
        "session_key",
        "symbol",
        "pattern_type",
        "timeframe",
        "timestamp",
        name="uq_intraday_patterns_session_identity",
    ),
    Index(None, "symbol", "timestamp"),
    Index(None, "timestamp"),
    Index(None, "session_id"),
    Index(None, "session_id", "timestamp", "id"),  # a session's pages, in order (0002)
)

intraday_indicators = Table(
    "intraday_indicators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64)),
    Column("session_key", String(64), nullable=False, server_default=""),
    Column("symbol", String(10), nullable=False),
    Column("indicator", String(200), nullable=False),
    Column("value", Float, nullable=False),
    Column("values", JSON),  # every line of a multi-valued indicator (MACD, BB)
    Column("timestamp", UtcDateTime, nullable=False),
    Column("timeframe", String(8), nullable=False),
    Column("metadata", JSON),
    UniqueConstraint(
        "session_key",
        "symbol",
        "indicator",
        "timeframe",
        "timestamp",
        name="uq_intraday_indicators_session_identity",
    ),
    Index(None, "symbol", "timestamp"),
    Index(None, "session_id"),
)

streaming_health_metrics = Table(
    "streaming_health_metrics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64)),
    Column("session_key", String(64), nullable=False, server_default=""),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("active_symbols", Integer, nullable=False),
    Column("connection_status", String(16), nullable=False),
    Column("ticks_per_second", Float, nullable=False),
    Column("bars_per_minute", Float, nullable=False),
    Column("processing_lag_ms", Float, nullable=False),
    Column("cpu_percent", Float, nullable=False),
    Column("memory_mb", Float, nullable=False),
    Column("threads_active", Integer, nullable=False),
    Column("issues", JSON, nullable=False),
    UniqueConstraint("session_key", "timestamp"),
)

ohlcv_1min = Table(
    "ohlcv_1min",
    metadata,
    Column("symbol", String(10), nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),  # the minute's start
    Column("open", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("low", Float, nullable=False),
    Column("close", Float, nullable=False),
    Column("volume", BigInteger, nullable=False),
    PrimaryKeyConstraint("symbol", "timestamp"),
    Index(None, "timestamp"),
)

streaming_alerts = Table(
    "streaming_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # "indicator|AAPL|RSI_OVERBOUGHT|<ts>" or "critical|<component>|<resolved>|<ts>": SQL's
    # NULLs are all distinct, so the idempotency key is one computed non-null column.
    Column("alert_key", String(512), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # indicator | critical
    Column("session_id", String(64)),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("symbol", String(10)),
    Column("alert_type", String(32)),
    Column("indicator", String(200)),
    Column("value", Float),
    Column("threshold", Float),
    Column("severity", String(16)),
    Column("message", String(200)),
    Column("component", String(200)),
    Column("action_required", String(200)),
    Column("resolved", Boolean, nullable=False, default=False),
    Index(None, "timestamp"),
    Index(None, "symbol", "timestamp"),
    Index(None, "kind", "timestamp"),
    Index(None, "session_id", "timestamp"),  # a session's alerts (0002)
)

ALL_TABLES = (
    streaming_sessions,
    intraday_patterns,
    intraday_indicators,
    streaming_health_metrics,
    ohlcv_1min,
    streaming_alerts,
)
