"""Markup as event text: the payloads, how they are published, and how an injection shows.

Shared by the Chromium and the Firefox tests that check event text stays text.
"""

from __future__ import annotations

from tests.web.market import MarketFeed

PAYLOADS = [
    "<img src=x onerror=window.__xss=1>",
    "<script>window.__xss=1</script>",
    '"><svg onload=window.__xss=1>',
]
PAYLOAD_IDS = ["img-onerror", "script", "svg-onload"]

#: Page script: the outer HTML of every element the payloads could have created.
INJECTED = """() => [...document.querySelectorAll('img, script, svg, iframe, object')]
  .filter((el) => !(el.tagName === 'SCRIPT' && el.src) && el.getAttribute('src') !== '/favicon.svg')
  .map((el) => el.outerHTML)"""


def publish_in_every_text_field(feed: MarketFeed, payload: str) -> None:
    """A session, health, pattern, indicator, alert and critical alert carrying ``payload``
    in each free-text field of the contract."""
    feed.session_started(universe=payload)
    feed.health(minute=1, status="warning", issues=[payload, f"lag {payload}"])
    feed.pattern("NVDA", 2, confidence=0.9, pattern_type=payload)
    feed.indicator("TSLA", 2, indicator=payload, value=1.5, metadata={"note": payload})
    feed.alert("AAPL", 3, indicator=payload)
    feed.critical(minute=4, message=payload, component=payload, action_required=payload)
