"""``tickstock engine`` and ``tickstock check-producer``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from tickstock.engine.clock import parse_hhmm
from tickstock.engine.faults import parse_fault
from tickstock.errors import ConfigError

if TYPE_CHECKING:
    from tickstock.engine.config import EngineConfig
    from tickstock.engine.report import EngineReport


def register(subparsers: argparse._SubParsersAction) -> None:
    engine = subparsers.add_parser("engine", help="run the producer: feed, indicators, patterns")
    engine.add_argument(
        "--symbols", type=int, help="symbols of the synthetic universe (default 500)"
    )
    engine.add_argument("--speed", type=float, help="simulated seconds per real second")
    engine.add_argument("--start", help="simulated New York time to start at, HH:MM")
    engine.add_argument("--date", help="trading day to simulate, YYYY-MM-DD")
    engine.add_argument(
        "--catch-up",
        action="store_true",
        help="started after the open: play the session's minutes from the open at once first",
    )
    engine.add_argument("--replay", type=Path, help="CSV of 1-minute bars to replay")
    engine.add_argument(
        "--feed",
        choices=("synthetic", "replay", "massive", "alpaca"),
        help="market data source (default TICKSTOCK_FEED; keys only from the environment)",
    )
    chosen = engine.add_mutually_exclusive_group()
    chosen.add_argument(
        "--symbols-file", type=Path, help="live feeds: the symbols, one a line (default: top N)"
    )
    chosen.add_argument(
        "--universe", help="symbols by name: market_leaders:top_500, dow30, nasdaq100 ..."
    )
    engine.add_argument(
        "--skip-bad-rows", action="store_true", help="skip (count, log) bad CSV rows"
    )
    engine.add_argument(
        "--health-interval", type=float, help="real seconds between health messages"
    )
    engine.add_argument(
        "--fault",
        action="append",
        default=[],
        help="inject a fault, e.g. feed-gap@10:45+90s (repeatable)",
    )
    engine.add_argument("--redis-url", help="Redis URL (default REDIS_URL)")
    engine.add_argument("--database-url", help="database URL (default DATABASE_URL)")
    engine.add_argument("--seed", type=int, help="seed of the synthetic feed")
    engine.add_argument(
        "--days", type=int, default=0, help="trading days to run (0 = until stopped)"
    )
    engine.add_argument(
        "--until-close", action="store_true", help="stop after the first session closes"
    )
    engine.add_argument(
        "--whole-bars", action="store_true", help="the feed emits whole bars (fast)"
    )
    engine.add_argument("--tick-rate", type=float, default=1.0, help="ticks per symbol per second")
    engine.set_defaults(handler=_engine)

    check = subparsers.add_parser(
        "check-producer", help="validate what a producer publishes on the 8 channels"
    )
    check.add_argument("--duration", type=float, required=True, help="seconds to listen")
    check.add_argument("--redis-url", help="Redis URL (default REDIS_URL)")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(handler=_check_producer)

    from tickstock.engine.feedserver.serve import register as register_feed_server

    register_feed_server(subparsers)


def _usage(message: str) -> int:
    print(f"tickstock engine: {message}", file=sys.stderr)
    return 2


def _engine(args: argparse.Namespace) -> int:
    from tickstock.engine.config import EngineConfig
    from tickstock.settings import get_settings

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        faults = tuple(parse_fault(f) for f in args.fault)
        start = parse_hhmm(args.start) if args.start else None
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError as exc:
        return _usage(str(exc))
    if args.days < 0:
        return _usage("--days must be 0 (until stopped) or more")
    feed = args.feed or ("replay" if args.replay else settings.feed)
    if feed == "replay" and args.replay is None:
        return _usage("--feed replay needs --replay FILE")
    try:
        universe = _universe_name(args, settings.universe, feed)
    except ConfigError as exc:
        return _usage(str(exc))
    live = None
    live_overrides: dict[str, float] = {}
    if feed in ("massive", "alpaca"):
        from tickstock.engine.live_config import LIVE_FEED_LOST_AFTER, live_feed_config

        try:
            live = live_feed_config(
                settings,
                feed,
                args.symbols_file,
                args.symbols or settings.engine_symbols,
                universe,
            )
        except ConfigError as exc:
            return _usage(str(exc))
        live_overrides = {"feed_lost_after": LIVE_FEED_LOST_AFTER}  # a live feed runs at speed 1
    config = EngineConfig.from_settings(
        settings,
        redis_url=args.redis_url,
        database_url=args.database_url,
        symbols=args.symbols or None,
        universe=universe,
        speed=1.0 if live else (args.speed or None),
        start=start,
        day=day,
        catch_up=args.catch_up,
        replay=args.replay,
        skip_bad_rows=args.skip_bad_rows,
        health_interval=args.health_interval or None,
        faults=faults,
        seed=args.seed,
        days=args.days,
        until_close=args.until_close,
        tick_rate=args.tick_rate,
        whole_bars=args.whole_bars,
        live=live,
        **live_overrides,
    )
    if config.speed <= 0:
        raise ConfigError("--speed", "must be positive")
    try:
        report = asyncio.run(_run_until_signal(config))
    except ConfigError as exc:  # e.g. the provider refused the key: no retry storm
        return _usage(str(exc))
    print(
        f"engine: {report.minutes} minutes, {report.published} messages published, "
        f"{len(report.sessions)} sessions, {report.dropped_messages} messages dropped"
    )
    return 0


def _universe_name(args: argparse.Namespace, setting: str | None, feed: str) -> str | None:
    """``--universe``, else ``TICKSTOCK_UNIVERSE`` unless ``--symbols N`` says otherwise;
    checked here so an unknown name stops the engine before anything starts."""
    from tickstock.engine.universe import named_universe

    if args.universe and args.symbols:
        raise ConfigError("--universe", "choose either --universe or --symbols N")
    if args.universe and feed == "replay":
        raise ConfigError("--universe", "a replay trades the symbols of its file")
    name, where = (
        (args.universe, "--universe") if args.universe else (setting, "TICKSTOCK_UNIVERSE")
    )
    if not name or args.symbols or feed == "replay":
        return None
    try:
        named_universe(name)
    except ValueError as exc:
        raise ConfigError(where, str(exc)) from None
    return name


async def _run_until_signal(config: EngineConfig) -> EngineReport:
    """Run the engine; SIGINT/SIGTERM stop it cleanly (session_stopped published)."""
    from tickstock.engine.runner import run_engine
    from tickstock.gc_policy import settle_after_start_up

    settle_after_start_up()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return await run_engine(config, stop)


def _check_producer(args: argparse.Namespace) -> int:
    from tickstock.engine.check_producer import check_producer
    from tickstock.settings import get_settings

    url = args.redis_url or get_settings().redis_url
    report = asyncio.run(check_producer(url, args.duration))
    if args.json:
        print(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        print(report.to_text())
    return 1 if report.violations else 0
