"""Screenshots of the dashboard for the docs: ``python -m tests.web.screenshots``.

Runs ``tickstock demo`` (private Redis, engine at 60x, app), lets a simulated session fill
the panels, then captures, in light and dark: the Live Streaming section, the market grid,
a symbol page, a symbol chart, the pattern history and the critical-alert banner, into
``docs/screenshots/``.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import tempfile
import threading
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect, sync_playwright
from tests.demo_process import start_demo
from tests.servers import free_port, wait_until
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.web.market import MarketFeed

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"


class Demo:
    """``tickstock demo`` in its own process group; ``url`` and ``redis_url`` once running."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.proc = start_demo(port, workdir, speed=60, symbols=50)
        self.url = f"http://127.0.0.1:{port}"
        self.redis_url: str | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            found = re.search(r"Redis (redis://\S+)", line)
            if found:
                self.redis_url = found.group(1)

    def patterns(self) -> int:
        try:
            body = httpx.get(f"{self.url}/api/streaming/status", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return 0
        return int(body.get("app", {}).get("metrics", {}).get("patterns_detected", 0))

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)
        self.proc.wait(30)


def capture(page: Page, url: str, theme: str, demo: Demo) -> None:
    page.goto(f"{url}/#/settings")
    page.select_option("#theme-select", theme)
    page.goto(f"{url}/#/streaming")
    expect(page.locator('[data-panel="alerts"] ol.stream > li').first).to_be_visible(timeout=60_000)
    # a row clicked: its symbol in the Chart panel beside the grid
    page.locator('[data-panel="market"] .grid-body .grid-row .c-volume').first.click()
    expect(page.locator('[data-panel="chart"] .chart-host canvas').first).to_be_visible(
        timeout=15_000
    )
    page.screenshot(path=OUT / f"streaming-{theme}.png", full_page=True)
    symbol = page.locator('[data-panel="patterns"] .sym').first.text_content()
    page.goto(f"{url}/#/market")
    expect(page.locator(".grid-body .grid-row").first).to_be_visible(timeout=15_000)
    page.locator('[data-sort="changePct"]').click()
    page.screenshot(path=OUT / f"market-{theme}.png", full_page=True)
    page.goto(f"{url}/#/symbol/{symbol}")
    expect(page.locator(".chart-host canvas").first).to_be_visible(timeout=15_000)
    page.screenshot(path=OUT / f"symbol-{theme}.png", full_page=True)
    page.goto(f"{url}/#/chart/{symbol}")
    expect(page.locator(".chart-host canvas").first).to_be_visible(timeout=15_000)
    page.screenshot(path=OUT / f"chart-{theme}.png", full_page=True)
    page.goto(f"{url}/#/history/{symbol}")
    expect(page.locator(".data-table tbody tr").first).to_be_visible(timeout=15_000)
    page.screenshot(path=OUT / f"history-{theme}.png", full_page=True)
    page.goto(f"{url}/#/streaming")
    assert demo.redis_url is not None
    feed = MarketFeed(demo.redis_url)
    feed.critical(
        minute=30,
        message="Market data WebSocket connection lost",
        component="market_data_feed",
        action_required="Check the feed credentials",
    )
    feed.close()
    expect(page.locator("#critical-banner")).to_be_visible(timeout=10_000)
    page.screenshot(
        path=OUT / f"critical-banner-{theme}.png",
        clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": 420},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-patterns", type=int, default=150, help="wait for this many first")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        demo = Demo(free_port(), Path(workdir))
        try:
            wait_until(
                lambda: demo.patterns() >= args.min_patterns, 180, "the demo to detect patterns"
            )
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for theme in ("light", "dark"):
                    page = browser.new_page(viewport=VIEWPORT)
                    capture(page, demo.url, theme, demo)
                    page.close()
                browser.close()
        finally:
            demo.stop()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
