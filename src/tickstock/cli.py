"""``tickstock`` command line: one sub-command family per part of the system.

Each part registers its own sub-commands (``register(subparsers)`` in its ``cli`` module),
so this file only wires them together. Exit codes: 0 ok, 1 failure, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tickstock.errors import TickStockError

#: Modules that contribute sub-commands, in help order.
COMMAND_MODULES = (
    "tickstock.demo",
    "tickstock.app.cli",
    "tickstock.engine.cli",
    "tickstock.store.cli",
    "tickstock.contract.cli",
    "tickstock.config_cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tickstock", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that part is not built yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except TickStockError as exc:
        print(f"tickstock: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
