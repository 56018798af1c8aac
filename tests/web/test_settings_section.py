"""The Settings section as a reader sees it, also when it is the first page they open."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard
from tests.web.served_app import ServedApp


def test_settings_opened_directly_show_the_servers_values_not_the_defaults(
    page: Page, serve
) -> None:
    # The section is drawn before the snapshot arrives: it must redraw the server's
    # settings when they come, or a reload on #/settings shows the built-in defaults.
    app = serve(STREAMING_MAX_PATTERN_EVENTS="7", STREAMING_REFRESH_INTERVAL="45")
    open_dashboard(page, app, "#/settings")
    server = page.locator("fieldset", has_text="Server settings")
    patterns = server.locator("dt", has_text="STREAMING_MAX_PATTERN_EVENTS").locator("+ dd")
    expect(patterns).to_have_text("7 patterns", timeout=EVENT_TIMEOUT)
    refresh = server.locator("dt", has_text="STREAMING_REFRESH_INTERVAL").locator("+ dd")
    expect(refresh).to_have_text("45 seconds")


def test_a_panel_move_that_cannot_be_made_looks_disabled(page: Page, live: ServedApp) -> None:
    open_dashboard(page, live, "#/settings")
    first_up = page.locator('[data-delta="-1"]').first
    first_down = page.locator('[data-delta="1"]').first
    expect(first_up).to_be_disabled()
    expect(first_down).to_be_enabled()
    look = "el => [getComputedStyle(el).opacity, getComputedStyle(el).cursor]"
    assert first_down.evaluate(look) == ["1", "pointer"]
    opacity, cursor = first_up.evaluate(look)
    assert float(opacity) <= 0.6 and cursor == "default", (opacity, cursor)
