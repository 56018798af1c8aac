"""The read queries against real databases: SQLite always, PostgreSQL when marked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from tickstock.contract import (
    CriticalAlertMessage,
    HealthMessage,
    IndicatorAlertMessage,
    IndicatorMessage,
    PatternMessage,
    SessionStartedMessage,
    SessionStoppedMessage,
)
from tickstock.store import queries
from tickstock.store.tables import (
    intraday_indicators,
    intraday_patterns,
    ohlcv_1min,
    streaming_alerts,
    streaming_health_metrics,
    streaming_sessions,
)

T0 = datetime(2025, 10, 5, 13, 30, tzinfo=UTC)


def minute(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def pattern_row(symbol: str, n: int, confidence: float = 0.85, kind: str = "Doji") -> dict:
    return {
        "session_id": "s2",
        "symbol": symbol,
        "pattern_type": kind,
        "confidence": confidence,
        "high_confidence": confidence >= 0.8,
        "timestamp": minute(n),
        "timeframe": "1min",
        "open": 125.5,
        "high": 125.75,
        "low": 125.45,
        "close": 125.52,
        "volume": 250000,
    }


def indicator_row(symbol: str, n: int, name: str = "RSI", value: float = 50.0) -> dict:
    values = {"macd": value, "signal": 0.1, "histogram": value - 0.1} if name == "MACD" else None
    return {
        "session_id": "s2",
        "symbol": symbol,
        "indicator": name,
        "value": value,
        "values": values,
        "timestamp": minute(n),
        "timeframe": "1min",
        "metadata": {"period": 14} if name == "RSI" else None,
    }


ALERT_DEFAULTS = dict.fromkeys(
    (
        "symbol",
        "alert_type",
        "indicator",
        "value",
        "threshold",
        "severity",
        "message",
        "component",
        "action_required",
    ),
)


def indicator_alert_row(symbol: str, n: int, alert_type: str = "RSI_OVERBOUGHT") -> dict:
    return ALERT_DEFAULTS | {
        "alert_key": f"indicator|{symbol}|{alert_type}|{n}",
        "kind": "indicator",
        "session_id": "s2",
        "timestamp": minute(n),
        "symbol": symbol,
        "alert_type": alert_type,
        "indicator": "RSI",
        "value": 75.2,
        "threshold": 70.0,
        "resolved": False,
    }


def critical_row(component: str, n: int, resolved: bool = False) -> dict:
    return ALERT_DEFAULTS | {
        "alert_key": f"critical|{component}|{resolved}|{n}",
        "kind": "critical",
        "session_id": "s2",
        "timestamp": minute(n),
        "severity": "critical",
        "message": f"{component} lost",
        "component": component,
        "action_required": "Manual intervention needed",
        "resolved": resolved,
    }


def health_row(n: int, status: str = "healthy") -> dict:
    return {
        "session_id": "s2",
        "timestamp": minute(n),
        "status": status,
        "active_symbols": 485,
        "connection_status": "connected",
        "ticks_per_second": 125.3,
        "bars_per_minute": 480.0,
        "processing_lag_ms": 45.0,
        "cpu_percent": 35.2,
        "memory_mb": 512.0,
        "threads_active": 8,
        "issues": ["slow feed"] if status != "healthy" else [],
    }


SESSIONS = [
    {
        "session_id": "s1",
        "universe": "market_leaders:top_500",
        "status": "stopped",
        "started_at": T0 - timedelta(days=1),
        "symbol_count": 500,
        "stopped_at": T0 - timedelta(days=1) + timedelta(hours=6.5),
        "duration_seconds": 23400.0,
        "total_patterns": 1250,
        "total_indicators": 45000,
    },
    {
        "session_id": "s2",
        "universe": "market_leaders:top_500",
        "status": "active",
        "started_at": T0,
        "symbol_count": 500,
    },
]


async def populate(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for session in SESSIONS:
            await conn.execute(insert(streaming_sessions), session)
        await conn.execute(
            insert(intraday_patterns),
            [pattern_row("NVDA", n, 0.5 + n * 0.05) for n in range(10)]
            + [pattern_row("NVDA", 3, 0.9, kind="Hammer"), pattern_row("AAPL", 4)],
        )
        await conn.execute(
            insert(intraday_indicators),
            [indicator_row("TSLA", n, "RSI", 60.0 + n) for n in range(5)]
            + [indicator_row("TSLA", n, "MACD", 0.5 + n) for n in range(3)],
        )
        await conn.execute(
            insert(streaming_alerts),
            [indicator_alert_row("AAPL", n) for n in range(5)]
            + [indicator_alert_row("MSFT", 6, "MACD_BULLISH_CROSS")]
            + [critical_row("massive_websocket", 2), critical_row("massive_websocket", 3, True)]
            + [critical_row("database", 4)],
        )
        await conn.execute(
            insert(streaming_health_metrics), [health_row(0), health_row(1, "warning")]
        )
        await conn.execute(
            insert(ohlcv_1min),
            [
                {
                    "symbol": "NVDA",
                    "timestamp": minute(n),
                    "open": 1.0,
                    "high": 2.0,
                    "low": 0.5,
                    "close": 1.5,
                    "volume": 100 + n,
                }
                for n in range(10)
            ],
        )


@pytest.fixture
async def populated(any_engine: AsyncEngine) -> AsyncEngine:
    await populate(any_engine)
    return any_engine


async def test_current_session_is_the_latest_with_its_counts(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        session = await queries.current_session(conn)
    assert session is not None
    assert session["session_id"] == "s2"
    assert session["started_at"] == "2025-10-05T13:30:00Z"
    assert session["counts"] == {"patterns": 12, "indicators": 8, "alerts": 6}
    SessionStartedMessage.model_validate(queries.session_event(session))


async def test_every_query_answers_on_an_empty_database(any_engine: AsyncEngine) -> None:
    async with any_engine.connect() as conn:
        assert await queries.current_session(conn) is None
        assert await queries.list_sessions(conn) == []
        assert await queries.patterns_for_symbol(conn, "NVDA") == []
        assert await queries.alerts_page(conn) == ([], 0)
        assert await queries.latest_health(conn) is None
        assert await queries.open_critical_alerts(conn) == []
        assert await queries.latest_indicators(conn) == []
        assert await queries.symbol_known(conn, "NVDA") is False


async def test_list_sessions_newest_first_and_before(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        all_sessions = await queries.list_sessions(conn, limit=10)
        older = await queries.list_sessions(conn, limit=10, before=T0)
    assert [s["session_id"] for s in all_sessions] == ["s2", "s1"]
    assert [s["session_id"] for s in older] == ["s1"]
    SessionStoppedMessage.model_validate(queries.session_event(older[0]))


async def test_patterns_for_symbol_filters(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        newest = await queries.patterns_for_symbol(conn, "NVDA", limit=3)
        window = await queries.patterns_for_symbol(conn, "NVDA", since=minute(2), until=minute(4))
        confident = await queries.patterns_for_symbol(conn, "NVDA", min_confidence=0.9)
        hammers = await queries.patterns_for_symbol(conn, "NVDA", pattern_type="Hammer")
    assert [p["timestamp"] for p in newest] == [
        "2025-10-05T13:39:00Z",
        "2025-10-05T13:38:00Z",
        "2025-10-05T13:37:00Z",
    ]
    assert sorted(p["timestamp"] for p in window) == [
        "2025-10-05T13:32:00Z",
        "2025-10-05T13:33:00Z",
        "2025-10-05T13:33:00Z",
    ]
    assert all(p["confidence"] >= 0.9 for p in confident) and len(confident) == 3
    assert [p["pattern_type"] for p in hammers] == ["Hammer"]


async def test_pattern_record_becomes_the_socket_event(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        (record,) = await queries.patterns_for_symbol(conn, "AAPL")
    event = queries.pattern_event(record)
    assert event["high_confidence"] is True
    assert event["channels"] == ["tickstock:patterns:streaming", "tickstock:patterns:detected"]
    PatternMessage.model_validate({"type": event["type"], "detection": event["detection"]})


async def test_alerts_page_filters_and_counts(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        first, total = await queries.alerts_page(conn, page=1, per_page=4)
        last, _ = await queries.alerts_page(conn, page=3, per_page=4)
        beyond, _ = await queries.alerts_page(conn, page=4, per_page=4)
        aapl, aapl_total = await queries.alerts_page(conn, symbol="AAPL", per_page=2)
        critical, critical_total = await queries.alerts_page(conn, kind="critical")
        crosses, _ = await queries.alerts_page(conn, alert_type="MACD_BULLISH_CROSS")
        _, recent_total = await queries.alerts_page(conn, since=minute(4))
    assert total == 9 and len(first) == 4 and len(last) == 1 and beyond == []
    assert last[0]["timestamp"] == "2025-10-05T13:30:00Z"
    assert first[0]["timestamp"] == "2025-10-05T13:36:00Z"
    assert aapl_total == 5 and len(aapl) == 2
    assert critical_total == 3 and {a["kind"] for a in critical} == {"critical"}
    assert [a["symbol"] for a in crosses] == ["MSFT"]
    assert recent_total == 3
    IndicatorAlertMessage.model_validate(queries.alert_event(aapl[0]))
    CriticalAlertMessage.model_validate(queries.alert_event(critical[0]))


async def test_alerts_chunks_walk_every_row_once(populated: AsyncEngine) -> None:
    seen: list[int] = []
    after = None
    async with populated.connect() as conn:
        while True:
            rows, after = await queries.alerts_chunk(conn, queries.AlertFilter(), after, limit=2)
            if not rows:
                break
            seen.extend(r["id"] for r in rows)
    assert len(seen) == 9 and len(set(seen)) == 9


async def test_open_critical_alerts_skip_recovered_components(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        open_alerts = await queries.open_critical_alerts(conn)
    assert [a["component"] for a in open_alerts] == ["database"]


async def test_indicators_for_symbol_and_latest(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        rsi = await queries.indicators_for_symbol(conn, "TSLA", indicator="RSI", limit=2)
        latest = await queries.latest_indicators(conn)
    assert [r["value"] for r in rsi] == [64.0, 63.0]
    assert [(r["indicator"], r["value"]) for r in latest] == [("MACD", 2.5), ("RSI", 64.0)]
    macd = queries.indicator_event(latest[0])
    IndicatorMessage.model_validate(macd)
    assert macd["calculation"]["values"]["signal"] == 0.1


async def test_health_and_ohlcv(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        health = await queries.latest_health(conn)
        bars = await queries.ohlcv_for_symbol(conn, "NVDA", since=minute(5), limit=3)
    assert health is not None and health["status"] == "warning"
    HealthMessage.model_validate(queries.health_event(health))
    assert [b["volume"] for b in bars] == [107, 108, 109]


async def test_recent_queries_return_newest_last(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        recent = await queries.recent_patterns(conn, limit=2)
        recent_alerts = await queries.recent_alerts(conn, limit=2)
    assert recent[-1]["timestamp"] == "2025-10-05T13:39:00Z"
    assert [a["symbol"] for a in recent_alerts] == ["AAPL", "MSFT"]


async def test_symbol_known_looks_in_every_table(populated: AsyncEngine) -> None:
    async with populated.connect() as conn:
        assert await queries.symbol_known(conn, "NVDA")
        assert await queries.symbol_known(conn, "TSLA")
        assert await queries.symbol_known(conn, "MSFT")
        assert not await queries.symbol_known(conn, "ZZZZ")


async def test_non_utc_bounds_are_compared_in_utc(populated: AsyncEngine) -> None:
    eastern = timezone(timedelta(hours=-4))
    since = minute(8).astimezone(eastern)
    async with populated.connect() as conn:
        rows = await queries.patterns_for_symbol(conn, "NVDA", since=since)
    assert len(rows) == 2
