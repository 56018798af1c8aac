"""check-producer: what a tolerant app would normalise is a warning (kind, field, example),
never a violation; what it would reject is still a violation."""

from __future__ import annotations

import orjson

from tickstock.contract import Channel
from tickstock.contract.samples import SAMPLES
from tickstock.engine.check_producer import ProducerChecker

STREAMING = Channel.PATTERNS_STREAMING.value


def deviant(**changes: object) -> bytes:
    message = orjson.loads(SAMPLES[Channel.PATTERNS_STREAMING])
    message["detection"].update({"confidence": 0.5, **changes})  # not for patterns:detected
    return orjson.dumps(message)


def test_normalisations_are_warnings_with_an_example_not_violations():
    checker = ProducerChecker()
    checker.feed(STREAMING, deviant(symbol="nvda", timeframe="1m"), received_at=0.0)
    checker.feed(STREAMING, deviant(symbol="aapl", timeframe="1min"), received_at=0.0)
    report = checker.report(now=10.0)
    assert report.violations == []
    assert report.warnings == [
        f"{STREAMING}: 2 × normalised symbol_case of symbol, e.g. 'nvda' -> 'NVDA'",
        f"{STREAMING}: 1 × normalised timeframe_alias of timeframe, e.g. '1m' -> '1min'",
    ]
    assert report.channels[STREAMING].items == 2
    text = report.to_text()
    assert "warnings (normalised by the app):" in text and "violations: none" in text
    assert report.to_json()["channels"][STREAMING]["normalised"] == 3


def test_a_bad_detection_of_a_batch_is_a_violation_and_its_neighbours_still_count():
    good = orjson.loads(deviant())["detection"]
    batch = {"type": "streaming_patterns_batch", "detections": [good, {**good, "symbol": "<b>"}]}
    checker = ProducerChecker()
    checker.feed(STREAMING, orjson.dumps(batch), received_at=0.0)
    report = checker.report(now=10.0)
    assert report.channels[STREAMING].items == 1 and report.channels[STREAMING].rejects == 1
    assert report.violations == [f"{STREAMING}: 1 rejected"]
    assert report.warnings == []
