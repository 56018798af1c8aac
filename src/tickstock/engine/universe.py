"""The symbols the engine trades: the 500 market leaders, plus synthetic names beyond 500."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from tickstock.contract.limits import SYMBOL_PATTERN

TOP_500 = "market_leaders:top_500"
_SYMBOL = re.compile(SYMBOL_PATTERN)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Universe:
    """A named, ordered list of unique symbols; a symbol's index is its position."""

    name: str
    symbols: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.symbols)


def top_500() -> tuple[str, ...]:
    """The bundled list of 500 large US stocks (S&P 500 constituents)."""
    text = resources.files("tickstock.engine").joinpath("data/top_500.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def synthetic_names(count: int, taken: set[str]) -> list[str]:
    """``count`` deterministic made-up symbols (``ZAAA``, ``ZAAB`` ...) not in ``taken``."""
    names: list[str] = []
    n = 0
    while len(names) < count:
        a, rest = divmod(n, 26 * 26)
        b, c = divmod(rest, 26)
        name = "Z" + _LETTERS[a % 26] + _LETTERS[b] + _LETTERS[c] + ("" if a < 26 else str(a // 26))
        if name not in taken:
            names.append(name)
        n += 1
    return names


def load_universe(n_symbols: int = 500) -> Universe:
    """The first ``n_symbols`` leaders; more than 500 adds synthetic names after them."""
    if n_symbols < 1:
        raise ValueError("a universe needs at least one symbol")
    leaders = top_500()
    if n_symbols <= len(leaders):
        symbols = leaders[:n_symbols]
        name = TOP_500 if n_symbols == len(leaders) else f"market_leaders:top_{n_symbols}"
        return Universe(name, symbols)
    extra = synthetic_names(n_symbols - len(leaders), set(leaders))
    return Universe(f"market_leaders:top_500+synthetic_{len(extra)}", leaders + tuple(extra))


def is_valid_symbol(symbol: str) -> bool:
    return _SYMBOL.match(symbol) is not None
