"""The initial schema: the plan's 5 tables plus streaming_alerts.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intraday_indicators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("indicator", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timeframe", sa.String(length=8), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intraday_indicators")),
        sa.UniqueConstraint(
            "symbol",
            "indicator",
            "timeframe",
            "timestamp",
            name=op.f("uq_intraday_indicators_symbol_indicator_timeframe_timestamp"),
        ),
    )
    op.create_index(
        op.f("ix_intraday_indicators_session_id"),
        "intraday_indicators",
        ["session_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_intraday_indicators_symbol_timestamp"),
        "intraday_indicators",
        ["symbol", "timestamp"],
        unique=False,
    )
    op.create_table(
        "intraday_patterns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("pattern_type", sa.String(length=200), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("high_confidence", sa.Boolean(), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timeframe", sa.String(length=8), nullable=False),
        sa.Column("open", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("close", sa.Float(), nullable=False),
        sa.Column("volume", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intraday_patterns")),
        sa.UniqueConstraint(
            "symbol",
            "pattern_type",
            "timeframe",
            "timestamp",
            name=op.f("uq_intraday_patterns_symbol_pattern_type_timeframe_timestamp"),
        ),
    )
    op.create_index(
        op.f("ix_intraday_patterns_session_id"), "intraday_patterns", ["session_id"], unique=False
    )
    op.create_index(
        op.f("ix_intraday_patterns_symbol_timestamp"),
        "intraday_patterns",
        ["symbol", "timestamp"],
        unique=False,
    )
    op.create_index(
        op.f("ix_intraday_patterns_timestamp"), "intraday_patterns", ["timestamp"], unique=False
    )
    op.create_table(
        "ohlcv_1min",
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("close", sa.Float(), nullable=False),
        sa.Column("volume", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timestamp", name=op.f("pk_ohlcv_1min")),
    )
    op.create_index(op.f("ix_ohlcv_1min_timestamp"), "ohlcv_1min", ["timestamp"], unique=False)
    op.create_table(
        "streaming_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_key", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("symbol", sa.String(length=10), nullable=True),
        sa.Column("alert_type", sa.String(length=32), nullable=True),
        sa.Column("indicator", sa.String(length=200), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("message", sa.String(length=200), nullable=True),
        sa.Column("component", sa.String(length=200), nullable=True),
        sa.Column("action_required", sa.String(length=200), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streaming_alerts")),
        sa.UniqueConstraint("alert_key", name=op.f("uq_streaming_alerts_alert_key")),
    )
    op.create_index(
        op.f("ix_streaming_alerts_kind_timestamp"),
        "streaming_alerts",
        ["kind", "timestamp"],
        unique=False,
    )
    op.create_index(
        op.f("ix_streaming_alerts_symbol_timestamp"),
        "streaming_alerts",
        ["symbol", "timestamp"],
        unique=False,
    )
    op.create_index(
        op.f("ix_streaming_alerts_timestamp"), "streaming_alerts", ["timestamp"], unique=False
    )
    op.create_table(
        "streaming_health_metrics",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("active_symbols", sa.Integer(), nullable=False),
        sa.Column("connection_status", sa.String(length=16), nullable=False),
        sa.Column("ticks_per_second", sa.Float(), nullable=False),
        sa.Column("bars_per_minute", sa.Float(), nullable=False),
        sa.Column("processing_lag_ms", sa.Float(), nullable=False),
        sa.Column("cpu_percent", sa.Float(), nullable=False),
        sa.Column("memory_mb", sa.Float(), nullable=False),
        sa.Column("threads_active", sa.Integer(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streaming_health_metrics")),
        sa.UniqueConstraint("timestamp", name=op.f("uq_streaming_health_metrics_timestamp")),
    )
    op.create_table(
        "streaming_sessions",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("universe", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("symbol_count", sa.Integer(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("total_patterns", sa.Integer(), nullable=True),
        sa.Column("total_indicators", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_streaming_sessions")),
    )
    op.create_index(
        op.f("ix_streaming_sessions_started_at"), "streaming_sessions", ["started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_streaming_sessions_started_at"), table_name="streaming_sessions")
    op.drop_table("streaming_sessions")
    op.drop_table("streaming_health_metrics")
    op.drop_index(op.f("ix_streaming_alerts_timestamp"), table_name="streaming_alerts")
    op.drop_index(op.f("ix_streaming_alerts_symbol_timestamp"), table_name="streaming_alerts")
    op.drop_index(op.f("ix_streaming_alerts_kind_timestamp"), table_name="streaming_alerts")
    op.drop_table("streaming_alerts")
    op.drop_index(op.f("ix_ohlcv_1min_timestamp"), table_name="ohlcv_1min")
    op.drop_table("ohlcv_1min")
    op.drop_index(op.f("ix_intraday_patterns_timestamp"), table_name="intraday_patterns")
    op.drop_index(op.f("ix_intraday_patterns_symbol_timestamp"), table_name="intraday_patterns")
    op.drop_index(op.f("ix_intraday_patterns_session_id"), table_name="intraday_patterns")
    op.drop_table("intraday_patterns")
    op.drop_index(op.f("ix_intraday_indicators_symbol_timestamp"), table_name="intraday_indicators")
    op.drop_index(op.f("ix_intraday_indicators_session_id"), table_name="intraday_indicators")
    op.drop_table("intraday_indicators")
