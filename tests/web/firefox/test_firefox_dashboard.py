"""The browser suite's core scenarios in Firefox ESR (WebDriver BiDi): the page loads and
connects, a live session renders, the filters narrow the lists, the chart opens and follows
the theme, the theme persists, and markup in event text stays text and never runs."""

from __future__ import annotations

import json

import pytest
from tests.web.firefox.conftest import GuardedPage
from tests.web.market import MarketFeed
from tests.web.markup import INJECTED, PAYLOAD_IDS, PAYLOADS, publish_in_every_text_field
from tests.web.served_app import ServedApp

CONNECTION = "#connection [data-field=state]"


def field(panel: str, name: str) -> str:
    return f'[data-panel="{panel}"] [data-field="{name}"]'


def metric(name: str) -> str:
    return field("metrics", name)


def rows(panel: str) -> str:
    return f'[data-panel="{panel}"] ol.stream > li'


def open_dashboard(page: GuardedPage, app: ServedApp, route: str = "#/streaming") -> None:
    assert page.goto(f"{app.url}/{route}") == 200
    page.wait_text(CONNECTION, "Connected")


def test_the_dashboard_loads_every_resource_connects_and_logs_no_error(
    ff_page: GuardedPage, live: ServedApp
) -> None:
    open_dashboard(ff_page, live)
    assert ff_page.evaluate("() => document.title") == "TickStock Live"
    assert ff_page.evaluate(
        "() => document.querySelector('link[rel=icon]').getAttribute('href')"
    ) == ("/favicon.svg")
    ff_page.wait_text(field("session", "status"), "No session yet")
    for name in ("activeSymbols", "patternsDetected", "indicatorAlerts"):
        assert ff_page.text(metric(name)) == "0"
    assert ff_page.problems() == []


def test_a_live_session_renders_patterns_indicators_alerts_and_metrics(
    ff_page: GuardedPage, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(ff_page, live)
    feed.session_started(symbols=500)
    ff_page.wait_text(field("session", "status"), "Session active")
    assert ff_page.text(field("session", "universe")) == "market_leaders:top_500"
    feed.health(minute=0.5, active_symbols=485)
    ff_page.wait_text(metric("activeSymbols"), "485")
    ff_page.wait_text(field("health", "badge"), "healthy")
    for minute, symbol in enumerate(["NVDA", "AAPL", "TSLA"], start=1):
        feed.pattern(symbol, minute, confidence=0.7 + minute / 100)
    ff_page.wait_texts(f"{rows('patterns')} .sym", ["TSLA", "AAPL", "NVDA"])
    assert ff_page.texts(f"{rows('patterns')} .conf-text") == ["73%", "72%", "71%"]
    ff_page.wait_text(metric("patternsDetected"), "3")
    feed.indicator(
        "NVDA", 4, "MACD", 0.42, values={"macd": 0.42, "signal": 0.31, "histogram": 0.11}
    )
    ff_page.wait_count(rows("indicators"), 1)
    macd = ff_page.text(rows("indicators")) or ""
    assert "MACD" in macd and "0.42" in macd and "0.31" in macd
    feed.alert("AAPL", 5, "RSI_OVERBOUGHT", value=75.2, threshold=70)
    ff_page.wait_count(rows("alerts"), 1)
    assert "AAPL" in (ff_page.text(rows("alerts")) or "")
    ff_page.wait_text(metric("indicatorAlerts"), "1")
    feed.session_stopped(minute=390, patterns=1250, indicators=45000)
    ff_page.wait_text(field("session", "status"), "Session stopped")
    assert ff_page.text(field("session", "totalPatterns")) == "1,250"
    assert ff_page.text(field("session", "duration")) == "6h 30m 00s"


def test_filters_narrow_the_lists_and_clearing_them_shows_everything_again(
    ff_page: GuardedPage, live: ServedApp, feed: MarketFeed
) -> None:
    """A filter also looks for the session's stored matches; the scripted producer stores
    nothing, so the lists hold the live matches alone, and no request fails on the way."""
    open_dashboard(ff_page, live)
    feed.session_started()
    feed.pattern("NVDA", 1, confidence=0.9, pattern_type="Doji")
    feed.pattern("AAPL", 2, confidence=0.5, pattern_type="Hammer")
    feed.pattern("NVDS", 3, confidence=0.6, pattern_type="Engulfing")
    feed.alert("NVDA", 4, "RSI_OVERBOUGHT")
    feed.alert("MSFT", 5, "BB_LOWER_BREAK", indicator="BB", value=97.0, threshold=97.8)
    patterns, alerts = f"{rows('patterns')} .sym", rows("alerts")
    ff_page.wait_texts(patterns, ["NVDS", "AAPL", "NVDA"])
    ff_page.wait_count(alerts, 2)

    ff_page.fill('[data-filter="symbol"]', "nvd")
    ff_page.wait_texts(patterns, ["NVDS", "NVDA"])
    ff_page.wait_count(alerts, 1)
    ff_page.wait_text(
        '[data-control="match-count"]',
        "2 patterns, 1 alerts match (live only): history not available for this session",
    )
    ff_page.fill('[data-filter="minConfidence"]', "80")
    ff_page.wait_texts(patterns, ["NVDA"])
    ff_page.fill('[data-filter="symbol"]', "")
    ff_page.fill('[data-filter="minConfidence"]', "0")
    ff_page.fill('[data-filter="patternType"]', "hammer")
    ff_page.wait_texts(patterns, ["AAPL"])
    ff_page.select('[data-filter="alertType"]', "BB_LOWER_BREAK")
    ff_page.wait_count(alerts, 1)
    assert "MSFT" in (ff_page.text(alerts) or "")
    ff_page.fill('[data-filter="patternType"]', "")
    ff_page.select('[data-filter="alertType"]', "")
    ff_page.wait_texts(patterns, ["NVDS", "AAPL", "NVDA"])
    ff_page.wait_count(alerts, 2)
    # Filtering hides rows; it never drops an event from the counts.
    assert ff_page.text(metric("patternsDetected")) == "3"
    assert ff_page.problems() == []


BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"


def test_the_theme_switches_between_dark_and_light_and_persists_after_a_reload(
    ff_page: GuardedPage, live: ServedApp
) -> None:
    open_dashboard(ff_page, live)
    ff_page.select("#theme-select", "light")
    ff_page.wait_attribute("html", "data-theme", "light")
    light = ff_page.evaluate(BACKGROUND)
    ff_page.select("#theme-select", "dark")
    ff_page.wait_attribute("html", "data-theme", "dark")
    dark = ff_page.evaluate(BACKGROUND)
    assert dark == "rgb(13, 17, 23)" and light != dark
    ff_page.reload()
    ff_page.wait_attribute("html", "data-theme", "dark")
    assert ff_page.evaluate(BACKGROUND) == dark
    assert ff_page.evaluate("() => document.querySelector('#theme-select').value") == "dark"


CORNER_IS = """(rgb) => {
    const canvas = document.querySelector('.chart-host canvas');
    if (!canvas) return false;
    const pixel = canvas.getContext('2d').getImageData(2, 2, 1, 1).data.slice(0, 3);
    return Array.from(pixel).join(',') === rgb;
}"""


def test_a_pattern_opens_its_chart_which_follows_a_theme_switch(
    ff_page: GuardedPage, live: ServedApp, feed: MarketFeed
) -> None:
    """NVDA has no bar stored in this database: the chart still opens, waiting for live
    bars (the API answers 404 for its bars and stored patterns)."""
    ff_page.allow(r"HTTP 404 .*/api/streaming/(ohlcv|patterns)/NVDA")
    open_dashboard(ff_page, live)
    feed.session_started()
    feed.pattern("NVDA", 1, confidence=0.9)
    ff_page.wait_texts(f"{rows('patterns')} .sym", ["NVDA"])
    ff_page.click(f"{rows('patterns')} .sym")
    ff_page.wait_for("() => location.hash === '#/chart/NVDA'")
    ff_page.wait_for(
        "() => { const c = document.querySelector('.chart-host canvas'); return !!c && c.width > 0; }"
    )
    ff_page.wait_for(
        "() => document.querySelector('#main').textContent.includes('waiting for live bars')"
    )
    ff_page.select("#theme-select", "light")
    ff_page.wait_for(CORNER_IS, "255,255,255")
    ff_page.select("#theme-select", "dark")
    ff_page.wait_for(CORNER_IS, "17,22,29")


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_markup_in_every_text_field_shows_literally_and_never_runs(
    ff_page: GuardedPage, live: ServedApp, payload: str
) -> None:
    open_dashboard(ff_page, live)
    publish_in_every_text_field(live.feed, payload)

    ff_page.wait_text(field("session", "universe"), payload)
    ff_page.wait_text(f"{rows('patterns')} .ptype", payload)
    ff_page.wait_text(f"{rows('indicators')} .iname", payload)
    ff_page.wait_for(
        "([s, p]) => (document.querySelector(s)?.textContent ?? '').includes(p)",
        [rows("alerts"), payload],
    )
    ff_page.wait_texts('[data-panel="health"] .issues li', [payload, f"lag {payload}"])
    ff_page.wait_text("#critical-banner [data-field=message]", payload)
    assert ff_page.text("#critical-banner [data-field=component]") == payload
    assert ff_page.text("#critical-banner [data-field=action]") == f"Action: {payload}"

    ff_page.click(f"{rows('indicators')} .json-btn")
    ff_page.wait_for(
        "() => (document.querySelector('#json-text')?.textContent ?? '').includes('\"note\"')"
    )
    assert f'"note": {json.dumps(payload)}' in (ff_page.text("#json-text") or "")

    assert ff_page.evaluate("() => window.__xss ?? null") is None
    assert ff_page.evaluate(INJECTED) == []
