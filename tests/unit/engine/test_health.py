"""Health status derivation from real figures, and critical alerts raised/resolved once."""

from __future__ import annotations

from dataclasses import replace

from tickstock.contract import CriticalAlertMessage, encode, parse
from tickstock.engine.critical import DATABASE_FAILING, FEED_LOST, CriticalAlerts
from tickstock.engine.health import FlowMeter, HealthFigures, HealthThresholds, derive_health

THRESHOLDS = HealthThresholds(lag_warning_ms=1000, lag_critical_ms=5000, feed_lost_after=30)
FINE = HealthFigures(
    in_session=True, seconds_since_tick=1.0, redis_ok=True, database_ok=True, processing_lag_ms=40
)


def test_everything_fine_is_healthy_and_connected() -> None:
    verdict = derive_health(FINE, THRESHOLDS)
    assert (verdict.status, verdict.connection_status, verdict.issues) == (
        "healthy",
        "connected",
        [],
    )


def test_pre_market_without_ticks_is_healthy() -> None:
    figures = replace(FINE, in_session=False, seconds_since_tick=None)
    assert derive_health(figures, THRESHOLDS).status == "healthy"


def test_feed_lost_is_critical_and_disconnected() -> None:
    verdict = derive_health(replace(FINE, seconds_since_tick=45), THRESHOLDS)
    assert verdict.status == "critical" and verdict.connection_status == "disconnected"
    assert "market feed lost" in verdict.issues[0]


def test_quiet_feed_is_a_warning_and_degraded() -> None:
    verdict = derive_health(replace(FINE, seconds_since_tick=20), THRESHOLDS)
    assert (verdict.status, verdict.connection_status) == ("warning", "degraded")


def test_lag_over_the_warning_and_critical_thresholds() -> None:
    assert derive_health(replace(FINE, processing_lag_ms=1500), THRESHOLDS).status == "warning"
    assert derive_health(replace(FINE, processing_lag_ms=6000), THRESHOLDS).status == "critical"


def test_database_failing_is_a_warning_naming_the_backlog() -> None:
    verdict = derive_health(replace(FINE, database_ok=False, write_backlog=1234), THRESHOLDS)
    assert verdict.status == "warning"
    assert verdict.issues == ["database writes failing; 1234 rows buffered"]


def test_redis_failing_and_drops_are_all_listed_worst_first() -> None:
    figures = replace(FINE, redis_ok=False, publish_backlog=10, dropped_messages=3)
    verdict = derive_health(figures, THRESHOLDS)
    assert verdict.status == "critical"
    assert verdict.issues[0].startswith("Redis publishing failing")
    assert "3 messages dropped" in verdict.issues[1]


def test_flow_meter_reports_rates_over_its_window() -> None:
    meter = FlowMeter(window_seconds=60)
    meter.add_ticks(10, 600, 9.9)
    meter.add_ticks(70, 1200, 69.0)
    meter.add_bars(70, 20)
    flow = meter.data_flow(100)
    assert flow.ticks_per_second == 20.0  # the tick batch at t=10 left the window
    assert flow.bars_per_minute == 20.0


def test_a_failure_raises_one_alert_and_one_recovery() -> None:
    alerts = CriticalAlerts()
    first = alerts.update(FEED_LOST, True, 1_741_012_200)
    assert first is not None and first.severity == "critical" and not first.resolved
    assert alerts.update(FEED_LOST, True, 1_741_012_260) is None
    recovery = alerts.update(FEED_LOST, False, 1_741_012_320)
    assert recovery is not None and recovery.resolved and recovery.component == first.component
    assert alerts.update(FEED_LOST, False, 1_741_012_380) is None
    for alert in (first, recovery):
        parse(
            "tickstock:alerts:critical",
            encode(CriticalAlertMessage(type="critical_alert", alert=alert)),
        )


def test_components_are_tracked_separately() -> None:
    alerts = CriticalAlerts()
    assert alerts.update(FEED_LOST, True, 0) is not None
    db = alerts.update(DATABASE_FAILING, True, 0, "connection refused")
    assert db is not None and db.severity == "error" and "connection refused" in db.message
    assert set(alerts.open) == {"market_feed", "database"}


def test_a_live_feeds_lost_websocket_is_critical_and_disconnected() -> None:
    verdict = derive_health(replace(FINE, feed_connected=False), THRESHOLDS)
    assert verdict.status == "critical"
    assert verdict.connection_status == "disconnected"
    assert "market data WebSocket disconnected; reconnecting" in verdict.issues
