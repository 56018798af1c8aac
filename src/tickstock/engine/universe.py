"""The symbols the engine trades: a named universe shipped with the package (the 500
market leaders by default, the Dow 30, a Nasdaq-100), plus synthetic names beyond 500."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from tickstock.contract.limits import SYMBOL_PATTERN

TOP_500 = "market_leaders:top_500"
#: The named universes: plain ticker lists in ``engine/data`` (one a line, ``#`` comments).
NAMED_LISTS = {TOP_500: "top_500.txt", "dow30": "dow30.txt", "nasdaq100": "nasdaq100.txt"}
_TOP_N = re.compile(r"market_leaders:top_([1-9][0-9]*)")
_SYMBOL = re.compile(SYMBOL_PATTERN)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Universe:
    """A named, ordered list of unique symbols; a symbol's index is its position."""

    name: str
    symbols: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.symbols)


def _read_list(file_name: str) -> tuple[str, ...]:
    text = resources.files("tickstock.engine").joinpath(f"data/{file_name}").read_text("utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


def top_500() -> tuple[str, ...]:
    """The bundled list of 500 large US stocks (S&P 500 constituents)."""
    return _read_list(NAMED_LISTS[TOP_500])


def universe_names() -> tuple[str, ...]:
    """The names ``named_universe`` knows, as shown in an error."""
    return (*NAMED_LISTS, "market_leaders:top_N (N <= 500)")


def named_universe(name: str) -> Universe:
    """A shipped universe by name, or the first N leaders as ``market_leaders:top_N``.

    An unknown name is a ``ValueError`` that lists the valid ones, for the caller to show.
    """
    if name in NAMED_LISTS:
        return Universe(name, _read_list(NAMED_LISTS[name]))
    top_n = _TOP_N.fullmatch(name)
    if top_n and int(top_n.group(1)) <= len(top_500()):
        return load_universe(int(top_n.group(1)))
    raise ValueError(f"unknown universe {name!r}; valid names: {', '.join(universe_names())}")


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
