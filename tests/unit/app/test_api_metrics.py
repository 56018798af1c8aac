"""The app's Prometheus metrics: fresh per instance, and the exposition parses."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tickstock.app.metrics import AppMetrics


def _samples(metrics: AppMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, _ = metrics.render()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_counters_render_with_their_names_and_labels() -> None:
    metrics = AppMetrics()
    metrics.events_in.labels(channel="tickstock:patterns:streaming").inc(3)
    metrics.rejects.labels(channel="tickstock:alerts:critical", reason="json").inc()
    metrics.clients.set(4)
    metrics.relay_latency.observe(0.002)

    samples = _samples(metrics)

    assert (
        samples[("tickstock_events_in_total", (("channel", "tickstock:patterns:streaming"),))] == 3
    )
    assert (
        samples[
            (
                "tickstock_rejects_total",
                (("channel", "tickstock:alerts:critical"), ("reason", "json")),
            )
        ]
        == 1
    )
    assert samples[("tickstock_clients", ())] == 4
    assert samples[("tickstock_relay_latency_seconds_bucket", (("le", "0.0025"),))] == 1
    assert samples[("tickstock_relay_latency_seconds_bucket", (("le", "0.001"),))] == 0


def test_every_documented_metric_is_exported() -> None:
    names = {name for name, _ in _samples(AppMetrics())}
    for expected in (
        "tickstock_duplicates_total",
        "tickstock_clients",
        "tickstock_client_resyncs_total",
        "tickstock_queue_drops_total",
        "tickstock_relay_latency_seconds_count",
        "tickstock_frames_total",
        "tickstock_redis_reconnects_total",
        "tickstock_feed_gaps_total",
    ):
        assert expected in names


def test_two_instances_do_not_share_counts() -> None:
    first, second = AppMetrics(), AppMetrics()
    first.duplicates.inc()
    assert _samples(second)[("tickstock_duplicates_total", ())] == 0
