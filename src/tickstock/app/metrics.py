"""The Prometheus metrics of the web app, one ``AppMetrics`` per app instance.

Each ``AppMetrics`` registers its metrics on its own ``CollectorRegistry`` rather than the
process-global default, so a test (or a second app in one process) starts from zero and
two apps never collide on metric names. ``create_app`` builds one and hands it to every
part that counts something; ``/metrics`` renders that registry.

Usage::

    metrics = AppMetrics()
    metrics.events_in.labels(channel="tickstock:patterns:streaming").inc()
    metrics.relay_latency.observe(0.004)
    body, content_type = metrics.render()
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from tickstock.app.request_observer import ServedRequest

#: Relay latency buckets, 0.5 ms .. 5 s (Redis receive -> Socket.IO send).
RELAY_LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)
#: API latency buckets, 1 ms .. 5 s.
API_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class AppMetrics:
    """Every metric the app exports; attributes are plain ``prometheus_client`` objects.

    ====================  =========  ===============  ================================
    attribute             type       labels           metric name
    ====================  =========  ===============  ================================
    ``events_in``         Counter    channel          tickstock_events_in_total
    ``events_out``        Counter    event            tickstock_events_out_total
    ``rejects``           Counter    channel, reason  tickstock_rejects_total
    ``normalisations``    Counter    channel, reason  tickstock_normalisations_total
    ``duplicates``        Counter                     tickstock_duplicates_total
    ``clients``           Gauge                       tickstock_clients
    ``client_resyncs``    Counter                     tickstock_client_resyncs_total
    ``queue_drops``       Counter                     tickstock_queue_drops_total
    ``relay_latency``     Histogram                   tickstock_relay_latency_seconds
    ``frames``            Counter                     tickstock_frames_total
    ``redis_reconnects``  Counter                     tickstock_redis_reconnects_total
    ``feed_gaps``         Counter                     tickstock_feed_gaps_total
    ``client_errors``     Counter    kind             tickstock_client_errors_total
    ``api_requests``      Counter    route, status    tickstock_api_requests_total
    ``api_latency``       Histogram  route            tickstock_api_latency_seconds
    ====================  =========  ===============  ================================
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        reg = self.registry
        self.events_in = Counter(
            "tickstock_events_in",
            "Messages received from Redis, per channel.",
            ["channel"],
            registry=reg,
        )
        self.events_out = Counter(
            "tickstock_events_out",
            "Events relayed to browsers, per Socket.IO event.",
            ["event"],
            registry=reg,
        )
        self.rejects = Counter(
            "tickstock_rejects",
            "Messages rejected by contract validation, per channel and reason.",
            ["channel", "reason"],
            registry=reg,
        )
        self.normalisations = Counter(
            "tickstock_normalisations",
            "Values rewritten to the canonical form by tolerant ingest, per channel and reason.",
            ["channel", "reason"],
            registry=reg,
        )
        self.duplicates = Counter(
            "tickstock_duplicates",
            "Detections seen again (other pattern channel or repeat).",
            registry=reg,
        )
        self.clients = Gauge("tickstock_clients", "Connected Socket.IO clients.", registry=reg)
        self.client_resyncs = Counter(
            "tickstock_client_resyncs",
            "Snapshots sent to clients that fell too far behind.",
            registry=reg,
        )
        self.queue_drops = Counter(
            "tickstock_queue_drops",
            "Frames not queued for a client over its queue bound.",
            registry=reg,
        )
        self.relay_latency = Histogram(
            "tickstock_relay_latency_seconds",
            "Time from Redis receive to Socket.IO send.",
            buckets=RELAY_LATENCY_BUCKETS,
            registry=reg,
        )
        self.frames = Counter("tickstock_frames", "Socket.IO frames sent to clients.", registry=reg)
        self.redis_reconnects = Counter(
            "tickstock_redis_reconnects", "Reconnections of the Redis subscription.", registry=reg
        )
        self.feed_gaps = Counter(
            "tickstock_feed_gaps",
            "Periods the Redis subscription was down (feed_gap events).",
            registry=reg,
        )
        self.client_errors = Counter(
            "tickstock_client_errors",
            "Uncaught errors reported by dashboards (POST /api/client-errors), per kind.",
            ["kind"],
            registry=reg,
        )
        self.api_requests = Counter(
            "tickstock_api_requests",
            "HTTP API requests, per route template and status code.",
            ["route", "status"],
            registry=reg,
        )
        self.api_latency = Histogram(
            "tickstock_api_latency_seconds",
            "HTTP API request latency, per route template.",
            ["route"],
            buckets=API_LATENCY_BUCKETS,
            registry=reg,
        )

    def broadcast_totals(self) -> dict[str, int]:
        """Frames, events, resyncs and queue drops sent so far, and clients connected now
        (for the per-minute broadcast log line)."""
        events = sum(
            sample.value
            for family in self.events_out.collect()
            for sample in family.samples
            if sample.name.endswith("_total")
        )
        return {
            "frames": int(self.registry.get_sample_value("tickstock_frames_total") or 0),
            "events": int(events),
            "clients": int(self.registry.get_sample_value("tickstock_clients") or 0),
            "resyncs": int(self.registry.get_sample_value("tickstock_client_resyncs_total") or 0),
            "queue_drops": int(self.registry.get_sample_value("tickstock_queue_drops_total") or 0),
        }

    def observe_request(self, request: ServedRequest) -> None:
        """Counts one HTTP request and its latency under its route template (a request
        observer; unmatched paths share one label, so the label values stay bounded)."""
        self.api_requests.labels(route=request.route, status=str(request.status)).inc()
        self.api_latency.labels(route=request.route).observe(request.seconds)

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition of this registry and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
