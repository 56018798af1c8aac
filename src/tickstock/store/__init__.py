"""The database: table definitions, migrations, the engine's writer and the app's queries.

``open_database(url, read_only=...)`` gives a ``Database`` (``connect()``, ``begin()``,
``ping()``, ``dispose()``, ``dialect``); the engine writes through ``StoreWriter``; the app
reads through ``tickstock.store.queries`` on a read-only handle. ``tickstock.store.migrations``
(``upgrade``, ``current_revision``) creates and migrates the schema; docs/database.md.
"""

from tickstock.store.database import Database, open_database
from tickstock.store.writer import StoreWriter

__all__ = ["Database", "StoreWriter", "open_database"]
