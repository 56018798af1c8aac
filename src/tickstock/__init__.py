"""TickStock Live: a streaming pattern engine and its live dashboard."""

__version__ = "0.1.0"
