"""How long the engine's pure compute takes at each minute close.

For each universe size, a warmed-up engine core (every indicator ready, full pattern history)
closes ``--minutes`` minutes of synthetic ticks. Each close is timed through the whole chain the
runtime runs: bar aggregation close → indicators → alerts → patterns. Tick ingestion happens
during the minute, not at the close, so it is timed separately (per minute of ticks).

    .venv/bin/python bench/compute.py                       # 500 and 5,000 symbols
    .venv/bin/python bench/compute.py --symbols 5000 --minutes 200 --json bench/results/c.json

Budget (docs/indicators-and-patterns.md): ≤ 30 ms p99 for 5,000 symbols.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tickstock.engine.alerts import AlertRules
from tickstock.engine.bars import BarAggregator
from tickstock.engine.indicators import IndicatorBank
from tickstock.engine.patterns import PatternDetector

WARMUP_MINUTES = 40  # > MACD's 34 bars and the pattern history of 21
STAGES = ("close_minute", "indicators", "alerts", "patterns", "total")
T0 = 1_759_652_400  # 2025-10-05T08:20:00Z, a minute boundary


@dataclass
class SyntheticMarket:
    """Random-walk ticks for every symbol, a few per minute, some symbols silent."""

    n_symbols: int
    ticks_per_symbol: int
    rng: np.random.Generator

    def __post_init__(self) -> None:
        self.price = self.rng.uniform(20, 500, self.n_symbols)

    def minute_of_ticks(
        self, minute_start: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        n = self.n_symbols * self.ticks_per_symbol
        idx = self.rng.integers(0, self.n_symbols, n)
        steps = self.rng.normal(0, 0.002, n) * self.price[idx]
        price = np.maximum(self.price[idx] + steps, 0.01)
        self.price[idx] = price  # last-writer drift keeps the walk moving
        size = self.rng.integers(1, 1_000, n).astype(np.float64)
        ts = minute_start + self.rng.uniform(0, 60, n)
        return idx, price, size, ts


def percentile_ms(samples_ns: list[int], q: float) -> float:
    return float(np.percentile(np.array(samples_ns) / 1e6, q))


def run(n_symbols: int, minutes: int, ticks_per_symbol: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    market = SyntheticMarket(n_symbols, ticks_per_symbol, rng)
    aggregator = BarAggregator([f"S{i:05d}" for i in range(n_symbols)])
    bank, rules, detector = (
        IndicatorBank(n_symbols),
        AlertRules(n_symbols),
        PatternDetector(n_symbols),
    )
    timings: dict[str, list[int]] = {stage: [] for stage in STAGES}
    ingest_ns: list[int] = []
    n_alerts = n_detections = 0

    for m in range(WARMUP_MINUTES + minutes):
        minute = T0 + 60 * m
        ticks = market.minute_of_ticks(minute)
        start = time.perf_counter_ns()
        aggregator.add_ticks(*ticks)
        ingest_ns.append(time.perf_counter_ns() - start)

        t0 = time.perf_counter_ns()
        bars = aggregator.close_minute(minute)
        t1 = time.perf_counter_ns()
        snapshot = bank.update(bars.close, bars.has_bar)
        t2 = time.perf_counter_ns()
        alerts = rules.evaluate(snapshot, bars.close, bars.has_bar)
        t3 = time.perf_counter_ns()
        detections = detector.detect(bars)
        t4 = time.perf_counter_ns()

        if m >= WARMUP_MINUTES:
            for stage, ns in zip(
                STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True
            ):
                timings[stage].append(ns)
            n_alerts += len(alerts)
            n_detections += len(detections)

    return {
        "symbols": n_symbols,
        "minute_closes": minutes,
        "ticks_per_minute": n_symbols * ticks_per_symbol,
        "p50_ms": {s: round(percentile_ms(v, 50), 3) for s, v in timings.items()},
        "p99_ms": {s: round(percentile_ms(v, 99), 3) for s, v in timings.items()},
        "ingest_p50_ms": round(percentile_ms(ingest_ns[WARMUP_MINUTES:], 50), 3),
        "alerts_per_minute": round(n_alerts / minutes, 1),
        "detections_per_minute": round(n_detections / minutes, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbols", type=int, nargs="+", default=[500, 5_000])
    parser.add_argument("--minutes", type=int, default=100, help="timed minute closes (≥ 50)")
    parser.add_argument("--ticks-per-symbol", type=int, default=4, help="ticks per symbol-minute")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if args.minutes < 50:
        parser.error("--minutes must be at least 50 for a meaningful p99")

    results = [run(n, args.minutes, args.ticks_per_symbol, args.seed) for n in args.symbols]
    for r in results:
        p50, p99 = r["p50_ms"], r["p99_ms"]
        assert isinstance(p50, dict) and isinstance(p99, dict)
        print(
            f"{r['symbols']:>6} symbols, {r['minute_closes']} closes: "
            f"total p50 {p50['total']:.2f} ms  p99 {p99['total']:.2f} ms  "
            f"(bars {p50['close_minute']:.2f}, indicators {p50['indicators']:.2f}, "
            f"alerts {p50['alerts']:.2f}, patterns {p50['patterns']:.2f} ms p50); "
            f"ingest {r['ingest_p50_ms']:.2f} ms/minute of {r['ticks_per_minute']} ticks; "
            f"{r['alerts_per_minute']} alerts, {r['detections_per_minute']} patterns per minute"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {"machine": platform.platform(), "python": platform.python_version()}
        args.json.write_text(json.dumps({**report, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
