"""Recorded real data for ``--replay``: the providers' own bar files, beside TickStock's CSV.

* **Massive flat files** (minute aggregates, CSV, optionally gzipped):
  ``ticker,volume,open,close,high,low,window_start,transactions``, ``window_start`` in
  nanoseconds since the epoch;
* **Alpaca bars as JSON**: the REST answer ``{"bars": {"AAPL": [{"t", "o", "h", "l", "c",
  "v"}, ...]}}`` (or the bare ``{"AAPL": [...]}``);
* **Alpaca bars as CSV** (alpaca-py's ``BarSet.df.to_csv()``):
  ``symbol,timestamp,open,high,low,close,volume,trade_count,vwap``.

Each row is checked by the same rules as TickStock's CSV (with its line number). Symbols
the contract cannot carry (e.g. ``BRK/B`` or test tickers) and minutes outside the NYSE's
regular hours are counted and left out: a provider's whole-market file holds many of both,
and the streaming session follows regular hours.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from tickstock.engine.clock import NEW_YORK as _NY
from tickstock.engine.clock import MarketCalendar
from tickstock.engine.feeds import (
    CSV_HEADER,
    ReplayData,
    _CheckedRows,
    load_replay,
)
from tickstock.engine.universe import is_valid_symbol
from tickstock.errors import FeedError

log = logging.getLogger(__name__)

MASSIVE_HEADER = (
    "ticker",
    "volume",
    "open",
    "close",
    "high",
    "low",
    "window_start",
    "transactions",
)
ALPACA_CSV_HEADER = ("symbol", "timestamp", "open", "high", "low", "close", "volume")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, newline="", encoding="utf-8")


def load_any_replay(path: str | Path, skip_bad_rows: bool = False) -> ReplayData:
    """TickStock's CSV, or a provider's bar file (the format is told by its header)."""
    path = Path(path)
    source = str(path)
    if path.suffix == ".json":
        return _collect(source, _alpaca_json(path), skip_bad_rows)
    try:
        with _open_text(path) as handle:
            first = handle.readline()
    except OSError as exc:
        raise FeedError(source, None, f"cannot open: {exc.strerror}") from None
    header = tuple(h.strip().lower() for h in next(csv.reader([first]), []))
    if header == MASSIVE_HEADER:
        return _collect(source, _massive_csv(path), skip_bad_rows)
    if header[: len(ALPACA_CSV_HEADER)] == ALPACA_CSV_HEADER:
        return _collect(source, _alpaca_csv(path), skip_bad_rows)
    if header == CSV_HEADER or path.suffix != ".gz":
        return load_replay(path, skip_bad_rows)
    raise FeedError(source, 1, "not a TickStock, Massive or Alpaca bar file")


def _massive_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    def cells(ticker: str, volume: str, o: str, c: str, h: str, lo: str, start: str) -> list[str]:
        try:
            stamp = _iso(int(start) / 1e9)
        except ValueError:
            stamp = start
        return [stamp, ticker, o, h, lo, c, _whole(volume)]

    return _bar_rows(path, cells)


def _alpaca_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    def cells(symbol: str, stamp: str, o: str, h: str, lo: str, c: str, volume: str) -> list[str]:
        return [stamp.replace(" ", "T"), symbol, o, h, lo, c, _whole(volume)]

    return _bar_rows(path, cells)


def _bar_rows(path: Path, to_ours: Callable[..., list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(line number, our replay cells) of a provider's CSV: its first 7 columns through
    ``to_ours``; a shorter row as it is, for ``_collect`` to report with its line."""
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            yield reader.line_num, (to_ours(*row[:7]) if len(row) >= 7 else row)


def _alpaca_json(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        data: Any = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise FeedError(str(path), None, f"not readable JSON: {exc}") from None
    bars = data.get("bars", data) if isinstance(data, dict) else None
    if not isinstance(bars, dict):
        raise FeedError(str(path), None, 'expected {"bars": {"SYMBOL": [...]}}')
    n = 0
    for symbol, rows in bars.items():
        for b in rows if isinstance(rows, list) else []:
            n += 1
            try:
                cells = [str(b["t"]), symbol, *(str(b[k]) for k in "ohlc"), _whole(str(b["v"]))]
            except (KeyError, TypeError):
                cells = [str(b)]
            yield n, cells


def _whole(volume: str) -> str:
    """Providers send volumes as floats (``1234.0``); fractional shares are rounded."""
    try:
        return str(round(float(volume)))
    except ValueError:
        return volume


def _collect(source: str, rows: Iterator[tuple[int, list[str]]], skip_bad_rows: bool) -> ReplayData:
    calendar = MarketCalendar()
    sessions: dict[Any, tuple[float, float] | None] = {}
    checked = _CheckedRows(source, skip_bad_rows)
    outside = foreign = 0
    for line, cells in rows:
        if len(cells) == 7 and not is_valid_symbol(cells[1].strip()):
            foreign += 1
            continue
        row = checked.parse(line, cells)
        if row is None:
            continue
        day = datetime.fromtimestamp(row.minute, tz=UTC).astimezone(_NY).date()
        if day not in sessions:
            trading = calendar.session_on(day)
            sessions[day] = (
                (trading.open.timestamp(), trading.close.timestamp()) if trading else None
            )
        bounds = sessions[day]
        if bounds is None or not bounds[0] <= row.minute < bounds[1]:
            outside += 1
            continue
        checked.keep(row)
    if outside or foreign or checked.skipped:
        log.warning(
            "replay %s: left out %d bars outside regular hours, %d of symbols the contract "
            "cannot carry, %d bad rows",
            source,
            outside,
            foreign,
            len(checked.skipped),
        )
    return checked.replay()
