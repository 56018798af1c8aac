"""``tickstock config``: show the effective settings or regenerate docs/configuration.md."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from pydantic import AliasChoices, SecretStr

from tickstock.settings import Settings, load_settings
from tickstock.settings_docs import settings_table_markdown


def register(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help="show settings or write their documentation")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print the effective settings (secrets hidden)")
    show.set_defaults(handler=_show)
    docs = actions.add_parser("docs", help="write the settings table (docs/configuration.md)")
    docs.add_argument("--out", type=Path, default=Path("docs/configuration.md"))
    docs.set_defaults(handler=_docs)


def _show(args: argparse.Namespace) -> int:
    settings = load_settings()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        variable = alias.choices[0] if isinstance(alias, AliasChoices) else name.upper()
        print(f"{variable} = {_shown(getattr(settings, name))}")
    return 0


#: ``scheme://user:PASSWORD@host`` and ``?password=...`` in connection URLs.
_URL_PASSWORD = re.compile(r"(?<=://)([^/:@]*):[^@/]*@")
_QUERY_PASSWORD = re.compile(r"(?i)((?:password|pass|pwd)=)[^&]*")


def _shown(value: object) -> str:
    """The value as written in .env, with secrets and passwords inside URLs hidden."""
    if value is None:
        return "(unset)"
    if isinstance(value, SecretStr):
        return "(set, hidden)" if value.get_secret_value() else "(unset)"
    if isinstance(value, bool | list):  # as they are written in the environment
        return json.dumps(value)
    text = str(value)
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1:***@", text))


def _docs(args: argparse.Namespace) -> int:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(settings_table_markdown(), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0
