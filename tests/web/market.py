"""A scripted producer for browser tests: contract messages published straight to Redis.

Every message is built with the contract's models and ``encode``, so the app validates
exactly what a real producer would send. Times come from a simulated market clock
(``MarketFeed.at(minute)``), never from the wall clock, so tests are deterministic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from tickstock.contract import (
    Bar,
    BarsMessage,
    Channel,
    CriticalAlert,
    CriticalAlertMessage,
    Health,
    HealthMessage,
    IndicatorAlert,
    IndicatorAlertMessage,
    IndicatorCalculation,
    IndicatorMessage,
    PatternBatchMessage,
    PatternDetection,
    PatternMessage,
    SessionStart,
    SessionStartedMessage,
    SessionStop,
    SessionStoppedMessage,
    encode,
)

#: 09:30 ET on a fixed trading day (13:30 UTC, EDT).
MARKET_OPEN = datetime(2025, 10, 6, 13, 30, tzinfo=UTC)
BAR = {"open": 125.5, "high": 125.75, "low": 125.45, "close": 125.52, "volume": 250000}


class MarketFeed:
    """Publishes the plan's 8 channels on a Redis server, one message per call."""

    def __init__(self, redis_url: str, session_id: str = "web-test-session") -> None:
        self.client = redis.Redis.from_url(redis_url, socket_timeout=5)
        self.session_id = session_id
        self.published = 0

    def close(self) -> None:
        self.client.close()

    @staticmethod
    def at(minute: float) -> datetime:
        """Minute ``minute`` of the session on the simulated clock."""
        return MARKET_OPEN + timedelta(minutes=minute)

    def publish(self, channel: Channel, message: Any) -> None:
        self.client.publish(channel.value, encode(message))
        self.published += 1

    def session_started(self, symbols: int = 500, universe: str = "market_leaders:top_500") -> None:
        body = SessionStart(
            session_id=self.session_id,
            universe=universe,
            started_at=self.at(0),
            symbol_count=symbols,
        )
        self.publish(
            Channel.SESSION_STARTED,
            SessionStartedMessage(type="streaming_session_started", session=body),
        )

    def session_stopped(self, minute: float, patterns: int, indicators: int) -> None:
        body = SessionStop(
            session_id=self.session_id,
            stopped_at=self.at(minute),
            duration_seconds=minute * 60,
            total_patterns=patterns,
            total_indicators=indicators,
        )
        self.publish(
            Channel.SESSION_STOPPED,
            SessionStoppedMessage(type="streaming_session_stopped", session=body),
        )

    @staticmethod
    def detection(
        symbol: str, minute: float, confidence: float = 0.6, pattern_type: str = "Doji"
    ) -> PatternDetection:
        return PatternDetection(
            symbol=symbol,
            pattern_type=pattern_type,
            confidence=confidence,
            timestamp=MarketFeed.at(minute),
            timeframe="1min",
            bar_data=BAR,
        )

    def pattern(
        self,
        symbol: str,
        minute: float,
        confidence: float = 0.6,
        pattern_type: str = "Doji",
        channel: Channel = Channel.PATTERNS_STREAMING,
    ) -> PatternDetection:
        detection = self.detection(symbol, minute, confidence, pattern_type)
        self.publish(channel, PatternMessage(type="streaming_pattern", detection=detection))
        return detection

    def pattern_batch(self, detections: list[PatternDetection]) -> None:
        self.publish(
            Channel.PATTERNS_STREAMING,
            PatternBatchMessage(type="streaming_patterns_batch", detections=detections),
        )

    def indicator(
        self,
        symbol: str,
        minute: float,
        indicator: str = "RSI",
        value: float = 55.0,
        values: dict[str, float] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        calculation = IndicatorCalculation(
            symbol=symbol,
            indicator=indicator,
            value=value,
            values=values,
            timestamp=self.at(minute),
            timeframe="1min",
            metadata=metadata,
        )
        self.publish(
            Channel.INDICATORS_STREAMING,
            IndicatorMessage(type="streaming_indicator", calculation=calculation),
        )

    def alert(
        self,
        symbol: str,
        minute: float,
        alert_type: str = "RSI_OVERBOUGHT",
        indicator: str = "RSI",
        value: float = 75.2,
        threshold: float = 70.0,
    ) -> None:
        body = IndicatorAlert.model_validate(
            {
                "symbol": symbol,
                "alert_type": alert_type,
                "timestamp": self.at(minute),
                "data": {"indicator": indicator, "value": value, "threshold": threshold},
            }
        )
        self.publish(
            Channel.ALERTS_INDICATORS, IndicatorAlertMessage(type="indicator_alert", alert=body)
        )

    def health(
        self,
        minute: float,
        status: str = "healthy",
        active_symbols: int = 500,
        issues: list[str] | None = None,
    ) -> None:
        body = Health.model_validate(
            {
                "status": status,
                "timestamp": self.at(minute),
                "active_symbols": active_symbols,
                "connection_status": "connected",
                "data_flow": {
                    "ticks_per_second": 125.3,
                    "bars_per_minute": 480,
                    "processing_lag_ms": 45,
                },
                "resource_usage": {"cpu_percent": 35.2, "memory_mb": 512, "threads_active": 8},
                "issues": issues or [],
            }
        )
        self.publish(Channel.HEALTH, HealthMessage(type="streaming_health", health=body))

    def bars(self, minute: float, closes: dict[str, float], closed: bool = True) -> None:
        """The bars of ``minute`` (closed, or forming so far) for the given symbols' closes."""
        bars = [
            Bar(
                symbol=symbol,
                timestamp=self.at(minute),
                open=100.0,
                high=max(100.0, close),
                low=min(100.0, close),
                close=close,
                volume=1000,
                previous_close=100.0,
            )
            for symbol, close in closes.items()
        ]
        self.publish(
            Channel.BARS_STREAMING,
            BarsMessage(type="streaming_bars", timeframe="1min", closed=closed, bars=bars),
        )

    def critical(
        self,
        minute: float,
        message: str = "WebSocket connection lost",
        component: str = "massive_websocket",
        severity: str = "critical",
        action_required: str | None = "Manual intervention needed",
        resolved: bool = False,
    ) -> None:
        body = CriticalAlert.model_validate(
            {
                "severity": severity,
                "message": message,
                "timestamp": self.at(minute),
                "component": component,
                "action_required": action_required,
                "resolved": resolved,
            }
        )
        self.publish(
            Channel.ALERTS_CRITICAL, CriticalAlertMessage(type="critical_alert", alert=body)
        )
