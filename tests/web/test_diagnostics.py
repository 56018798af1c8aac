"""Front-end diagnostics in a real browser: ``?debug=1`` logs connection changes and events
to the console; an uncaught error shows a text-only notice and reaches the server's log."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.servers import wait_until
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard
from tests.web.served_app import ServedApp

#: Keeps what the page writes with console.info (Playwright's console event leaves out some
#: calls whose arguments are objects, so the page's own calls are recorded).
RECORD_CONSOLE_INFO = """
window.__info = [];
const info = console.info.bind(console);
console.info = (...args) => { window.__info.push(args.map(String).join(" ")); info(...args); };
"""


def test_debug_mode_logs_connection_changes_and_each_event(page: Page, live: ServedApp) -> None:
    page.add_init_script(RECORD_CONSOLE_INFO)
    open_dashboard(page, live, "?debug=1#/streaming")
    live.feed.pattern("NVDA", 2, confidence=0.9)

    def logged() -> list[str]:
        return page.evaluate("() => window.__info")

    wait_until(
        lambda: any(text.startswith("[tickstock] event streaming_pattern") for text in logged()),
        EVENT_TIMEOUT / 1000,
        lambda: f"a debug line for the pattern; the console had {logged()}",
    )
    assert any(text.startswith("[tickstock] connection connected") for text in logged())


def test_without_debug_mode_the_console_stays_quiet(page: Page, live: ServedApp) -> None:
    page.add_init_script(RECORD_CONSOLE_INFO)
    open_dashboard(page, live)
    live.feed.pattern("NVDA", 2, confidence=0.9)
    expect(page.locator('[data-panel="patterns"] .stream > *').first).to_be_visible(
        timeout=EVENT_TIMEOUT
    )
    assert page.evaluate("() => window.__info") == []


def test_an_uncaught_error_is_shown_as_text_and_logged_by_the_app(page: Page, serve) -> None:
    app: ServedApp = serve(TICKSTOCK_LOG_LEVEL="WARNING")
    page.console_allow("<b>boom</b> from the test")  # type: ignore[attr-defined]
    open_dashboard(page, app)
    page.evaluate("() => { setTimeout(() => { throw new Error('<b>boom</b> from the test'); }); }")
    notice = page.locator("#error-notice")
    expect(notice).to_be_visible(timeout=EVENT_TIMEOUT)
    expect(notice.locator("[data-field=text]")).to_contain_text(  # Chromium: "Uncaught Error: ..."
        "<b>boom</b> from the test"
    )
    assert notice.locator("b").count() == 0
    wait_until(
        lambda: "<b>boom</b> from the test" in app.log() and "browser error" in app.log(),
        EVENT_TIMEOUT / 1000,
        lambda: f"the app to log the browser's error:\n{app.log()}",
    )
    notice.get_by_role("button", name="Dismiss").click()
    expect(notice).to_be_hidden()
