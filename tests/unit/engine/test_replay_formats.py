"""--replay reads the providers' own bar files as well as TickStock's CSV."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import orjson
import pytest

from tickstock.engine.replay_formats import load_any_replay
from tickstock.errors import FeedError

OPEN_NS = 1_741_012_200 * 10**9  # 2025-03-03 09:30 New York
MINUTE_NS = 60 * 10**9


def massive_file(path: Path, rows: list[str]) -> Path:
    text = "ticker,volume,open,close,high,low,window_start,transactions\n" + "\n".join(rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["2025-03-03.csv", "2025-03-03.csv.gz"])
def test_a_massive_flat_file_keeps_regular_hours_and_contract_symbols(
    tmp_path: Path, name: str
) -> None:
    path = massive_file(
        tmp_path / name,
        [
            f"AAPL,1200.0,240.1,240.5,240.9,240.0,{OPEN_NS},12",
            f"MSFT,800,390.0,389.5,390.2,389.1,{OPEN_NS},8",
            f"AAPL,900,240.5,240.7,240.8,240.4,{OPEN_NS + MINUTE_NS},9",
            f"AAPL,50,239.0,239.1,239.2,238.9,{OPEN_NS - 30 * MINUTE_NS},1",  # pre-market
            f"ZVV/WS,10,1.0,1.0,1.0,1.0,{OPEN_NS},1",  # not a contract symbol
        ],
    )
    data = load_any_replay(path)
    assert data.symbols == ("AAPL", "MSFT")
    assert [m.minute_start for m in data.minutes] == [1_741_012_200, 1_741_012_260]
    first = data.minutes[0]
    assert first.close.tolist() == [240.5, 389.5] and first.volume.tolist() == [1200, 800]
    assert data.minutes[1].has_bar.tolist() == [True, False]


def test_a_bad_massive_row_names_its_line(tmp_path: Path) -> None:
    path = massive_file(tmp_path / "bad.csv", [f"AAPL,100,240,239,238,241,{OPEN_NS},1"])
    with pytest.raises(FeedError, match=r"bad\.csv:2: inconsistent bar"):
        load_any_replay(path)


def test_a_second_massive_bar_for_a_minute_is_refused_or_skipped_and_counted(
    tmp_path: Path,
) -> None:
    path = massive_file(
        tmp_path / "twice.csv",
        [
            f"AAPL,1200,240.1,240.5,240.9,240.0,{OPEN_NS},12",
            f"AAPL,900,240.5,240.7,240.8,240.4,{OPEN_NS},9",  # the same minute again
            f"AAPL,100,240,239,238,241,{OPEN_NS + MINUTE_NS},1",  # inconsistent
            f"MSFT,800,390.0,389.5,390.2,389.1,{OPEN_NS},8",
        ],
    )
    with pytest.raises(FeedError, match=r"twice\.csv:3: a second bar for AAPL at 2025-03-03T14:30"):
        load_any_replay(path)
    data = load_any_replay(path, skip_bad_rows=True)
    assert data.symbols == ("AAPL", "MSFT")
    assert data.skipped_rows == 2
    assert [r.split(":")[0] for r in data.skipped_reasons] == ["line 3", "line 4"]
    assert data.minutes[0].close.tolist() == [240.5, 389.5]  # the first AAPL bar kept


def test_alpaca_bars_as_json(tmp_path: Path) -> None:
    path = tmp_path / "bars.json"
    bar = {"t": "2025-03-03T14:30:00Z", "o": 10.0, "h": 10.5, "l": 9.9, "c": 10.2, "v": 300}
    later = {**bar, "t": "2025-03-03T14:31:00Z", "c": 10.4}
    path.write_bytes(orjson.dumps({"bars": {"BRK.B": [bar, later]}, "next_page_token": None}))
    data = load_any_replay(path)
    assert data.symbols == ("BRK.B",)
    assert np.array([m.close[0] for m in data.minutes]).tolist() == [10.2, 10.4]


def test_alpaca_bars_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(
        "symbol,timestamp,open,high,low,close,volume,trade_count,vwap\n"
        "AAPL,2025-03-03 14:30:00+00:00,240.1,240.9,240.0,240.5,1200.0,12,240.4\n",
        encoding="utf-8",
    )
    data = load_any_replay(path)
    assert data.symbols == ("AAPL",) and data.minutes[0].close[0] == 240.5


def test_tickstock_csv_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ours.csv"
    path.write_text(
        "timestamp,symbol,open,high,low,close,volume\n2025-03-03T14:30:00Z,AAPL,1,2,0.5,1.5,10\n",
        encoding="utf-8",
    )
    assert load_any_replay(path).symbols == ("AAPL",)
