"""The real engine on a scripted clock for browser tests: a short session of a fixed day.

40 symbols at 120 × real time from 09:29 on Monday 2025-10-06 until ``close_at``, whole
bars, a health report every second; the database must already be migrated.
"""

from __future__ import annotations

from datetime import date, time

from tests.e2e.processes import EngineThread

from tickstock.engine.config import EngineConfig

__all__ = ["EngineThread", "scripted_session"]


def scripted_session(redis_url: str, database_url: str, close_at: time) -> EngineConfig:
    """The engine's configuration of one scripted session that ends at ``close_at``."""
    return EngineConfig(
        redis_url=redis_url,
        database_url=database_url,
        symbols=40,
        speed=120,
        start=time(9, 29),
        day=date(2025, 10, 6),
        close_at=close_at,
        until_close=True,
        whole_bars=True,
        health_interval=1,
        run_migrations=False,
    )
