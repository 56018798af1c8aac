"""The engine's universe: the bundled 500 leaders in order, fewer on request, and
deterministic synthetic names beyond 500 that never collide with a leader and are all
valid contract symbols; named universes (the Dow 30, a Nasdaq-100) shipped as lists."""

from __future__ import annotations

import pytest

from tickstock.engine.universe import (
    TOP_500,
    is_valid_symbol,
    load_universe,
    named_universe,
    synthetic_names,
    top_500,
    universe_names,
)


def test_the_bundled_list_holds_500_unique_valid_symbols() -> None:
    leaders = top_500()
    assert len(leaders) == 500
    assert len(set(leaders)) == 500
    assert all(is_valid_symbol(s) for s in leaders)
    assert {"AAPL", "MSFT", "NVDA"} <= set(leaders)


def test_500_symbols_is_the_top_500_universe() -> None:
    universe = load_universe(500)
    assert universe.name == TOP_500
    assert universe.symbols == top_500()
    assert len(universe) == 500


def test_fewer_symbols_are_the_first_leaders_in_order() -> None:
    universe = load_universe(20)
    assert universe.name == "market_leaders:top_20"
    assert universe.symbols == top_500()[:20]


def test_more_than_500_adds_synthetic_names_after_the_leaders() -> None:
    universe = load_universe(650)
    assert universe.name == "market_leaders:top_500+synthetic_150"
    assert universe.symbols[:500] == top_500()
    extra = universe.symbols[500:]
    assert len(extra) == 150
    assert len(set(universe.symbols)) == 650
    assert all(s.startswith("Z") and is_valid_symbol(s) for s in extra)
    assert extra[:3] == ("ZAAA", "ZAAB", "ZAAC")


def test_synthetic_names_are_deterministic_and_skip_taken_ones() -> None:
    assert synthetic_names(3, set()) == ["ZAAA", "ZAAB", "ZAAC"]
    assert synthetic_names(3, {"ZAAA", "ZAAC"}) == ["ZAAB", "ZAAD", "ZAAE"]
    assert synthetic_names(0, set()) == []


def test_beyond_the_three_letter_space_names_get_a_number_and_stay_unique() -> None:
    count = 26**3 + 30
    names = synthetic_names(count, set())
    assert len(set(names)) == count
    assert names[26**3 - 1] == "ZZZZ"
    assert names[26**3] == "ZAAA1"
    assert all(is_valid_symbol(n) for n in names)


def test_a_universe_needs_at_least_one_symbol() -> None:
    with pytest.raises(ValueError, match="at least one symbol"):
        load_universe(0)


@pytest.mark.parametrize("symbol", ["A", "NVDA", "BRK.B", "BF-B", "ABCDEFGHIJ"])
def test_valid_symbols(symbol: str) -> None:
    assert is_valid_symbol(symbol)


@pytest.mark.parametrize("symbol", ["", "nvda", "1ABC", "ABCDEFGHIJK", "<b>", "NV DA"])
def test_invalid_symbols(symbol: str) -> None:
    assert not is_valid_symbol(symbol)


@pytest.mark.parametrize(
    ("name", "size", "member"),
    [(TOP_500, 500, "AAPL"), ("dow30", 30, "JPM"), ("nasdaq100", 101, "GOOGL")],
)
def test_the_shipped_named_universes_are_valid_unique_ticker_lists(
    name: str, size: int, member: str
) -> None:
    universe = named_universe(name)
    assert universe.name == name
    assert len(universe) == size
    assert len(set(universe.symbols)) == size
    assert all(is_valid_symbol(s) for s in universe.symbols)
    assert member in universe.symbols


def test_the_top_500_by_name_is_the_default_universe() -> None:
    assert named_universe(TOP_500) == load_universe(500)


def test_the_first_n_leaders_have_a_name_too() -> None:
    assert named_universe("market_leaders:top_20") == load_universe(20)


@pytest.mark.parametrize(
    "name", ["sp600", "", "market_leaders:top_0", "market_leaders:top_501", "DOW30"]
)
def test_an_unknown_name_lists_the_valid_ones(name: str) -> None:
    with pytest.raises(ValueError, match="unknown universe") as raised:
        named_universe(name)
    for valid in ("market_leaders:top_500", "dow30", "nasdaq100", "market_leaders:top_N"):
        assert valid in str(raised.value)
    assert set(universe_names()) >= {"market_leaders:top_500", "dow30", "nasdaq100"}
