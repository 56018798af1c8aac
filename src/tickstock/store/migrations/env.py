"""Alembic environment: the URL comes from ``alembic_config``, the target is ``tables.metadata``."""

from __future__ import annotations

from alembic import context

from tickstock.store.migrations import migration_engine
from tickstock.store.tables import metadata

engine = migration_engine(context.config)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
