"""Event text is shown as text: markup and script in every free-text field of the contract
never becomes an element nor runs, in the live panels, the banner and the raw JSON view."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect
from tests.web.dashboard import EVENT_TIMEOUT, banner, field, open_dashboard, rows
from tests.web.markup import INJECTED, PAYLOAD_IDS, PAYLOADS, publish_in_every_text_field
from tests.web.served_app import ServedApp


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_markup_in_every_text_field_shows_literally_and_never_runs(
    page: Page, live: ServedApp, payload: str
) -> None:
    open_dashboard(page, live)
    publish_in_every_text_field(live.feed, payload)

    expect(field(page, "session", "universe")).to_have_text(payload, timeout=EVENT_TIMEOUT)
    expect(rows(page, "patterns").first.locator(".ptype")).to_have_text(payload)
    expect(rows(page, "indicators").first.locator(".iname")).to_have_text(payload)
    expect(rows(page, "alerts").first).to_contain_text(payload)
    expect(page.locator('[data-panel="health"] .issues li')).to_have_text(
        [payload, f"lag {payload}"]
    )
    expect(banner(page).locator("[data-field=message]")).to_have_text(payload)
    expect(banner(page).locator("[data-field=component]")).to_have_text(payload)
    expect(banner(page).locator("[data-field=action]")).to_have_text(f"Action: {payload}")

    rows(page, "indicators").first.get_by_role("button", name="JSON").click()
    expect(page.locator("#json-text")).to_contain_text('"note"')
    assert f'"note": {json.dumps(payload)}' in (page.locator("#json-text").text_content() or "")

    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate(INJECTED) == []
