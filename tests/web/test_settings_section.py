"""The Settings section as a reader sees it when it is the first page they open."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard


def test_settings_opened_directly_show_the_servers_values_not_the_defaults(
    page: Page, serve
) -> None:
    # The section is drawn before the snapshot arrives: it must redraw the server's
    # settings when they come, or a reload on #/settings shows the built-in defaults.
    app = serve(STREAMING_MAX_PATTERN_EVENTS="7", STREAMING_REFRESH_INTERVAL="45")
    open_dashboard(page, app, "#/settings")
    server = page.locator("fieldset", has_text="Server settings")
    expect(server.locator("dt", has_text="max_pattern_events").locator("+ dd")).to_have_text(
        "7", timeout=EVENT_TIMEOUT
    )
    expect(server.locator("dt", has_text="refresh_interval").locator("+ dd")).to_have_text("45")
