"""URLs and error translation of ``tickstock.store.database``: pure functions, no server."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from tickstock.errors import ReadOnlyError, StoreUnavailable
from tickstock.store.database import (
    async_url,
    classify_error,
    display_url,
    prepare_sqlite_url,
    sqlite_file,
    sync_url,
    translate_errors,
)


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///var/t.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///var/t.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
        ("postgresql+psycopg://u@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_every_url_gets_its_asyncio_driver(given: str, driver: str) -> None:
    assert async_url(given).drivername == driver


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite+aiosqlite:///var/t.db", "sqlite"),
        ("postgresql+asyncpg://u@h/db", "postgresql+psycopg"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
    ],
)
def test_migrations_get_a_blocking_driver(given: str, driver: str) -> None:
    assert sync_url(given).drivername == driver


def test_the_read_only_sqlite_url_opens_the_file_with_mode_ro(tmp_path) -> None:
    url = prepare_sqlite_url(make_url(f"sqlite+aiosqlite:///{tmp_path}/t.db"), read_only=True)

    assert url.database == f"file:{tmp_path}/t.db"
    assert dict(url.query) == {"mode": "ro", "uri": "true"}
    assert sqlite_file(url) == tmp_path / "t.db"
    assert not tmp_path.joinpath("t.db").exists()


def test_the_read_write_sqlite_url_is_absolute_and_its_folder_exists(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    url = prepare_sqlite_url(make_url("sqlite+aiosqlite:///./var/t.db"), read_only=False)

    assert url.database == str(tmp_path / "var" / "t.db")
    assert (tmp_path / "var").is_dir()


def test_an_in_memory_sqlite_url_is_left_alone() -> None:
    url = make_url("sqlite+aiosqlite://")

    assert prepare_sqlite_url(url, read_only=True) == url
    assert sqlite_file(url) is None


def test_a_password_never_shows_in_messages() -> None:
    assert "secret" not in display_url("postgresql+asyncpg://app:secret@db/tickstock")


# --- error translation ---------------------------------------------------------------------


def wrapped(error: Exception, kind: type[DBAPIError] = DBAPIError) -> DBAPIError:
    """``error`` as SQLAlchemy raises it: wrapped, with the driver's error as ``orig``."""
    return kind("SELECT 1", {}, error)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
        wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients")),
        wrapped(asyncpg.exceptions.InvalidCatalogNameError('database "x" does not exist')),
        wrapped(asyncpg.exceptions.InvalidPasswordError("password authentication failed")),
        wrapped(asyncpg.exceptions.UndefinedTableError('relation "t" does not exist')),
        wrapped(sqlite3.OperationalError("unable to open database file"), OperationalError),
        wrapped(sqlite3.OperationalError("database is locked"), OperationalError),
        wrapped(sqlite3.OperationalError("no such table: t"), OperationalError),
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
    ],
    ids=lambda e: type(getattr(e, "orig", e)).__name__ + ":" + str(getattr(e, "orig", e))[:20],
)
def test_a_database_out_of_reach_is_store_unavailable(error: Exception) -> None:
    assert classify_error(error, read_only=False) is StoreUnavailable


@pytest.mark.parametrize(
    ("error", "read_only"),
    [
        (wrapped(sqlite3.OperationalError("attempt to write a readonly database")), True),
        (
            wrapped(
                asyncpg.exceptions.ReadOnlySQLTransactionError(
                    "cannot execute INSERT in a read-only transaction"
                )
            ),
            True,
        ),
        (wrapped(asyncpg.exceptions.InsufficientPrivilegeError("permission denied")), True),
    ],
)
def test_a_refused_write_is_read_only_error(error: Exception, read_only: bool) -> None:
    assert classify_error(error, read_only=read_only) is ReadOnlyError


@pytest.mark.parametrize(
    "error",
    [
        wrapped(sqlite3.OperationalError('near "SELEC": syntax error'), OperationalError),
        wrapped(asyncpg.exceptions.PostgresSyntaxError("syntax error"), ProgrammingError),
        wrapped(asyncpg.exceptions.InsufficientPrivilegeError("permission denied")),
        ValueError("a bug"),
    ],
)
def test_a_bug_is_not_disguised_as_an_outage(error: Exception) -> None:
    assert classify_error(error, read_only=False) is None


def test_translate_errors_chains_the_driver_error_and_names_it() -> None:
    original = wrapped(asyncpg.exceptions.CannotConnectNowError("the database is starting up"))

    with pytest.raises(StoreUnavailable, match="starting up") as caught:
        with translate_errors(read_only=True):
            raise original

    assert caught.value.__cause__ is original


def test_translate_errors_lets_bugs_through_unchanged() -> None:
    bug = wrapped(sqlite3.OperationalError('near "SELEC": syntax error'), OperationalError)

    with pytest.raises(OperationalError) as caught, translate_errors(read_only=False):
        raise bug

    assert caught.value is bug
