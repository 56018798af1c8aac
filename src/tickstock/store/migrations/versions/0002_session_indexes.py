"""Indexes for reading one session's rows in order (session playback).

``GET /api/streaming/sessions/{id}/patterns`` pages through a session's detections by
(timestamp, id) and the alerts endpoint filters by session: without these, both sort every
row of the session (or scan every alert) for each page.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_intraday_patterns_session_id_timestamp_id"),
        "intraday_patterns",
        ["session_id", "timestamp", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_streaming_alerts_session_id_timestamp"),
        "streaming_alerts",
        ["session_id", "timestamp"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_streaming_alerts_session_id_timestamp"), table_name="streaming_alerts")
    op.drop_index(
        op.f("ix_intraday_patterns_session_id_timestamp_id"), table_name="intraday_patterns"
    )
