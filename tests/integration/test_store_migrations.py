"""Migrations on real SQLite and PostgreSQL: the migrated schema is exactly ``tables.py``."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url

from tickstock.cli import main
from tickstock.store import tables
from tickstock.store.database import sync_url
from tickstock.store.migrations import current_revision, upgrade

HEAD = "0003"


def schema_diff(url: str) -> list:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), tables.metadata)
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_exactly_as_tables_py_defines(database_url: str) -> None:
    assert current_revision(database_url) is None

    assert upgrade(database_url) == HEAD

    assert table_names(database_url) == {t.name for t in tables.ALL_TABLES} | {"alembic_version"}
    assert schema_diff(database_url) == [], "the migration and tables.py disagree"


def test_a_second_upgrade_is_a_no_op(database_url: str) -> None:
    upgrade(database_url)

    assert upgrade(database_url) == HEAD
    assert current_revision(database_url) == HEAD
    assert schema_diff(database_url) == []


def test_plain_urls_are_migrated_with_the_blocking_drivers(database_url: str) -> None:
    plain = make_url(database_url).set(drivername=make_url(database_url).get_backend_name())

    assert upgrade(plain.render_as_string(hide_password=False)) == HEAD
    assert current_revision(database_url) == HEAD


def test_a_sqlite_file_in_a_folder_that_does_not_exist_yet_is_created(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/var/data/tickstock.db"

    assert upgrade(url) == HEAD
    assert (tmp_path / "var" / "data" / "tickstock.db").is_file()


# --- tickstock db --------------------------------------------------------------------------


def test_db_upgrade_then_current_on_the_command_line(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "current", "--url", database_url]) == 0
    assert "empty" in capsys.readouterr().out

    assert main(["db", "upgrade", "--url", database_url]) == 0
    assert f"at revision {HEAD}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", database_url]) == 0, "twice is fine"
    capsys.readouterr()

    assert main(["db", "current", "--url", database_url]) == 0
    assert capsys.readouterr().out.strip() == HEAD


def test_db_upgrade_defaults_to_database_url(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("DATABASE_URL", sqlite_url)

    assert main(["db", "upgrade"]) == 0

    assert current_revision(sqlite_url) == HEAD
    assert f"/tickstock.db at revision {HEAD}" in capsys.readouterr().out


def test_db_upgrade_of_an_unreachable_database_says_so_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.servers import free_port

    url = f"postgresql://nobody@127.0.0.1:{free_port()}/none"

    assert main(["db", "upgrade", "--url", url]) == 1

    err = capsys.readouterr().err
    assert err.startswith("tickstock: database unavailable:")
    assert "Traceback" not in err
