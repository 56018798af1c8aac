"""Operator logs: context fields on every line, one line per key per interval, a cap per
logger per minute, and per-interval summaries of what was received and broadcast."""

from __future__ import annotations

import io
import logging

import orjson

from tickstock.app.logging_setup import JsonLineFormatter, KeyValueFormatter, configure_logging
from tickstock.app.logs import MinuteSummaries, RateLimitFilter, Throttle, ctx
from tickstock.app.metrics import AppMetrics


def record(message: str = "rejected", name: str = "tickstock.test", **fields) -> logging.LogRecord:
    rec = logging.LogRecord(name, logging.WARNING, __file__, 1, message, (), None)
    if fields:
        rec.fields = fields  # type: ignore[attr-defined]
    return rec


def test_text_lines_carry_the_context_as_key_value_pairs_quoted_when_needed():
    line = KeyValueFormatter().format(
        record(channel="tickstock:health", field="a b", reason="json", empty="", n=3)
    )
    assert line.endswith(
        'tickstock.test: rejected channel=tickstock:health field="a b" reason=json empty="" n=3'
    )


def test_a_value_with_a_newline_cannot_forge_a_second_line():
    line = KeyValueFormatter().format(record(detail="x\nFAKE 2026 ERROR"))
    assert "\n" not in line and 'detail="x\\nFAKE 2026 ERROR"' in line


def test_json_lines_carry_the_context_as_keys_and_never_overwrite_their_own():
    line = orjson.loads(JsonLineFormatter().format(record(channel="c", level="spoof", n=2)))
    assert line["channel"] == "c" and line["n"] == 2
    assert line["level"] == "WARNING" and line["field_level"] == "spoof"
    assert {"ts", "level", "logger"} <= line.keys()


def test_throttle_lets_one_line_per_key_per_interval_and_counts_the_rest():
    now = [0.0]
    throttle = Throttle(60.0, clock=lambda: now[0])
    assert throttle.due("a") == 0
    assert throttle.due("a") is None and throttle.due("a") is None
    assert throttle.due("b") == 0
    now[0] = 60.0
    assert throttle.due("a") == 2


def test_throttle_memory_is_bounded_however_many_distinct_keys_come():
    now = [0.0]
    throttle = Throttle(60.0, clock=lambda: now[0], max_keys=100)
    for i in range(10_000):
        assert throttle.due(f"message {i}") == 0
        assert len(throttle._last) <= 100
    now[0] = 1.0
    assert throttle.due("message 9999") is None  # the newest keys are still throttled
    assert len(throttle._last) <= 100


def test_the_rate_limit_caps_lines_per_logger_per_minute_and_reports_the_dropped():
    now = [0.0]
    limit = RateLimitFilter(per_minute=3, clock=lambda: now[0])
    passed = [limit.filter(record(name="flood")) for _ in range(10)]
    assert passed == [True] * 3 + [False] * 7
    assert limit.filter(record(name="other"))  # another logger has its own budget
    now[0] = 60.0
    nxt = record(name="flood")
    assert limit.filter(nxt) and nxt.fields == {"log_lines_dropped": 7}  # type: ignore[attr-defined]


def test_configure_logging_writes_one_capped_line_per_record(caplog):
    stream = io.StringIO()
    handler = configure_logging("INFO", "json", stream=stream, max_lines_per_minute=2)
    try:
        log = logging.getLogger("tickstock.flood")
        for i in range(5):
            log.warning("bad %d", i, extra=ctx(i=i))
        lines = [orjson.loads(x) for x in stream.getvalue().splitlines()]
        assert [x["i"] for x in lines] == [0, 1]
    finally:
        logging.getLogger().removeHandler(handler)


def test_summaries_log_the_change_per_channel_and_the_broadcasts_and_stay_quiet_when_idle(
    caplog,
):
    received = {"tickstock:health": {"messages": 2, "relayed": 2, "rejected": 0, "normalised": 0}}
    metrics = AppMetrics()
    summaries = MinuteSummaries(lambda: received, metrics.broadcast_totals, 60.0)
    caplog.set_level("INFO", logger="tickstock.app.summary")
    metrics.frames.inc(5)
    metrics.events_out.labels(event="streaming_health").inc(2)
    metrics.clients.set(3)
    metrics.client_resyncs.inc()
    summaries.emit()
    fields = [r.fields for r in caplog.records]  # type: ignore[attr-defined]
    assert fields == [
        {"channel": "tickstock:health", "seconds": 60.0, "messages": 2, "relayed": 2,
         "rejected": 0, "normalised": 0},
        {"seconds": 60.0, "frames": 5, "events": 2, "clients": 3, "resyncs": 1, "queue_drops": 0},
    ]  # fmt: skip
    caplog.clear()
    summaries.emit()
    assert caplog.records == []  # nothing moved, no client came or went
    received["tickstock:health"]["messages"] = 3
    summaries.emit()
    assert [r.getMessage() for r in caplog.records] == ["ingest summary"]
    assert caplog.records[0].fields["messages"] == 1  # type: ignore[attr-defined]
