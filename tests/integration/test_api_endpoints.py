"""The HTTP API end to end over ASGI against a real SQLite database."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from tests.integration.test_api_queries import ALERT_DEFAULTS, critical_row, populate

from tickstock.app.api import ApiDependencies, create_api_app
from tickstock.errors import StoreUnavailable
from tickstock.settings import load_settings
from tickstock.store.tables import streaming_alerts


class EngineDatabase:
    """The read-only ``Database`` interface over a plain engine (what the store provides)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self.engine.connect()

    async def ping(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True


class DownDatabase:
    """A database that cannot be reached, as the store reports it."""

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        raise StoreUnavailable("connection refused")

    async def ping(self) -> bool:
        raise StoreUnavailable("connection refused")


async def redis_up() -> bool:
    return True


async def redis_down() -> bool:
    raise ConnectionError("redis refused")


def live_status() -> dict[str, Any]:
    return {"redis": "connected", "database": "ok", "engine": "live"}


@pytest.fixture
def make_client(engine: AsyncEngine) -> Callable[..., httpx.AsyncClient]:
    def make(
        database: Any = None,
        redis_ping: Any = redis_up,
        clock: Callable[[], float] | None = None,
        base_url: str = "http://testserver",
        **settings: Any,
    ) -> httpx.AsyncClient:
        deps = ApiDependencies(
            database=database or EngineDatabase(engine),
            settings=load_settings(**settings),
            live_status=live_status,
            redis_ping=redis_ping,
        )
        if clock is not None:
            deps.rate_limit_clock = clock
        app = create_api_app(deps)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url=base_url)

    return make


@pytest.fixture
async def client(make_client: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as client:
        yield client


@pytest.fixture
async def populated(engine: AsyncEngine, client: httpx.AsyncClient) -> httpx.AsyncClient:
    await populate(engine)
    return client


# --- the four endpoints the original app broke ------------------------------------------

BROKEN_BEFORE = (
    "/api/streaming/status",
    "/api/streaming/patterns/NVDA",
    "/api/streaming/alerts",
    "/api/streaming/alerts.csv",
)


@pytest.mark.parametrize("path", BROKEN_BEFORE)
async def test_endpoint_answers_on_a_populated_database(
    populated: httpx.AsyncClient, path: str
) -> None:
    response = await populated.get(path)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "path", [p for p in BROKEN_BEFORE if "patterns" not in p] + ["/api/streaming/sessions"]
)
async def test_endpoint_answers_on_an_empty_database(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200, response.text


async def test_patterns_of_a_symbol_never_seen_is_404_on_an_empty_database(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/streaming/patterns/NVDA")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_symbol"


# --- status -----------------------------------------------------------------------------


async def test_status_without_a_session_says_null(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/streaming/status")).json()
    assert body["session"] is None
    assert body["app"]["engine"] == "live"
    assert body["server_time"].endswith("Z")
    assert body["settings"]["max_pattern_events"] == 50


async def test_status_shows_the_current_session_and_counts(populated: httpx.AsyncClient) -> None:
    body = (await populated.get("/api/streaming/status")).json()
    assert body["session"]["session_id"] == "s2"
    assert body["session"]["status"] == "active"
    assert body["session"]["counts"] == {"patterns": 12, "indicators": 8, "alerts": 6}


# --- patterns, indicators, ohlcv, sessions ----------------------------------------------


async def test_patterns_with_filters(populated: httpx.AsyncClient) -> None:
    response = await populated.get(
        "/api/streaming/patterns/NVDA",
        params={
            "limit": 2,
            "min_confidence": "0.7",
            "since": "2025-10-05T13:31:00Z",
            "until": "2025-10-05T09:39:00-04:00",
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert [p["timestamp"] for p in body["patterns"]] == [
        "2025-10-05T13:38:00Z",
        "2025-10-05T13:37:00Z",
    ]
    detection = body["patterns"][0]
    assert detection["bar_data"]["volume"] == 250000
    assert detection["high_confidence"] is True


async def test_patterns_by_type(populated: httpx.AsyncClient) -> None:
    body = (
        await populated.get("/api/streaming/patterns/NVDA", params={"pattern_type": "Hammer"})
    ).json()
    assert [p["pattern_type"] for p in body["patterns"]] == ["Hammer"]


async def test_known_symbol_with_nothing_in_the_window_is_an_empty_list(
    populated: httpx.AsyncClient,
) -> None:
    response = await populated.get(
        "/api/streaming/patterns/NVDA", params={"since": "2030-01-01T00:00:00Z"}
    )
    assert response.status_code == 200
    assert response.json()["patterns"] == []


async def test_unknown_symbol_is_404(populated: httpx.AsyncClient) -> None:
    for path in ("patterns", "indicators", "ohlcv"):
        response = await populated.get(f"/api/streaming/{path}/ZZZZ")
        assert response.status_code == 404, path
        assert response.json() == {"error": "unknown_symbol", "detail": "no data for symbol ZZZZ"}


async def test_indicators_of_a_symbol(populated: httpx.AsyncClient) -> None:
    body = (
        await populated.get("/api/streaming/indicators/TSLA", params={"indicator": "MACD"})
    ).json()
    assert body["count"] == 3
    assert body["indicators"][0]["values"] == {"macd": 2.5, "signal": 0.1, "histogram": 2.4}


async def test_ohlcv_bars_oldest_first(populated: httpx.AsyncClient) -> None:
    body = (await populated.get("/api/streaming/ohlcv/NVDA", params={"limit": 3})).json()
    assert [bar["volume"] for bar in body["bars"]] == [107, 108, 109]
    assert set(body["bars"][0]) == {"timestamp", "open", "high", "low", "close", "volume"}


async def test_sessions_newest_first_and_before(populated: httpx.AsyncClient) -> None:
    body = (await populated.get("/api/streaming/sessions")).json()
    assert [s["session_id"] for s in body["sessions"]] == ["s2", "s1"]
    older = (
        await populated.get("/api/streaming/sessions", params={"before": "2025-10-05T13:30:00Z"})
    ).json()
    assert [s["session_id"] for s in older["sessions"]] == ["s1"]


# --- alerts and pagination --------------------------------------------------------------


async def test_alerts_first_page_and_links(populated: httpx.AsyncClient) -> None:
    body = (
        await populated.get("/api/streaming/alerts", params={"per_page": 4, "kind": "indicator"})
    ).json()
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (6, 1, 4, 2)
    assert len(body["items"]) == 4
    assert body["links"] == {
        "self": "/api/streaming/alerts?kind=indicator&page=1&per_page=4",
        "next": "/api/streaming/alerts?kind=indicator&page=2&per_page=4",
        "prev": None,
        "first": "/api/streaming/alerts?kind=indicator&page=1&per_page=4",
        "last": "/api/streaming/alerts?kind=indicator&page=2&per_page=4",
    }


async def test_alerts_last_page_has_no_next(populated: httpx.AsyncClient) -> None:
    body = (await populated.get("/api/streaming/alerts", params={"per_page": 4, "page": 3})).json()
    assert body["pages"] == 3 and len(body["items"]) == 1
    assert body["links"]["next"] is None
    assert body["links"]["prev"] == "/api/streaming/alerts?page=2&per_page=4"


async def test_alerts_page_beyond_the_last_is_404(populated: httpx.AsyncClient) -> None:
    response = await populated.get("/api/streaming/alerts", params={"per_page": 4, "page": 4})
    assert response.status_code == 404


async def test_alerts_filters(populated: httpx.AsyncClient) -> None:
    async def total(**params: str) -> int:
        return (await populated.get("/api/streaming/alerts", params=params)).json()["total"]

    assert await total(kind="critical") == 3
    assert await total(type="MACD_BULLISH_CROSS") == 1
    assert await total(symbol="AAPL") == 5
    assert await total(severity="critical") == 3
    assert await total(since="2025-10-05T13:34:00Z") == 3


async def test_alerts_of_one_session(populated: httpx.AsyncClient) -> None:
    """Session playback asks for one session's alerts (every fixture alert is session s2)."""

    async def total(**params: str) -> int:
        return (await populated.get("/api/streaming/alerts", params=params)).json()["total"]

    everything = await total()
    assert everything > 0
    assert await total(session_id="s2") == everything
    assert await total(session_id="s1") == 0
    assert await total(session_id="s2", kind="critical") == await total(kind="critical")
    csv = await populated.get("/api/streaming/alerts.csv", params={"session_id": "s1"})
    assert csv.status_code == 200 and len(csv.text.strip().splitlines()) == 1  # header only


# --- CSV --------------------------------------------------------------------------------


async def test_alerts_csv_has_a_header_and_every_row(populated: httpx.AsyncClient) -> None:
    response = await populated.get("/api/streaming/alerts.csv", params={"kind": "indicator"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6
    assert rows[0]["symbol"] == "MSFT" and rows[0]["alert_type"] == "MACD_BULLISH_CROSS"


async def test_alerts_csv_escapes_formula_cells(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    hostile = critical_row('=HYPERLINK("http://evil")', 1) | {
        "message": "+SUM(A1:A9)",
        "action_required": "@cmd|' /C calc'!A0",
    }
    async with engine.begin() as conn:
        await conn.execute(insert(streaming_alerts), ALERT_DEFAULTS | hostile)
    response = await client.get("/api/streaming/alerts.csv")
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert row["component"] == '\'=HYPERLINK("http://evil")'
    assert row["message"] == "'+SUM(A1:A9)"
    assert row["action_required"] == "'@cmd|' /C calc'!A0"


async def test_alerts_csv_streams_more_than_one_chunk(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    rows = [ALERT_DEFAULTS | critical_row(f"component-{n}", n % 500) for n in range(2500)]
    async with engine.begin() as conn:
        await conn.execute(insert(streaming_alerts), rows)
    full = await client.get("/api/streaming/alerts.csv", params={"limit": 100000})
    capped = await client.get("/api/streaming/alerts.csv", params={"limit": 1500})
    full_ids = [r["id"] for r in csv.DictReader(io.StringIO(full.text))]
    assert len(full_ids) == 2500 and len(set(full_ids)) == 2500
    assert len(list(csv.DictReader(io.StringIO(capped.text)))) == 1500


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/api/streaming/alerts", {"page": "0"}, "page"),
        ("/api/streaming/alerts", {"per_page": "101"}, "per_page"),
        ("/api/streaming/alerts", {"per_page": "0"}, "per_page"),
        ("/api/streaming/alerts", {"page": "two"}, "page"),
        ("/api/streaming/alerts", {"kind": "warning"}, "kind"),
        ("/api/streaming/alerts", {"type": "RSI_HIGH"}, "type"),
        ("/api/streaming/alerts", {"severity": "fatal"}, "severity"),
        ("/api/streaming/alerts", {"symbol": "aapl"}, "symbol"),
        ("/api/streaming/alerts", {"since": "yesterday"}, "since"),
        ("/api/streaming/alerts", {"since": "2025-10-05T10:15:00"}, "since"),
        ("/api/streaming/alerts", {"sort": "asc"}, "sort"),
        ("/api/streaming/alerts", {"session_id": "no such/id"}, "session_id"),
        ("/api/streaming/alerts.csv", {"session_id": "x" * 65}, "session_id"),
        ("/api/streaming/alerts.csv", {"limit": "100001"}, "limit"),
        ("/api/streaming/alerts.csv", {"page": "1"}, "page"),
        ("/api/streaming/patterns/NVDA", {"limit": "501"}, "limit"),
        ("/api/streaming/patterns/NVDA", {"limit": "-1"}, "limit"),
        ("/api/streaming/patterns/NVDA", {"min_confidence": "1.5"}, "min_confidence"),
        ("/api/streaming/patterns/NVDA", {"min_confidence": "nan"}, "min_confidence"),
        ("/api/streaming/patterns/NVDA", {"until": "2025-13-01T00:00:00Z"}, "until"),
        ("/api/streaming/patterns/NVDA", {"pattern_type": "x" * 201}, "pattern_type"),
        (
            "/api/streaming/patterns/NVDA",
            {"since": "2025-10-05T12:00:00Z", "until": "2025-10-05T11:00:00Z"},
            "until",
        ),
        ("/api/streaming/patterns/NVDA", {"limit": ""}, "limit"),
        ("/api/streaming/indicators/TSLA", {"limit": "1e3"}, "limit"),
        ("/api/streaming/ohlcv/NVDA", {"limit": "5001"}, "limit"),
        ("/api/streaming/sessions", {"before": "soon"}, "before"),
        ("/api/streaming/status", {"verbose": "1"}, "verbose"),
    ],
)
async def test_bad_parameter_is_400_naming_it(
    populated: httpx.AsyncClient, path: str, params: dict[str, str], named: str
) -> None:
    response = await populated.get(path, params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_parameter"
    assert body["detail"].startswith(f"{named}:")


async def test_a_parameter_on_an_endpoint_that_takes_none_says_it_takes_none(
    populated: httpx.AsyncClient,
) -> None:
    response = await populated.get("/api/streaming/status", params={"verbose": "1"})
    assert response.status_code == 400
    assert response.json()["detail"] == "verbose: unknown parameter; this endpoint takes none"


@pytest.mark.parametrize("raw", ["\u0665", "\u0661\u0660", "\uff15"])  # Arabic-Indic, fullwidth
async def test_an_integer_is_written_in_ascii_digits(
    populated: httpx.AsyncClient, raw: str
) -> None:
    response = await populated.get("/api/streaming/alerts", params={"per_page": raw})
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == "per_page: must be an integer"


async def test_repeated_parameter_is_400(populated: httpx.AsyncClient) -> None:
    response = await populated.get("/api/streaming/alerts?page=1&page=2")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("page:")


@pytest.mark.parametrize("symbol", ["<script>", "nvda", "TOOLONGSYMBOL", "A B", "1ABC"])
async def test_malformed_symbol_is_400(populated: httpx.AsyncClient, symbol: str) -> None:
    response = await populated.get(f"/api/streaming/patterns/{httpx.URL(symbol)}")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("symbol:")
    assert "<script>" not in response.headers.get("content-type", "")


async def test_offset_with_unencoded_plus_is_understood(populated: httpx.AsyncClient) -> None:
    response = await populated.get(
        "/api/streaming/patterns/NVDA?since=2025-10-05T09:38:00+04:00&limit=5"
    )
    assert response.status_code == 200
    assert response.json()["count"] == 5


async def test_unknown_route_and_wrong_method_are_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/streaming/nothing")
    wrong = await client.post("/api/streaming/alerts")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"


# --- database down, disabled, probes ----------------------------------------------------


@pytest.mark.parametrize(
    "path", [*BROKEN_BEFORE[1:], "/api/streaming/sessions"]
)  # the status answers from the live state instead: the next test
async def test_database_down_is_503_json(
    make_client: Callable[..., httpx.AsyncClient], path: str
) -> None:
    async with make_client(database=DownDatabase()) as client:
        response = await client.get(path)
    assert response.status_code == 503
    assert response.json() == {
        "error": "database_unavailable",
        "detail": "the database cannot be reached; retry later",
    }


async def test_status_answers_from_the_live_state_while_the_database_is_down(
    engine: AsyncEngine,
) -> None:
    session = {"session_id": "live-1", "status": "active", "symbol_count": 50}
    deps = ApiDependencies(
        database=DownDatabase(),
        settings=load_settings(),
        live_status=lambda: {**live_status(), "database": "down", "session": session},
        redis_ping=redis_up,
    )
    transport = httpx.ASGITransport(app=create_api_app(deps), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/streaming/status")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["session"] == session
    assert body["source"] == "live" and body["unavailable"] == ["session_counts"]
    assert body["app"]["database"] == "down" and "session" not in body["app"]


async def test_status_reads_the_session_from_the_database_when_it_answers(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/api/streaming/status")).json()
    assert body["source"] == "database" and body["unavailable"] == []


async def test_unreadable_sqlite_file_is_503(
    make_client: Callable[..., httpx.AsyncClient], tmp_path: Any
) -> None:
    missing = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'x.db'}")
    async with make_client(database=EngineDatabase(missing)) as client:
        response = await client.get("/api/streaming/alerts")
    await missing.dispose()
    assert response.status_code == 503
    assert "Traceback" not in response.text


async def test_disabled_dashboard_answers_404_disabled(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    async with make_client(streaming_dashboard_enabled=False) as client:
        for path in (*BROKEN_BEFORE, "/api/streaming/ohlcv/NVDA"):
            response = await client.get(path)
            assert response.status_code == 404
            assert response.json()["error"] == "disabled"
        assert (await client.get("/healthz")).status_code == 200


async def test_healthz_and_readyz_when_all_is_up(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"redis": "ok", "database": "ok"}}


async def test_readyz_names_what_is_down(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client(redis_ping=redis_down) as client:
        redis_response = await client.get("/readyz")
    async with make_client(database=DownDatabase()) as client:
        database_response = await client.get("/readyz")
    assert redis_response.status_code == 503
    assert redis_response.json()["checks"] == {"redis": "down", "database": "ok"}
    assert redis_response.json()["detail"] == "redis unreachable"
    assert database_response.json()["checks"] == {"redis": "ok", "database": "down"}


async def test_metrics_text_parses_and_counts_requests(populated: httpx.AsyncClient) -> None:
    await populated.get("/api/streaming/alerts")
    await populated.get("/api/streaming/alerts", params={"page": "0"})
    response = await populated.get("/metrics")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    requests = {
        (s.labels["route"], s.labels["status"]): s.value
        for s in families["tickstock_api_requests"].samples
        if s.name.endswith("_total")
    }
    assert requests[("/api/streaming/alerts", "200")] == 1
    assert requests[("/api/streaming/alerts", "400")] == 1
    assert "tickstock_relay_latency_seconds" in families


async def test_openapi_documents_every_api_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    for path in (
        "/api/streaming/status",
        "/api/streaming/patterns/{symbol}",
        "/api/streaming/alerts",
        "/api/streaming/alerts.csv",
        "/api/streaming/indicators/{symbol}",
        "/api/streaming/sessions",
        "/api/streaming/ohlcv/{symbol}",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in spec["paths"], path


async def test_api_docs_page_loads_its_script_from_a_file(client: httpx.AsyncClient) -> None:
    page = await client.get("/api/docs")
    script = await client.get("/api/docs/docs.js")
    assert page.status_code == 200 and '<script type="module" src="/api/docs/docs.js">' in page.text
    assert "<script>" not in page.text
    assert script.headers["content-type"].startswith("text/javascript")
