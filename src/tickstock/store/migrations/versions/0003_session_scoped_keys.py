"""Rows belong to their session: unique keys include the session; sessions get a position.

A second run of the same trading day (a replay, or ``make demo`` twice on one database)
produces the same detections, indicator values and health timestamps as the first. With
keys that ignored the session, the second run's rows were silently not written (the
inserts are ``ON CONFLICT DO NOTHING``), so its history, counts and gap backfills were
empty or, worse, pointed at the first run's rows. The keys use ``session_key``, the
session id or "" outside a session (SQL NULLs are all distinct, so a NULL in a unique key
would let a retried write duplicate its rows). ``streaming_sessions.seq`` numbers
sessions in the order they were written, so "the latest session" goes by position, not by
``started_at`` (two runs of one day start at the same simulated moment).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: table -> (old unique constraint, new name, new columns)
KEYS = {
    "intraday_patterns": (
        "uq_intraday_patterns_symbol_pattern_type_timeframe_timestamp",
        "uq_intraday_patterns_session_identity",
        ["session_key", "symbol", "pattern_type", "timeframe", "timestamp"],
    ),
    "intraday_indicators": (
        "uq_intraday_indicators_symbol_indicator_timeframe_timestamp",
        "uq_intraday_indicators_session_identity",
        ["session_key", "symbol", "indicator", "timeframe", "timestamp"],
    ),
    "streaming_health_metrics": (
        "uq_streaming_health_metrics_timestamp",
        "uq_streaming_health_metrics_session_key_timestamp",
        ["session_key", "timestamp"],
    ),
}


def upgrade() -> None:
    for table, (old, new, columns) in KEYS.items():
        with op.batch_alter_table(table) as batch:  # SQLite: the table is rebuilt
            batch.add_column(
                sa.Column("session_key", sa.String(64), nullable=False, server_default="")
            )
            batch.drop_constraint(old, type_="unique")
        op.execute(
            sa.text(f"UPDATE {table} SET session_key = session_id WHERE session_id IS NOT NULL")
        )
        with op.batch_alter_table(table) as batch:
            batch.create_unique_constraint(new, columns)
    op.add_column("streaming_sessions", sa.Column("seq", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("streaming_sessions", "seq")
    for table, (old, new, columns) in KEYS.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(new, type_="unique")
            batch.create_unique_constraint(old, columns[1:])
            batch.drop_column("session_key")
