"""The dashboard settings the browser receives, written out once.

Both the snapshot (``LiveApp``) and ``/api/streaming/status`` send them; one function keeps
the two answers the same.
"""

from __future__ import annotations

from typing import Any

from tickstock.settings import Settings


def dashboard_settings(settings: Settings) -> dict[str, Any]:
    """The ``settings`` object of the snapshot and of the status endpoint."""
    return {
        "refresh_interval": settings.streaming_refresh_interval,
        "max_pattern_events": settings.streaming_max_pattern_events,
        "max_alert_events": settings.streaming_max_alert_events,
        "auto_scroll": settings.streaming_auto_scroll,
        "sound_alerts": settings.streaming_sound_alerts,
        "health_interval": settings.health_interval,
    }
