"""Browser benchmark of the market grid: the Live page with 5,000 symbols, the bars channel
(5,000 closed bars a minute, every symbol's forming bar once a second) and detections,
indicators and alerts at 500 and 2,000 events/s (``bench/browser.py``'s publisher).

Measured in headless Chromium (Debian's, as the browser tests): event → next frame (the
scheduler's own latency samples), long tasks (PerformanceObserver), the JS heap over the
run, and how long a sort of the 5,000 rows takes to repaint (click on a column header →
the second animation frame after it). Results go to ``docs/bench/browser-grid.json``.
A minute of the simulated market lasts ``--minute-seconds`` of real time, so a short run
still sees closed bars several times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "bench")]

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.web.market import MarketFeed  # noqa: E402
from tests.web.served_app import ServedApp  # noqa: E402

from browser import PageProbe, Publisher, percentile, wait_counted  # noqa: E402
from tickstock.contract import MAX_BARS_BATCH, Channel  # noqa: E402
from tickstock.store.migrations import upgrade  # noqa: E402
from trace_tasks import invalidations, load, long_tasks, main_thread_cpu  # noqa: E402

OUT = ROOT / "docs" / "bench" / "browser-grid.json"
VIEWPORT = {"width": 1440, "height": 900}
RATES = (500, 2000)

LONGTASKS = """
(() => {
  const b = window.__bench = { longtasks: [], frames: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longtasks.push(e.duration);
  }).observe({ type: "longtask", buffered: true });
  // Long animation frames over 50 ms, with what ran in them (the long tasks' attribution).
  const end = (e, at) => (at ? Math.round(e.startTime + e.duration - at) : 0);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration <= 50) continue;
      b.frames.push({
        duration: Math.round(e.duration),
        blocking: Math.round(e.blockingDuration),
        style_layout_ms: end(e, e.styleAndLayoutStart),
        scripts: e.scripts.map((s) => ({
          invoker: s.invoker,
          fn: s.sourceFunctionName,
          at: `${s.sourceURL.split("/").pop()}:${s.sourceCharPosition}`,
          ms: Math.round(s.duration),
          forced_layout_ms: Math.round(s.forcedStyleAndLayoutDuration),
        })),
      });
    }
  }).observe({ type: "long-animation-frame", buffered: true });
})();
"""


#: The timeline, V8 (GC), and (``--invalidations``, costly) what invalidated style and layout.
TRACE_CATEGORIES = ["devtools.timeline", "v8", "toplevel"]
INVALIDATIONS = "disabled-by-default-devtools.timeline.invalidationTracking"


def profile_summary(profile: dict[str, Any], top: int = 15) -> list[dict[str, Any]]:
    """A CDP CPU profile's self time per function (``(garbage collector)`` included)."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_us: dict[int, float] = {}
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        self_us[node_id] = self_us.get(node_id, 0.0) + delta
    by_function: dict[str, float] = {}
    for node_id, us in self_us.items():
        frame = nodes[node_id]["callFrame"]
        name = frame["functionName"] or "(anonymous)"
        where = frame["url"].rsplit("/", 1)[-1]
        label = f"{name} {where}:{frame['lineNumber'] + 1}" if where else name
        by_function[label] = by_function.get(label, 0.0) + us
    total = sum(by_function.values()) or 1.0
    ranked = sorted(by_function.items(), key=lambda kv: -kv[1])[:top]
    return [
        {"function": k, "ms": round(v / 1000, 1), "share": round(v / total, 3)} for k, v in ranked
    ]


SORT_REPAINT = """async (key) => {
  const t = performance.now();
  document.querySelector(`[data-panel="market"] [data-sort="${key}"]`).click();
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t;
}"""


class BarsPublisher:
    """Every symbol's forming bar once a second; all closed bars once a simulated minute."""

    def __init__(self, redis_url: str, symbols: int, minute_seconds: float) -> None:
        self.client = redis.Redis.from_url(redis_url)
        self.symbols = [f"G{i:04d}" for i in range(symbols)]
        self.minute_seconds = minute_seconds
        self.minute = 0
        self.started = time.monotonic()
        self.last_forming = 0.0
        self.bars_sent = 0

    def _messages(self, closed: bool, second: float) -> list[bytes]:
        stamp = MarketFeed.at(self.minute).isoformat().replace("+00:00", "Z")
        bars = []
        for i, symbol in enumerate(self.symbols):
            base = 50 + (i % 400)
            close = round(base * (1 + 0.01 * ((i * 7 + int(second * 13)) % 21 - 10) / 10), 2)
            bars.append(
                {
                    "symbol": symbol,
                    "timestamp": stamp,
                    "open": base,
                    "high": max(base, close),
                    "low": min(base, close),
                    "close": close,
                    "volume": 1000 + i,
                    "previous_close": base,
                }
            )
        head = {"type": "streaming_bars", "timeframe": "1min", "closed": closed}
        return [
            orjson.dumps({**head, "bars": bars[b : b + MAX_BARS_BATCH]})
            for b in range(0, len(bars), MAX_BARS_BATCH)
        ]

    def tick(self) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        pipe = self.client.pipeline(transaction=False)
        if int(elapsed // self.minute_seconds) > self.minute:  # the simulated minute closed
            for payload in self._messages(True, elapsed):
                pipe.publish(Channel.BARS_STREAMING.value, payload)
            self.minute = int(elapsed // self.minute_seconds)
            self.bars_sent += len(self.symbols)
        if now - self.last_forming >= 1.0:
            self.last_forming = now
            for payload in self._messages(False, elapsed):
                pipe.publish(Channel.BARS_STREAMING.value, payload)
            self.bars_sent += len(self.symbols)
        pipe.execute()


def run(app: ServedApp, args: argparse.Namespace) -> dict[str, Any]:
    events = Publisher(app.redis_url)
    bars = BarsPublisher(app.redis_url, args.symbols, args.minute_seconds)
    events.symbols = bars.symbols[:500]
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_start": list(os.getloadavg()),
        },
        "symbols": args.symbols,
        "minute_seconds": args.minute_seconds,
        "rates": [],
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.add_init_script(LONGTASKS)
        page.goto(f"{app.url}/#/streaming")
        page.wait_for_function("() => window.__tickstock?.counters.snapshots > 0")
        app.feed.session_started(symbols=args.symbols)
        bars.tick()
        page.wait_for_function(
            f"() => document.querySelector('[data-panel=market] [data-grid=count]')"
            f".textContent.startsWith('{args.symbols:,}')",
            timeout=30_000,
        )
        probe = PageProbe(page)
        results["heap_mb_at_start"] = probe.heap_mb()

        def on_tick() -> None:
            bars.tick()
            probe.poll()

        for rate in RATES:
            probe.poll(force=True)
            page.wait_for_timeout(500)  # entries of what came before (a forced GC) arrive first
            probe.latencies.clear()
            probe.take("longtasks")
            probe.take("frames")
            if args.trace:
                browser.start_tracing(
                    page=page,
                    path=str(args.trace),
                    categories=TRACE_CATEGORIES + [INVALIDATIONS] * args.invalidations,
                )
            if args.profile:
                probe.cdp.send("Profiler.enable")
                probe.cdp.send("Profiler.setSamplingInterval", {"interval": 250})
                probe.cdp.send("Profiler.start")
            events.run(rate, args.seconds, on_tick)
            counted = wait_counted(probe, events.sent)
            probe.poll(force=True)
            longtasks = probe.take("longtasks")
            long_frames = probe.take("frames")
            cpu = probe.cdp.send("Profiler.stop")["profile"] if args.profile else None
            traced = None
            if args.trace:
                browser.stop_tracing()
                trace = load(args.trace)
                traced = {
                    "main_thread_cpu": main_thread_cpu(trace),
                    "long_tasks": long_tasks(trace),
                    "invalidated": invalidations(trace),
                }
            row = {
                "rate": rate,
                "seconds": args.seconds,
                "all_counted": all(counted[k] >= events.sent[k] for k in events.sent),
                "event_to_frame_ms": {
                    "p50": percentile(probe.latencies, 0.5),
                    "p99": percentile(probe.latencies, 0.99),
                    "max": percentile(probe.latencies, 1.0),
                    "frames": len(probe.latencies),
                },
                "longest_task_ms": round(max(longtasks), 1) if longtasks else 0,
                "tasks_over_50ms": sum(1 for t in longtasks if t > 50),
                "heap_mb": probe.heap_mb(),
            }
            if traced is not None:
                row["long_tasks_traced"] = traced
            if args.profile:
                row["long_frames"] = long_frames
                row["cpu_self_time"] = profile_summary(cpu)
            results["rates"].append(row)
            print(json.dumps(row), flush=True)
        sorts = [page.evaluate(SORT_REPAINT, key) for key in ("changePct", "volume", "last", "rsi")]
        results["sort_5000_repaint_ms"] = [round(s, 1) for s in sorts]
        heap = []
        for minute in range(1, int(args.minutes) + 1):
            events.run(500, 60, on_tick)
            heap.append({"minute": minute, "mb": probe.heap_mb()})
            print(json.dumps(heap[-1]), flush=True)
        results["heap_mb"] = heap
        results["bars_published"] = bars.bars_sent
        results["bars_applied"] = probe.counters().get("bars", 0)
        lat = {r["rate"]: r["event_to_frame_ms"]["p99"] for r in results["rates"]}
        results["targets"] = {
            "p99_event_to_frame_2000_le_33ms": lat.get(2000) is not None and lat[2000] <= 33,
            "no_long_task_over_50ms": all(r["tasks_over_50ms"] == 0 for r in results["rates"]),
            "heap_le_50mb": max([r["heap_mb"] for r in results["rates"]] + [h["mb"] for h in heap])
            <= 50,
            "sort_repaint_le_50ms": max(sorts) <= 50,
        }
        browser.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=20, help="seconds per event rate")
    parser.add_argument("--minutes", type=float, default=2, help="minutes at 500/s for the heap")
    parser.add_argument("--minute-seconds", type=float, default=10, help="real seconds per bar")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="attribute long frames (long-animation-frame scripts) and profile the CPU per rate",
    )
    parser.add_argument(
        "--trace", type=Path, help="record a Chrome trace per rate here (the last rate's stays)"
    )
    parser.add_argument(
        "--invalidations", action="store_true", help="trace what invalidated style and layout"
    )
    parser.add_argument("--no-save", action="store_true", help=f"do not overwrite {OUT.name}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(database_url)
        app = ServedApp(database_url, Path(tmp)).start()
        try:
            results = run(app, args)
        finally:
            app.close()
    text = json.dumps(results, indent=2)
    print(text)
    if not args.no_save:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text + "\n")
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
