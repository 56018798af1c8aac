"""``tickstock feed-server massive|alpaca``: a local provider server playing a recording.

For a demo without an account, and for trying the live feeds end to end:

    tickstock feed-server massive --make-recording var/massive.jsonl --symbols 500
    tickstock feed-server massive --recording var/massive.jsonl --port 8765
    TICKSTOCK_FEED=massive TICKSTOCK_MASSIVE_HOST=127.0.0.1:8765 TICKSTOCK_FEED_WARMUP_MINUTES=0 \\
        TICKSTOCK_MASSIVE_SECURE=false MASSIVE_API_KEY=x make demo
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from datetime import date
from pathlib import Path

from tickstock.engine.universe import load_universe


def register(subparsers: argparse._SubParsersAction) -> None:
    server = subparsers.add_parser(
        "feed-server", help="a local Massive or Alpaca server playing a recording (demo, tests)"
    )
    server.add_argument("provider", choices=("massive", "alpaca"))
    server.add_argument("--recording", type=Path, help="JSON-lines recording to play")
    server.add_argument(
        "--make-recording", type=Path, help="write a seeded recording here, then exit"
    )
    server.add_argument("--symbols", type=int, default=500, help="symbols of a made recording")
    server.add_argument("--minutes", type=int, default=390, help="minutes of a made recording")
    server.add_argument("--date", default="2025-03-03", help="trading day of a made recording")
    server.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1")
    server.add_argument("--pace", type=float, default=1.0, help="seconds between frames")
    server.add_argument("--key", help="the only key accepted (default: any key)")
    server.set_defaults(handler=_feed_server)


def _feed_server(args: argparse.Namespace) -> int:
    from tickstock.engine.feedserver.make import write_recording
    from tickstock.engine.feedserver.recording import load_recording

    if args.make_recording:
        symbols = list(load_universe(args.symbols).symbols)
        day = date.fromisoformat(args.date)
        write_recording(args.make_recording, args.provider, symbols, day, args.minutes)
        print(f"wrote {args.make_recording}: {args.minutes} minutes of {len(symbols)} symbols")
        return 0
    if args.recording is None:
        print("tickstock feed-server: --recording FILE (or --make-recording FILE)")
        return 2
    steps = load_recording(args.recording)
    asyncio.run(_serve(args, steps))
    return 0


async def _serve(args: argparse.Namespace, steps: list) -> None:
    from tickstock.engine.feedserver.alpaca import AlpacaServer
    from tickstock.engine.feedserver.massive import MassiveServer

    if args.provider == "massive":
        server: MassiveServer | AlpacaServer = MassiveServer(steps, api_key=args.key)
        hint = (
            f"TICKSTOCK_FEED=massive TICKSTOCK_MASSIVE_HOST=127.0.0.1:{args.port} "
            "TICKSTOCK_MASSIVE_SECURE=false TICKSTOCK_FEED_WARMUP_MINUTES=0 "
            "MASSIVE_API_KEY=x make demo"
        )
    else:
        server = AlpacaServer(steps, key=args.key, secret=None)
        hint = (
            f"TICKSTOCK_FEED=alpaca TICKSTOCK_ALPACA_URL=ws://127.0.0.1:{args.port}/v2/iex "
            "TICKSTOCK_FEED_WARMUP_MINUTES=0 ALPACA_API_KEY=x ALPACA_SECRET_KEY=y make demo"
        )
    server.pace = args.pace
    await server.start(args.port)
    print(f"{args.provider} feed server on 127.0.0.1:{args.port}, {len(steps)} steps; try:")
    print(f"  {hint}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.close()
