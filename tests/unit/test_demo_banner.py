"""``tickstock demo`` names what its engine really runs: the synthetic day at its speed, a
replay, or a live feed (provider, host, events, symbols, universe) in real time, never a
key or a password."""

from __future__ import annotations

from pathlib import Path

from tickstock.demo_banner import engine_banner, without_password
from tickstock.settings import load_settings

SECRET = "k-7f3e-very-secret"


def banner(symbols: int | None = None, replay: Path | None = None, **settings: object) -> str:
    return engine_banner(
        load_settings(**settings), speed=26.0, start="09:25", symbols=symbols, replay=replay
    )


def test_the_synthetic_feed_is_a_simulated_day_at_the_demo_speed() -> None:
    shown = banner(feed="synthetic", universe=None, engine_symbols=500)
    assert shown == (
        "engine: simulated day from 09:25 at 26x, 500 symbols (market_leaders:top_500)"
    )
    assert "20 symbols (market_leaders:top_20)" in banner(20, feed="synthetic", universe=None)


def test_a_live_massive_feed_names_host_events_and_universe_but_no_key_nor_speed() -> None:
    shown = banner(
        feed="massive",
        massive_api_key=SECRET,
        massive_host="127.0.0.1:8765",
        massive_secure=False,
        massive_subscription="T",
        universe="dow30",
    )
    assert shown == (
        "engine: live Massive feed (trades) from ws://127.0.0.1:8765, "
        "30 symbols (dow30), in real time"
    )
    assert "simulated" not in shown and "26x" not in shown and SECRET not in shown


def test_a_live_alpaca_feed_names_its_feed_and_hides_a_password_in_its_url() -> None:
    shown = banner(
        5,
        feed="alpaca",
        alpaca_api_key="id",
        alpaca_secret_key=SECRET,
        alpaca_url=f"wss://user:{SECRET}@127.0.0.1:9000/v2/iex",
        alpaca_feed="iex",
        alpaca_subscription="bars",
        universe=None,
    )
    assert shown == (
        "engine: live Alpaca feed (iex bars) from wss://user:***@127.0.0.1:9000/v2/iex, "
        "5 symbols (market_leaders:top_5), in real time"
    )
    assert "Alpaca's own" in banner(feed="alpaca", alpaca_url=None, universe=None)


def test_an_unknown_universe_is_shown_as_such_for_the_engine_to_refuse() -> None:
    assert "unknown universe 'sp600'" in banner(feed="massive", universe="sp600")


def test_a_replay_names_its_file() -> None:
    shown = banner(replay=Path("/data/2025-03-03.csv.gz"), feed="synthetic")
    assert shown == "engine: replay of 2025-03-03.csv.gz from 09:25 at 26x"


def test_passwords_in_connection_urls_are_hidden() -> None:
    assert without_password("redis://:pw@h:6379/0") == "redis://:***@h:6379/0"
    assert without_password("sqlite+aiosqlite:///var/t.db") == "sqlite+aiosqlite:///var/t.db"
