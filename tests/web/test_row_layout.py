"""Indicator and alert rows read the same whatever the lengths of their texts: a heading
line, then the value (or the alert's detail) with the JSON button at the right end of it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.web.dashboard import EVENT_TIMEOUT, open_dashboard, rows
from tests.web.market import MarketFeed
from tests.web.served_app import ServedApp

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

#: Where each row's JSON button sits against the value line and the row's right end.
PLACES = """(rows, valueSelector) => rows.map((row) => {
  const json = row.querySelector('.json-btn').getBoundingClientRect();
  const value = row.querySelector(valueSelector).getBoundingClientRect();
  const box = row.getBoundingClientRect();
  return {
    text: row.textContent,
    offLine: Math.abs((json.top + json.bottom) / 2 - (value.top + value.bottom) / 2),
    fromRight: box.right - json.right,
  };
})"""


def publish_rows(feed: MarketFeed) -> None:
    feed.session_started()
    feed.alert("A", 1, alert_type="RSI_OVERSOLD", value=29.5, threshold=30.0)
    feed.alert(
        "BRK.B", 2, alert_type="MACD_BULLISH_CROSS", indicator="MACD", value=0.01, threshold=0.0
    )
    feed.alert(
        "GOOGL", 3, alert_type="BB_LOWER_BREAK", indicator="BB", value=1234.56, threshold=1240.5
    )
    feed.indicator(
        "A",
        1,
        "RSI",
        52.2,
        metadata={"period": 14, "overbought_threshold": 70, "oversold_threshold": 30},
    )
    feed.indicator(
        "BRK.B",
        2,
        "BB",
        412.5,
        values={"upper": 415.25, "middle": 412.5, "lower": 409.75},
        metadata={"period": 20, "std_dev": 2},
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_json_button_ends_the_value_line_of_every_indicator_and_alert_row(
    page: Page, live: ServedApp, feed: MarketFeed, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    open_dashboard(page, live)
    publish_rows(feed)
    expect(rows(page, "alerts")).to_have_count(3, timeout=EVENT_TIMEOUT)
    expect(rows(page, "indicators")).to_have_count(2, timeout=EVENT_TIMEOUT)
    for panel, value in (("alerts", ".adetail"), ("indicators", ".ivalue")):
        for place in rows(page, panel).evaluate_all(PLACES, value):
            assert place["offLine"] < 4, f"{panel}: JSON is not on the value line: {place}"
            assert place["fromRight"] < 12, f"{panel}: JSON does not end the line: {place}"


#: Per indicator row: the lines its value takes, and each "name value" pair's own lines.
PAIR_LINES = """(rows) => rows.map((row) => {
  const lines = (el) => new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size;
  const range = document.createRange();
  range.selectNodeContents(row.querySelector('.ivalue'));
  return {
    text: row.querySelector('.ivalue').textContent,
    valueLines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
    pairs: [...row.querySelectorAll('.ivalue .pair')].map((p) => [p.textContent, lines(p)]),
  };
})"""


def test_on_a_phone_a_long_value_wraps_between_its_name_value_pairs_never_inside_one(
    page: Page, live: ServedApp, feed: MarketFeed
) -> None:
    page.set_viewport_size(PHONE)
    open_dashboard(page, live)
    feed.session_started()
    # Sized so that, in the 390 px layout, a break inside a pair would leave "middle" at the
    # first line's end and its value on the next (as it did before pairs were unbreakable).
    feed.indicator(
        "BRK.A",
        1,
        "BB",
        705_000.5,
        values={"upper": 9_712_345.25, "middle": 705_000.5, "lower": 697_654.75},
        metadata={"period": 20, "std_dev": 2},
    )
    expect(rows(page, "indicators")).to_have_count(1, timeout=EVENT_TIMEOUT)
    [row] = rows(page, "indicators").evaluate_all(PAIR_LINES)
    assert row["valueLines"] > 1, f"the value should need more than one line here: {row}"
    assert [name for name, _ in row["pairs"]] == [
        "upper 9,712,345.25",
        "middle 705,000.50",
        "lower 697,654.75",
    ], row
    assert all(lines == 1 for _, lines in row["pairs"]), f"a pair is split across lines: {row}"
