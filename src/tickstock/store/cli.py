"""``tickstock db``: apply migrations or show the database's revision."""

from __future__ import annotations

import argparse

from tickstock.settings import load_settings
from tickstock.store.database import async_url
from tickstock.store.migrations import current_revision, upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="database migrations")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, handler, text in (
        ("upgrade", _upgrade, "create or migrate every table to the newest revision"),
        ("current", _current, "print the revision the database is at"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--url", help="database URL (default: DATABASE_URL)")
        action.set_defaults(handler=handler)


def _url(args: argparse.Namespace) -> str:
    return args.url or load_settings().database_url


def _upgrade(args: argparse.Namespace) -> int:
    url = _url(args)
    revision = upgrade(url)
    print(f"database {async_url(url).render_as_string(hide_password=True)} at revision {revision}")
    return 0


def _current(args: argparse.Namespace) -> int:
    print(current_revision(_url(args)) or "(empty: run `tickstock db upgrade`)")
    return 0
