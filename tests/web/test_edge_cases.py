"""The plan's edge cases in a real browser: bursts, empty and single-symbol sessions,
critical alerts and recovery, reloads, several tabs, themes, duplicates, env settings and
connection loss."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from tests.web.cuttable_proxy import CuttableProxy
from tests.web.dashboard import (
    EVENT_TIMEOUT,
    banner,
    connection_notice,
    connection_state,
    empty_text,
    field,
    metric,
    more_note,
    open_dashboard,
    rows,
    stats,
)
from tests.web.market import MarketFeed
from tests.web.served_app import ServedApp

from tickstock.contract import Channel

SYMBOLS = [f"S{i:03d}" for i in range(400)]


def test_burst_of_1200_patterns_in_a_minute_is_all_counted_and_the_list_stays_bounded(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    for i in range(1200):
        feed.pattern(SYMBOLS[i % 400], minute=1 + i // 400, confidence=0.5 + (i % 50) / 100)
    expect(metric(page, "patternsDetected")).to_have_text("1,200", timeout=15_000)
    assert stats(page)["patterns"] == 1200
    # The list holds the newest 50 (STREAMING_MAX_PATTERN_EVENTS); rows exist for the first
    # page, and scrolling to the end of what is shown brings the rest, page by page.
    expect(rows(page, "patterns")).to_have_count(20)
    note = more_note(page, "patterns")
    expect(note).to_have_text("20 of 50 shown · scroll for more")
    stream = page.locator('[data-panel="patterns"] ol.stream')
    stream.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(rows(page, "patterns")).to_have_count(40, timeout=EVENT_TIMEOUT)
    expect(note).to_have_text("40 of 50 shown · scroll for more")
    stream.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(rows(page, "patterns")).to_have_count(50, timeout=EVENT_TIMEOUT)
    expect(note).to_be_hidden()
    # The oldest kept: the 1,151st of 1,200 (S350 at minute 3).
    expect(rows(page, "patterns").last.locator(".sym")).to_have_text(SYMBOLS[1150 % 400])
    stream.evaluate("el => { el.scrollTop = 0; }")
    expect(rows(page, "patterns")).to_have_count(20, timeout=EVENT_TIMEOUT)


def test_session_without_patterns_says_none_detected_yet(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.health(minute=1)
    expect(empty_text(page, "patterns")).to_have_text(
        "No patterns detected yet in this session.", timeout=EVENT_TIMEOUT
    )
    expect(empty_text(page, "alerts")).to_be_visible()
    expect(rows(page, "patterns")).to_have_count(0)


def test_single_symbol_session(page: Page, live: ServedApp, feed: MarketFeed) -> None:
    open_dashboard(page, live)
    feed.session_started(symbols=1, universe="single:NVDA")
    feed.health(minute=1, active_symbols=1)
    for minute in range(1, 4):
        feed.pattern("NVDA", minute)
    expect(rows(page, "patterns")).to_have_count(3, timeout=EVENT_TIMEOUT)
    expect(field(page, "session", "symbols")).to_have_text("1")
    expect(metric(page, "activeSymbols")).to_have_text("1")
    expect(rows(page, "patterns").locator(".sym")).to_have_text(["NVDA"] * 3)


def test_critical_alert_shows_a_banner_with_severity_until_its_recovery(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    expect(banner(page)).to_be_hidden()
    feed.critical(minute=5, message="WebSocket connection lost", component="massive_websocket")
    expect(banner(page)).to_be_visible(timeout=EVENT_TIMEOUT)
    expect(banner(page)).to_have_class(re.compile(r"\bseverity-critical\b"))
    expect(banner(page).locator("[data-field=severity]")).to_have_text("CRITICAL")
    expect(banner(page)).to_contain_text("WebSocket connection lost")
    expect(banner(page)).to_contain_text("Manual intervention needed")
    feed.critical(
        minute=6, message="WebSocket reconnected", component="massive_websocket", resolved=True
    )
    expect(banner(page)).to_be_hidden(timeout=EVENT_TIMEOUT)


def test_page_opened_mid_session_shows_the_session_metrics_and_lists_at_once(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    feed.session_started(symbols=500)
    feed.health(minute=20, active_symbols=480)
    for i in range(12):
        feed.pattern(SYMBOLS[i], minute=10 + i)
    feed.alert("AAPL", 15)
    feed.indicator("TSLA", 16, "RSI", 64.0)
    feed.critical(minute=18, message="Lag above 5 s", component="pipeline", severity="error")
    # The app has seen all of it once the status API counts it; then the page opens.
    expect_status = page.request.get(f"{live.url}/api/streaming/status")
    assert expect_status.ok
    open_dashboard(page, live)
    expect(field(page, "session", "status")).to_have_text("Session active")
    expect(metric(page, "patternsDetected")).to_have_text("12")
    expect(metric(page, "activeSymbols")).to_have_text("480")
    expect(rows(page, "patterns")).to_have_count(12)
    expect(rows(page, "alerts")).to_have_count(1)
    expect(rows(page, "indicators")).to_have_count(1)
    expect(banner(page)).to_contain_text("Lag above 5 s")
    expect(field(page, "health", "badge")).to_have_text("healthy")
    page.reload()
    expect(connection_state(page)).to_have_text("Connected", timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns")).to_have_count(12)
    expect(metric(page, "patternsDetected")).to_have_text("12")


def test_two_tabs_receive_the_same_events(
    page: Page, new_page, live: ServedApp, feed: MarketFeed
) -> None:
    second = new_page()
    open_dashboard(page, live)
    open_dashboard(second, live)
    feed.session_started()
    for i in range(5):
        feed.pattern(SYMBOLS[i], minute=1 + i)
    feed.alert("AAPL", 6)
    for tab in (page, second):
        expect(rows(tab, "patterns")).to_have_count(5, timeout=EVENT_TIMEOUT)
        expect(rows(tab, "alerts")).to_have_count(1, timeout=EVENT_TIMEOUT)
    symbols = rows(page, "patterns").locator(".sym").all_text_contents()
    assert rows(second, "patterns").locator(".sym").all_text_contents() == symbols


def test_theme_switch_applies_dark_and_light_and_persists_after_reload(
    page: Page, live: ServedApp
) -> None:
    open_dashboard(page, live)
    background = "() => getComputedStyle(document.body).backgroundColor"
    page.select_option("#theme-select", "light")
    light = page.evaluate(background)
    page.select_option("#theme-select", "dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    dark = page.evaluate(background)
    assert dark != light
    assert dark == "rgb(13, 17, 23)"
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert page.evaluate(background) == dark
    expect(page.locator("#theme-select")).to_have_value("dark")


def test_an_open_chart_follows_a_theme_switch(page: Page, live: ServedApp) -> None:
    """The chart's canvas cannot read CSS variables: it must be re-coloured when switched.

    NVDA has no bar stored in this database yet: the chart still opens, waiting for live
    bars (the API's 404s are the browser's own resource log lines)."""
    page.console_allow(r"status of 404 .*/api/streaming/(ohlcv|patterns)/NVDA")  # type: ignore[attr-defined]
    open_dashboard(page, live, "#/chart/NVDA")
    expect(page.locator(".chart-host canvas").first).to_be_visible(timeout=EVENT_TIMEOUT)
    expect(page.locator("#main")).to_contain_text("waiting for live bars")
    expect(page.get_by_role("link", name="TradingView Lightweight Charts™")).to_be_visible()
    # A function, not an expression string: the page's CSP forbids the eval that
    # Playwright's polling would use for a string expression.
    corner_is = """rgb => {
        const canvas = document.querySelector('.chart-host canvas');
        const pixel = canvas.getContext('2d').getImageData(2, 2, 1, 1).data.slice(0, 3);
        return Array.from(pixel).join(',') === rgb;
    }"""
    page.select_option("#theme-select", "light")
    page.wait_for_function(corner_is, arg="255,255,255", timeout=EVENT_TIMEOUT)
    page.select_option("#theme-select", "dark")
    page.wait_for_function(corner_is, arg="17,22,29", timeout=EVENT_TIMEOUT)


def test_detection_on_both_pattern_channels_shows_once(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    feed.pattern("NVDA", 3, confidence=0.9, channel=Channel.PATTERNS_STREAMING)
    feed.pattern("NVDA", 3, confidence=0.9, channel=Channel.PATTERNS_DETECTED)
    feed.pattern("AAPL", 4, confidence=0.5)  # a later event proves both were delivered
    expect(rows(page, "patterns")).to_have_count(2, timeout=EVENT_TIMEOUT)
    expect(metric(page, "patternsDetected")).to_have_text("2", timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns").filter(has_text="NVDA")).to_have_count(1)


def test_settings_from_the_environment_bound_the_lists(page: Page, serve) -> None:
    app = serve(STREAMING_MAX_PATTERN_EVENTS="5", STREAMING_MAX_ALERT_EVENTS="2")
    feed = app.feed
    open_dashboard(page, app)
    feed.session_started()
    for i in range(8):
        feed.pattern(SYMBOLS[i], minute=1 + i)
    for i in range(3):
        feed.alert(SYMBOLS[i], minute=1 + i)
    expect(metric(page, "patternsDetected")).to_have_text("8", timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns")).to_have_count(5)
    expect(rows(page, "patterns").first.locator(".sym")).to_have_text(SYMBOLS[7])
    expect(rows(page, "alerts")).to_have_count(2, timeout=EVENT_TIMEOUT)


def test_connection_loss_shows_offline_and_the_reconnect_recovers_missed_events(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    proxy = CuttableProxy(live.port)
    try:
        page.console_allow(r"WebSocket connection to .* failed|ERR_CONNECTION|ERR_EMPTY_RESPONSE")
        page.goto(f"{proxy.url}/#/streaming")
        expect(connection_state(page)).to_have_text("Connected", timeout=EVENT_TIMEOUT)
        feed.session_started()
        feed.pattern("NVDA", 1)
        expect(rows(page, "patterns")).to_have_count(1, timeout=EVENT_TIMEOUT)
        proxy.cut()
        expect(connection_state(page)).to_have_text(
            re.compile("Reconnecting…|Offline"), timeout=EVENT_TIMEOUT
        )
        expect(page.locator("#connection [data-field=dot]")).not_to_have_class(
            re.compile("conn-connected")
        )
        for i in range(3):
            feed.pattern(SYMBOLS[i], minute=2 + i)
        proxy.restore()
        expect(connection_state(page)).to_have_text("Connected", timeout=15_000)
        # N counts every event the app sent meanwhile (its metrics too): at least the 3 patterns.
        expect(connection_notice(page)).to_have_text(
            re.compile(r"^Recovered \d+ missed events$"), timeout=EVENT_TIMEOUT
        )
        missed = int(re.findall(r"\d+", connection_notice(page).text_content() or "")[0])
        assert missed >= 3, missed
        expect(rows(page, "patterns")).to_have_count(4, timeout=EVENT_TIMEOUT)
        assert stats(page)["snapshots"] == 1, "the reconnect resumed, it did not resynchronise"
    finally:
        proxy.close()


def test_auto_scroll_brings_a_scrolled_list_back_to_the_newest_pattern_unless_turned_off(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    for i in range(50):
        feed.pattern(SYMBOLS[i], minute=1 + i)
    expect(metric(page, "patternsDetected")).to_have_text("50", timeout=EVENT_TIMEOUT)
    expect(more_note(page, "patterns")).to_have_text("20 of 50 shown · scroll for more")
    stream = page.locator('[data-panel="patterns"] ol.stream')
    # Resolves once the scroll event (which the panel listens to) has been dispatched.
    scrolled = """el => new Promise((done) => {
        el.addEventListener("scroll", () => done(el.scrollTop), { once: true });
        el.scrollTop = 300;
    })"""
    assert stream.evaluate(scrolled) > 0
    feed.pattern("NEW1", minute=60)
    expect(rows(page, "patterns").first.locator(".sym")).to_have_text("NEW1", timeout=EVENT_TIMEOUT)
    page.wait_for_function(
        "() => document.querySelector('[data-panel=\"patterns\"] ol.stream').scrollTop === 0",
        timeout=EVENT_TIMEOUT,
    )
    page.get_by_role("button", name="Auto-scroll on").click()
    expect(page.get_by_role("button", name="Auto-scroll off")).to_be_visible()
    assert stream.evaluate(scrolled) > 0
    feed.pattern("NEW2", minute=61)
    expect(rows(page, "patterns").first.locator(".sym")).to_have_text("NEW2", timeout=EVENT_TIMEOUT)
    assert stream.evaluate("el => el.scrollTop") > 0


def test_app_restart_shows_offline_then_resynchronises_with_the_new_server(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    page.console_allow(r"WebSocket connection to .* failed|ERR_CONNECTION")
    open_dashboard(page, live)
    feed.session_started()
    expect(field(page, "session", "status")).to_have_text("Session active", timeout=EVENT_TIMEOUT)
    live.stop()
    expect(connection_state(page)).to_have_text(
        re.compile("Reconnecting…|Offline"), timeout=EVENT_TIMEOUT
    )
    live.start()
    expect(connection_state(page)).to_have_text("Connected", timeout=20_000)
    expect(connection_notice(page)).to_have_text(
        "Resynchronised (server restarted)", timeout=EVENT_TIMEOUT
    )
    feed.pattern("NVDA", 5)
    expect(rows(page, "patterns")).to_have_count(1, timeout=EVENT_TIMEOUT)


def test_pause_freezes_the_lists_counts_what_arrives_and_resume_shows_it(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    open_dashboard(page, live)
    feed.session_started()
    for i in range(30):
        feed.pattern(SYMBOLS[i], minute=1 + i)
    expect(more_note(page, "patterns")).to_have_text(
        "20 of 30 shown · scroll for more", timeout=EVENT_TIMEOUT
    )
    page.get_by_role("button", name="Pause").click()
    for i in range(30, 33):
        feed.pattern(SYMBOLS[i], minute=1 + i)
    expect(page.locator('[data-control="new-count"]')).to_have_text("3 new", timeout=EVENT_TIMEOUT)
    expect(metric(page, "patternsDetected")).to_have_text("33", timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns").first.locator(".sym")).to_have_text(SYMBOLS[29])
    # Scrolling the frozen list still reaches everything it held, nothing that came since.
    page.locator('[data-panel="patterns"] ol.stream').evaluate(
        "el => { el.scrollTop = el.scrollHeight; }"
    )
    expect(rows(page, "patterns")).to_have_count(30, timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns").first.locator(".sym")).to_have_text(SYMBOLS[29])
    page.get_by_role("button", name="Resume").click()
    expect(rows(page, "patterns").first.locator(".sym")).to_have_text(
        SYMBOLS[32], timeout=EVENT_TIMEOUT
    )
    expect(page.locator('[data-control="new-count"]')).to_have_text("")
