"""Schema migrations (Alembic), configured in code so no ``alembic.ini`` is needed.

``upgrade(url)`` brings any database to the newest revision (a no-op when it is there);
``current_revision(url)`` tells where it is. Migrations run with a blocking driver
(pysqlite / psycopg) whatever async driver the URL names.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from tickstock.store.database import _prepare_sqlite, sync_url

HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """An Alembic ``Config`` pointing at these migrations and at ``url``."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    target = sync_url(url)
    if target.get_backend_name() == "sqlite":
        target = _prepare_sqlite(target, read_only=False)
    config.attributes["url"] = target
    return config


def upgrade(url: str, revision: str = "head") -> str | None:
    """Migrate the database at ``url`` to ``revision``; return the revision it is at."""
    config = alembic_config(url)
    command.upgrade(config, revision)
    return current_revision(url)


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None for an empty database)."""
    config = alembic_config(url)
    engine = create_engine(config.attributes["url"])
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
