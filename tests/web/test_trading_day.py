"""The plan's manual scenarios, automated: a trading day from pre-market to the close."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from tests.web.dashboard import (
    EVENT_TIMEOUT,
    empty_text,
    field,
    metric,
    open_dashboard,
    rows,
)
from tests.web.market import MarketFeed
from tests.web.served_app import ServedApp

GREEN = {"rgb(17, 99, 41)"}  # --ok in the light theme


def test_pre_market_shows_no_session_zero_metrics_and_waiting_for_data(
    page: Page, live: ServedApp
) -> None:
    open_dashboard(page, live)
    expect(field(page, "session", "status")).to_have_text("No session yet")
    for name in ("activeSymbols", "eventsPerSecond", "patternsDetected", "indicatorAlerts"):
        expect(metric(page, name)).to_have_text("0")
    expect(field(page, "health", "message")).to_have_text("Waiting for streaming data")
    expect(empty_text(page, "patterns")).to_contain_text("no streaming session has started")
    expect(rows(page, "patterns")).to_have_count(0)


def test_market_open_lights_the_session_and_shows_first_patterns(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started(symbols=500)
    expect(field(page, "session", "status")).to_have_text("Session active", timeout=EVENT_TIMEOUT)
    dot = field(page, "session", "dot")
    expect(dot).to_have_class(re.compile(r"\bis-active\b"))
    assert dot.evaluate("el => getComputedStyle(el).backgroundColor") in GREEN
    expect(field(page, "session", "universe")).to_have_text("market_leaders:top_500")
    feed.health(minute=0.5, active_symbols=485)
    expect(metric(page, "activeSymbols")).to_have_text("485", timeout=EVENT_TIMEOUT)
    for minute, symbol in enumerate(["NVDA", "AAPL", "TSLA"], start=1):
        feed.pattern(symbol, minute, confidence=0.7)
    expect(rows(page, "patterns")).to_have_count(3, timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns").first.locator(".sym")).to_have_text("TSLA")
    expect(metric(page, "patternsDetected")).to_have_text("3", timeout=EVENT_TIMEOUT)
    expect(metric(page, "eventsPerSecond")).not_to_have_text("0", timeout=EVENT_TIMEOUT)


def test_high_confidence_badge_only_on_detections_at_or_above_80_percent(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.pattern("LOW", 1, confidence=0.32)
    feed.pattern("HIGH", 2, confidence=0.85)
    expect(rows(page, "patterns")).to_have_count(2, timeout=EVENT_TIMEOUT)
    high, low = rows(page, "patterns").nth(0), rows(page, "patterns").nth(1)
    expect(low.locator(".conf-text")).to_have_text("32%")
    expect(low.locator(".badge-high")).to_be_hidden()
    expect(high.locator(".badge-high")).to_be_visible()


def test_session_duration_follows_the_accelerated_stream_clock(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.health(minute=12.5)
    expect(field(page, "session", "duration")).to_have_text(
        re.compile(r"^12m 3\ds$"), timeout=EVENT_TIMEOUT
    )


def test_during_the_session_alerts_health_and_indicators_update(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.health(minute=1)
    expect(field(page, "health", "badge")).to_have_text("healthy", timeout=EVENT_TIMEOUT)
    feed.indicator("TSLA", 1, "RSI", 72.5)
    feed.indicator(
        "NVDA", 1, "MACD", 0.42, values={"macd": 0.42, "signal": 0.31, "histogram": 0.11}
    )
    feed.indicator("AAPL", 1, "BB", 101.0, values={"upper": 104.2, "middle": 101.0, "lower": 97.8})
    indicators = rows(page, "indicators")
    expect(indicators).to_have_count(3, timeout=EVENT_TIMEOUT)
    expect(page.locator('[data-panel="indicators"]')).not_to_contain_text("{}")
    expect(page.locator('[data-panel="indicators"]')).not_to_contain_text("[object Object]")
    macd = indicators.filter(has_text="MACD")
    expect(macd).to_contain_text("0.42")
    expect(macd).to_contain_text("0.31")
    bb = indicators.filter(has_text="BB")
    expect(bb).to_contain_text("104.20")
    expect(bb).to_contain_text("97.80")
    feed.alert("AAPL", 2, "RSI_OVERBOUGHT", value=75.2, threshold=70)
    feed.alert("MSFT", 3, "BB_LOWER_BREAK", indicator="BB", value=97.0, threshold=97.8)
    expect(rows(page, "alerts")).to_have_count(2, timeout=EVENT_TIMEOUT)
    expect(rows(page, "alerts").first).to_contain_text("MSFT")
    expect(metric(page, "indicatorAlerts")).to_have_text("2", timeout=EVENT_TIMEOUT)


def test_refresh_button_and_auto_refresh_timer_call_the_status_api(page: Page, serve) -> None:
    app = serve(STREAMING_REFRESH_INTERVAL="1")
    open_dashboard(page, app)
    app.feed.session_started()  # the producer stores nothing: the status API has no session
    expect(field(page, "session", "status")).to_have_text("Session active", timeout=EVENT_TIMEOUT)
    status_calls: list[str] = []
    page.on(
        "request",
        lambda r: status_calls.append(r.url) if "/api/streaming/status" in r.url else None,
    )
    expect(page.locator('[data-control="refresh-info"]')).to_have_text(
        re.compile("Auto-refresh every 1s|Updated"), timeout=EVENT_TIMEOUT
    )
    with page.expect_request(lambda r: "/api/streaming/status" in r.url, timeout=EVENT_TIMEOUT):
        pass  # the timer fires by itself
    before = len(status_calls)
    with page.expect_request(lambda r: "/api/streaming/status" in r.url, timeout=EVENT_TIMEOUT):
        page.get_by_role("button", name="Refresh").click()
    assert len(status_calls) > before
    expect(page.locator('[data-control="refresh-info"]')).to_have_text(
        re.compile(r"^Updated \d"), timeout=EVENT_TIMEOUT
    )
    expect(field(page, "session", "status")).to_have_text("Session active")


def test_market_close_shows_final_counts_and_session_stopped(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.health(minute=1)
    feed.pattern("NVDA", 1)
    expect(rows(page, "patterns")).to_have_count(1, timeout=EVENT_TIMEOUT)
    feed.session_stopped(minute=390, patterns=1250, indicators=45000)
    expect(field(page, "session", "status")).to_have_text("Session stopped", timeout=EVENT_TIMEOUT)
    expect(field(page, "session", "dot")).to_have_class(re.compile(r"\bis-stopped\b"))
    expect(field(page, "session", "final")).to_be_visible()
    expect(field(page, "session", "totalPatterns")).to_have_text("1,250")
    expect(field(page, "session", "totalIndicators")).to_have_text("45,000")
    expect(field(page, "session", "duration")).to_have_text("6h 30m 00s")
    expect(field(page, "health", "message")).to_have_text("Session Stopped")
    expect(rows(page, "patterns")).to_have_count(1)


def test_page_loads_every_resource_and_logs_no_error(page: Page, live: ServedApp) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    open_dashboard(page, live)
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", "/favicon.svg")
    icon = page.request.get(f"{live.url}/favicon.svg")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert not failed, failed
