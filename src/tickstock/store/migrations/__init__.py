"""Schema migrations (Alembic), configured in code so no ``alembic.ini`` is needed.

``upgrade(url)`` brings any database to the newest revision (a no-op when it is there);
``current_revision(url)`` tells where it is. Migrations run with a blocking driver
(pysqlite / psycopg) whatever async driver the URL names. A database that cannot be
reached is ``StoreUnavailable``, as everywhere in the store.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, pool

from tickstock.store.database import (
    POSTGRES_CONNECT_TIMEOUT,
    prepare_sqlite_url,
    sync_url,
    translate_errors,
)

HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """An Alembic ``Config`` pointing at these migrations and at ``url``."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    target = sync_url(url)
    if target.get_backend_name() == "sqlite":
        target = prepare_sqlite_url(target, read_only=False)
    config.attributes["url"] = target
    return config


def migration_engine(config: Config) -> Engine:
    """A blocking engine on the config's URL that gives up connecting after a few seconds."""
    url = config.attributes["url"]
    connect_args = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = int(POSTGRES_CONNECT_TIMEOUT)
    return create_engine(url, poolclass=pool.NullPool, connect_args=connect_args)


def upgrade(url: str, revision: str = "head") -> str | None:
    """Migrate the database at ``url`` to ``revision``; return the revision it is at."""
    config = alembic_config(url)
    with translate_errors(read_only=False):
        command.upgrade(config, revision)
    return current_revision(url)


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None for an empty database)."""
    engine = migration_engine(alembic_config(url))
    try:
        with translate_errors(read_only=False), engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
