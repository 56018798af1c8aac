"""The plan's sample payloads, verbatim: one valid message per channel."""

from __future__ import annotations

from tickstock.contract.channels import Channel

_SESSION_STARTED = """{
  "type": "streaming_session_started",
  "session": {
    "session_id": "uuid-string",
    "universe": "market_leaders:top_500",
    "started_at": "2025-10-05T09:30:00Z",
    "symbol_count": 500,
    "status": "active"
  }
}"""

_SESSION_STOPPED = """{
  "type": "streaming_session_stopped",
  "session": {
    "session_id": "uuid-string",
    "stopped_at": "2025-10-05T16:00:00Z",
    "duration_seconds": 23400,
    "total_patterns": 1250,
    "total_indicators": 45000
  }
}"""

_PATTERN = """{
  "type": "streaming_pattern",
  "detection": {
    "symbol": "NVDA",
    "pattern_type": "Doji",
    "confidence": 0.85,
    "timestamp": "2025-10-05T10:15:00Z",
    "timeframe": "1min",
    "bar_data": {
      "open": 125.50,
      "high": 125.75,
      "low": 125.45,
      "close": 125.52,
      "volume": 250000
    }
  }
}"""

_INDICATOR = """{
  "type": "streaming_indicator",
  "calculation": {
    "symbol": "TSLA",
    "indicator": "RSI",
    "value": 72.5,
    "timestamp": "2025-10-05T10:15:00Z",
    "timeframe": "1min",
    "metadata": {
      "period": 14,
      "overbought_threshold": 70,
      "oversold_threshold": 30
    }
  }
}"""

_INDICATOR_ALERT = """{
  "type": "indicator_alert",
  "alert": {
    "symbol": "AAPL",
    "alert_type": "RSI_OVERBOUGHT",
    "timestamp": "2025-10-05T11:30:00Z",
    "data": {
      "indicator": "RSI",
      "value": 75.2,
      "threshold": 70
    }
  }
}"""

_HEALTH = """{
  "type": "streaming_health",
  "health": {
    "status": "healthy",
    "timestamp": "2025-10-05T10:15:00Z",
    "active_symbols": 485,
    "connection_status": "connected",
    "data_flow": {
      "ticks_per_second": 125.3,
      "bars_per_minute": 480,
      "processing_lag_ms": 45
    },
    "resource_usage": {
      "cpu_percent": 35.2,
      "memory_mb": 512,
      "threads_active": 8
    },
    "issues": []
  }
}"""

_CRITICAL = """{
  "type": "critical_alert",
  "alert": {
    "severity": "critical",
    "message": "WebSocket connection lost",
    "timestamp": "2025-10-05T12:45:00Z",
    "component": "massive_websocket",
    "action_required": "Manual intervention needed"
  }
}"""

_BARS = """{
  "type": "streaming_bars",
  "timeframe": "1min",
  "closed": true,
  "bars": [
    {
      "symbol": "NVDA",
      "timestamp": "2025-10-05T10:15:00Z",
      "open": 125.50,
      "high": 125.75,
      "low": 125.45,
      "close": 125.52,
      "volume": 250000,
      "previous_close": 124.10
    },
    {
      "symbol": "AAPL",
      "timestamp": "2025-10-05T10:15:00Z",
      "open": 227.10,
      "high": 227.35,
      "low": 226.98,
      "close": 227.20,
      "volume": 180000
    }
  ]
}"""

#: One sample message per channel, as text exactly as printed in the plan (the bars channel,
#: which the plan does not have, as docs/producer-contract.md gives it).
SAMPLES: dict[Channel, str] = {
    Channel.SESSION_STARTED: _SESSION_STARTED,
    Channel.SESSION_STOPPED: _SESSION_STOPPED,
    Channel.HEALTH: _HEALTH,
    Channel.PATTERNS_STREAMING: _PATTERN,
    Channel.PATTERNS_DETECTED: _PATTERN,  # the plan's detection has confidence 0.85 >= 0.8
    Channel.INDICATORS_STREAMING: _INDICATOR,
    Channel.ALERTS_INDICATORS: _INDICATOR_ALERT,
    Channel.ALERTS_CRITICAL: _CRITICAL,
    Channel.BARS_STREAMING: _BARS,
}
