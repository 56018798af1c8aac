"""StoreWriter against real SQLite and PostgreSQL: every contract field round-trips, retries
never duplicate a row, and the counts returned are the rows actually inserted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Table, select

from tickstock.contract import (
    CriticalAlert,
    Health,
    IndicatorAlert,
    IndicatorCalculation,
    PatternDetection,
    SessionStart,
    SessionStop,
    parse,
)
from tickstock.contract.channels import Channel
from tickstock.contract.samples import SAMPLES
from tickstock.store import tables
from tickstock.store.database import Database
from tickstock.store.writer import StoreWriter

T0 = datetime(2025, 10, 5, 14, 15, tzinfo=UTC)
LONGEST_TEXT = "Three Black Crows — ünïcödé " + "x" * 172  # 200 characters, the contract's max
assert len(LONGEST_TEXT) == 200


def sample(channel: Channel):
    return parse(channel, SAMPLES[channel])


async def rows_of(db: Database, table: Table) -> list[dict]:
    async with db.connect() as conn:
        result = await conn.execute(select(table))
        return [dict(row) for row in result.mappings()]


def assert_aware_utc(*values: datetime) -> None:
    for value in values:
        assert value.utcoffset() == timedelta(0), f"{value!r} is not aware UTC"


def detection(symbol: str = "NVDA", confidence: float = 0.85, minute: int = 0) -> PatternDetection:
    return PatternDetection(
        symbol=symbol,
        pattern_type="Doji",
        confidence=confidence,
        timestamp=T0 + timedelta(minutes=minute),
        timeframe="1min",
        bar_data={"open": 125.5, "high": 125.75, "low": 125.45, "close": 125.52, "volume": 250000},
    )


# --- every field lands in its column and reads back equal ---------------------------------


async def test_a_session_start_and_stop_read_back_as_one_closed_session(
    migrated_database: Database,
) -> None:
    writer = StoreWriter(migrated_database)
    start = SessionStart(
        session_id="s" * 64,
        universe=LONGEST_TEXT,
        started_at=datetime(2025, 10, 5, 13, 30, 0, 123000, tzinfo=UTC),
        symbol_count=500,
    )
    stop = SessionStop(
        session_id="s" * 64,
        stopped_at=datetime(2025, 10, 5, 20, 0, tzinfo=UTC),
        duration_seconds=23400.5,
        total_patterns=1250,
        total_indicators=45000,
    )

    assert await writer.write_session_started(start) == 1
    (active,) = await rows_of(migrated_database, tables.streaming_sessions)
    assert active["status"] == "active"
    assert SessionStart(**{k: active[k] for k in SessionStart.model_fields}) == start

    assert await writer.write_session_stopped(stop) == 1
    (closed,) = await rows_of(migrated_database, tables.streaming_sessions)
    assert closed["status"] == "stopped"
    assert SessionStop(**{k: closed[k] for k in SessionStop.model_fields}) == stop
    assert (closed["universe"], closed["started_at"]) == (start.universe, start.started_at)
    assert_aware_utc(closed["started_at"], closed["stopped_at"])


async def test_a_stop_for_a_session_never_started_creates_its_row(
    migrated_database: Database,
) -> None:
    stop = sample(Channel.SESSION_STOPPED).session

    assert await StoreWriter(migrated_database).write_session_stopped(stop) == 1

    (row,) = await rows_of(migrated_database, tables.streaming_sessions)
    assert (row["session_id"], row["status"], row["total_patterns"]) == (
        stop.session_id,
        "stopped",
        1250,
    )
    assert row["started_at"] == datetime(2025, 10, 5, 9, 30, tzinfo=UTC), "stop − duration"


async def test_a_detection_reads_back_equal_with_its_high_confidence_flag(
    migrated_database: Database,
) -> None:
    strong = detection(confidence=0.8)
    weak = PatternDetection(
        symbol="BRK.B",
        pattern_type=LONGEST_TEXT,
        confidence=0.79999,
        timestamp=datetime(2025, 10, 5, 14, 15, 59, 999000, tzinfo=UTC),
        timeframe="9999min",
        bar_data={"open": 0.0, "high": 2.5e6, "low": 0.0, "close": 1e-4, "volume": 2**40},
    )

    assert await StoreWriter(migrated_database).write_patterns([strong, weak], "session-1") == 2

    rows = {
        row["symbol"]: row for row in await rows_of(migrated_database, tables.intraday_patterns)
    }
    for model in (strong, weak):
        row = rows[model.symbol]
        bar = {k: row[k] for k in ("open", "high", "low", "close", "volume")}
        fields = {k: row[k] for k in ("symbol", "pattern_type", "confidence", "timestamp")}
        assert PatternDetection(**fields, timeframe=row["timeframe"], bar_data=bar) == model
        assert row["session_id"] == "session-1"
        assert_aware_utc(row["timestamp"])
    assert rows["NVDA"]["high_confidence"] is True, "0.8 is high confidence (>= 0.8)"
    assert rows["BRK.B"]["high_confidence"] is False


async def test_indicator_calculations_keep_their_lines_and_metadata(
    migrated_database: Database,
) -> None:
    rsi = sample(Channel.INDICATORS_STREAMING).calculation
    macd = IndicatorCalculation(
        symbol="AAPL",
        indicator="MACD",
        value=1.25,
        values={"macd": 1.25, "signal": 1.0, "histogram": 0.25},
        timestamp=T0,
        timeframe="1min",
        metadata={"fast": 12, "slow": 26, "signal": 9, "source": "close", "ema": True},
    )

    assert await StoreWriter(migrated_database).write_indicators([rsi, macd], None) == 2

    rows = {
        row["symbol"]: row for row in await rows_of(migrated_database, tables.intraday_indicators)
    }
    for model in (rsi, macd):
        row = rows[model.symbol]
        fields = ("symbol", "indicator", "value", "values", "timestamp", "timeframe", "metadata")
        assert IndicatorCalculation(**{k: row[k] for k in fields}) == model
        assert_aware_utc(row["timestamp"])


async def test_a_health_report_reads_back_equal(migrated_database: Database) -> None:
    health = Health(
        status="warning",
        timestamp=T0,
        active_symbols=485,
        connection_status="degraded",
        data_flow={"ticks_per_second": 125.3, "bars_per_minute": 480, "processing_lag_ms": 45},
        resource_usage={"cpu_percent": 35.2, "memory_mb": 512, "threads_active": 8},
        issues=["feed lag 4 s", {"message": "redis reconnecting"}],
    )

    assert await StoreWriter(migrated_database).write_health(health, "session-1") == 1

    (row,) = await rows_of(migrated_database, tables.streaming_health_metrics)
    flow = {k: row[k] for k in ("ticks_per_second", "bars_per_minute", "processing_lag_ms")}
    usage = {k: row[k] for k in ("cpu_percent", "memory_mb", "threads_active")}
    top = ("status", "timestamp", "active_symbols", "connection_status", "issues")
    rebuilt = Health(**{k: row[k] for k in top}, data_flow=flow, resource_usage=usage)
    assert rebuilt == health
    assert row["issues"] == ["feed lag 4 s", "redis reconnecting"]
    assert_aware_utc(row["timestamp"])


async def test_alerts_read_back_equal(migrated_database: Database) -> None:
    overbought = sample(Channel.ALERTS_INDICATORS).alert
    cross = IndicatorAlert(
        symbol="MSFT",
        alert_type="MACD_BULLISH_CROSS",
        timestamp=T0,
        data={"indicator": "MACD", "value": -0.5},  # no threshold for a crossing
    )
    outage = sample(Channel.ALERTS_CRITICAL).alert
    recovery = CriticalAlert(
        severity="warning",
        message=LONGEST_TEXT,
        timestamp=T0,
        component=LONGEST_TEXT,
        resolved=True,
    )
    writer = StoreWriter(migrated_database)

    assert await writer.write_indicator_alerts([overbought, cross], "session-1") == 2
    assert await writer.write_critical_alerts([outage, recovery], "session-1") == 2

    rows = await rows_of(migrated_database, tables.streaming_alerts)
    indicator_rows = {r["symbol"]: r for r in rows if r["kind"] == "indicator"}
    for model in (overbought, cross):
        row = indicator_rows[model.symbol]
        data = {k: row[k] for k in ("indicator", "value", "threshold")}
        fields = {k: row[k] for k in ("symbol", "alert_type", "timestamp")}
        assert IndicatorAlert(**fields, data=data) == model
        assert_aware_utc(row["timestamp"])
    critical_rows = {r["resolved"]: r for r in rows if r["kind"] == "critical"}
    for model in (outage, recovery):
        row = critical_rows[model.resolved]
        assert CriticalAlert(**{k: row[k] for k in CriticalAlert.model_fields}) == model
    assert {r["session_id"] for r in rows} == {"session-1"}


async def test_bars_read_back_equal(migrated_database: Database) -> None:
    bar = {
        "symbol": "RDS-A",
        "timestamp": T0,
        "open": 1.0,
        "high": 2.0,
        "low": 0.5,
        "close": 1.5,
        "volume": 2**40,
    }

    assert await StoreWriter(migrated_database).write_bars([bar]) == 1

    (row,) = await rows_of(migrated_database, tables.ohlcv_1min)
    assert row == bar
    assert_aware_utc(row["timestamp"])


async def test_a_timestamp_with_an_offset_is_stored_as_the_same_instant_in_utc(
    migrated_database: Database,
) -> None:
    new_york = timezone(-timedelta(hours=4))
    bar = {"symbol": "A", "timestamp": datetime(2025, 10, 5, 10, 15, tzinfo=new_york)}
    bar |= {"open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0, "volume": 1}

    await StoreWriter(migrated_database).write_bars([bar])

    (row,) = await rows_of(migrated_database, tables.ohlcv_1min)
    assert row["timestamp"] == datetime(2025, 10, 5, 14, 15, tzinfo=UTC)
    assert_aware_utc(row["timestamp"])


# --- idempotency and counts ---------------------------------------------------------------


async def test_a_detection_written_twice_is_one_row(migrated_database: Database) -> None:
    writer = StoreWriter(migrated_database)

    first = await writer.write_patterns([detection()], "session-1")
    again = await writer.write_patterns([detection(), detection(symbol="AMD")], "session-1")

    assert (first, again) == (1, 1), "the second call inserts only the new detection"
    assert len(await rows_of(migrated_database, tables.intraday_patterns)) == 2


async def test_a_retried_batch_of_every_kind_inserts_nothing_the_second_time(
    migrated_database: Database,
) -> None:
    writer = StoreWriter(migrated_database)
    start = sample(Channel.SESSION_STARTED).session
    calls = (
        lambda: writer.write_session_started(start),
        lambda: writer.write_patterns([detection()], start.session_id),
        lambda: writer.write_indicators(
            [sample(Channel.INDICATORS_STREAMING).calculation], start.session_id
        ),
        lambda: writer.write_indicator_alerts(
            [sample(Channel.ALERTS_INDICATORS).alert], start.session_id
        ),
        lambda: writer.write_critical_alerts(
            [sample(Channel.ALERTS_CRITICAL).alert], start.session_id
        ),
        lambda: writer.write_health(sample(Channel.HEALTH).health, start.session_id),
        lambda: writer.write_bars(
            [
                {
                    "symbol": "A",
                    "timestamp": T0,
                    "open": 1,
                    "high": 1,
                    "low": 1,
                    "close": 1,
                    "volume": 1,
                }
            ]
        ),
    )

    first = [await call() for call in calls]
    second = [await call() for call in calls]

    assert first == [1] * len(calls)
    assert second == [0] * len(calls)
    for table in tables.ALL_TABLES:
        expected = 2 if table is tables.streaming_alerts else 1  # an indicator and a critical
        assert len(await rows_of(migrated_database, table)) == expected, table.name


async def test_an_alert_and_its_recovery_are_two_rows_and_each_is_idempotent(
    migrated_database: Database,
) -> None:
    outage = sample(Channel.ALERTS_CRITICAL).alert
    recovery = outage.model_copy(update={"resolved": True})
    writer = StoreWriter(migrated_database)

    assert await writer.write_critical_alerts([outage, recovery], None) == 2
    assert await writer.write_critical_alerts([recovery, outage], None) == 0

    assert sorted(
        r["resolved"] for r in await rows_of(migrated_database, tables.streaming_alerts)
    ) == [
        False,
        True,
    ]


async def test_wire_dicts_and_models_give_the_same_row(migrated_database: Database) -> None:
    model = detection()
    writer = StoreWriter(migrated_database)

    assert await writer.write_patterns([model], None) == 1
    assert await writer.write_patterns([model.model_dump(mode="json")], None) == 0


async def test_a_batch_larger_than_one_statement_is_written_whole(
    migrated_database: Database,
) -> None:
    # 5,000 bars × 7 columns = 35,000 parameters: over SQLite's and asyncpg's 32,766/32,767
    bars = [
        {
            "symbol": f"S{i % 500}",
            "timestamp": T0 + timedelta(minutes=i // 500),
            "open": 1.0,
            "high": 2.0,
            "low": 0.5,
            "close": 1.5,
            "volume": i,
        }
        for i in range(5000)
    ]
    writer = StoreWriter(migrated_database)

    assert await writer.write_bars(bars) == 5000
    earlier = dict(bars[0], timestamp=T0 - timedelta(days=1))
    assert await writer.write_bars([*bars[-10:], earlier]) == 1, "only the new bar"

    assert len(await rows_of(migrated_database, tables.ohlcv_1min)) == 5001


async def test_an_empty_batch_writes_nothing(migrated_database: Database) -> None:
    writer = StoreWriter(migrated_database)

    assert await writer.write_patterns([], None) == 0
    assert await writer.write_bars([]) == 0
