"""``tickstock config``: show the effective settings or regenerate docs/configuration.md."""

from __future__ import annotations

import argparse
from pathlib import Path

from tickstock.settings import load_settings, settings_table_markdown


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
    for name, value in settings.model_dump().items():
        print(f"{name} = {value}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(settings_table_markdown(), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0
