"""On a phone the section links take a line or two above the page, not its first screen."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.web.dashboard import open_dashboard
from tests.web.served_app import ServedApp

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_section_links_sit_side_by_side_above_the_page(
    page: Page, live: ServedApp
) -> None:
    page.set_viewport_size(PHONE)
    open_dashboard(page, live)
    sidebar = page.locator("nav.sidebar")
    links = sidebar.get_by_role("link")
    expect(links).to_have_count(6)
    for link in links.all():
        expect(link).to_be_in_viewport()
    box = sidebar.bounding_box()
    assert box is not None and box["height"] <= 130, f"the links take {box} of the screen"
    assert not page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    ), "the links push the page sideways"
    links.filter(has_text="Market").click()
    expect(page.locator("main h1")).to_have_text("Market")
