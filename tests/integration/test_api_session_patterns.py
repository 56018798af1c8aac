"""``GET /api/streaming/sessions/{session_id}/patterns`` end to end, on SQLite and PostgreSQL.

The data is ``populate()``'s (twelve detections of session ``s2``; two share minute 3 and
two minute 4, the later-inserted Hammer/AAPL having the higher ids) plus a session with no
detection (``s3``) and detections whose session row was never written (``orphan``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.integration.test_api_endpoints import DownDatabase, EngineDatabase, live_status, redis_up
from tests.integration.test_api_queries import T0, pattern_row, populate

from tickstock.app.api import ApiDependencies, create_api_app
from tickstock.settings import load_settings
from tickstock.store import queries
from tickstock.store.tables import intraday_patterns, streaming_sessions

PATH = "/api/streaming/sessions/{}/patterns"

#: (timestamp minute, symbol, pattern_type) of session s2's detections, oldest first.
S2_ORDER = [
    ("13:30", "NVDA", "Doji"),
    ("13:31", "NVDA", "Doji"),
    ("13:32", "NVDA", "Doji"),
    ("13:33", "NVDA", "Doji"),
    ("13:33", "NVDA", "Hammer"),
    ("13:34", "NVDA", "Doji"),
    ("13:34", "AAPL", "Doji"),
    ("13:35", "NVDA", "Doji"),
    ("13:36", "NVDA", "Doji"),
    ("13:37", "NVDA", "Doji"),
    ("13:38", "NVDA", "Doji"),
    ("13:39", "NVDA", "Doji"),
]


def key(item: dict[str, Any]) -> tuple[str, str, str]:
    return (item["timestamp"][11:16], item["symbol"], item["pattern_type"])


@pytest.fixture
async def engine(any_engine: AsyncEngine) -> AsyncEngine:
    """Three sessions' patterns, and two orphans of a session the database does not hold."""
    engine = any_engine
    await populate(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(streaming_sessions),
            {
                "session_id": "s3",
                "universe": "market_leaders:top_500",
                "status": "active",
                "started_at": T0.replace(day=6),
                "symbol_count": 500,
            },
        )
        await conn.execute(
            insert(intraday_patterns),
            [pattern_row("TSLA", n) | {"session_id": "orphan"} for n in (2, 1)],
        )
    return engine


@pytest.fixture
def make_client(engine: AsyncEngine) -> Callable[..., httpx.AsyncClient]:
    def make(database: Any = None, **settings: Any) -> httpx.AsyncClient:
        deps = ApiDependencies(
            database=database or EngineDatabase(engine),
            settings=load_settings(**settings),
            live_status=live_status,
            redis_ping=redis_up,
        )
        transport = httpx.ASGITransport(app=create_api_app(deps), raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    return make


@pytest.fixture
async def client(make_client: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as client:
        yield client


# --- the query ------------------------------------------------------------------------


async def test_query_pages_oldest_first_with_the_total(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        first, total = await queries.session_patterns_page(conn, "s2", 1, 5)
        last, _ = await queries.session_patterns_page(conn, "s2", 3, 5)
        none, zero = await queries.session_patterns_page(conn, "s3")
        assert await queries.session_known(conn, "s3") is True
        assert await queries.session_known(conn, "orphan") is True
        assert await queries.session_known(conn, "nope") is False
    assert total == 12 and (none, zero) == ([], 0)
    assert [key(p) for p in first] == S2_ORDER[:5]
    assert [key(p) for p in last] == S2_ORDER[10:]
    assert first[3]["id"] < first[4]["id"]


# --- the endpoint ---------------------------------------------------------------------


async def test_default_page_is_every_detection_oldest_first(client: httpx.AsyncClient) -> None:
    response = await client.get(PATH.format("s2"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["session_id"], body["total"], body["page"], body["per_page"], body["pages"]) == (
        "s2",
        12,
        1,
        100,
        1,
    )
    assert [key(p) for p in body["items"]] == S2_ORDER
    first = body["items"][0]
    assert set(first) == {
        "symbol",
        "pattern_type",
        "confidence",
        "timestamp",
        "timeframe",
        "bar_data",
        "high_confidence",
    }
    assert first["timestamp"] == "2025-10-05T13:30:00Z"
    assert first["bar_data"]["volume"] == 250000
    assert first["high_confidence"] is False
    assert body["items"][4]["high_confidence"] is True
    assert body["links"]["next"] is None and body["links"]["prev"] is None


async def test_items_match_the_per_symbol_endpoint(client: httpx.AsyncClient) -> None:
    session = (await client.get(PATH.format("s2"), params={"symbol": "AAPL"})).json()
    by_symbol = (await client.get("/api/streaming/patterns/AAPL")).json()
    assert session["items"] == by_symbol["patterns"]


async def test_pages_walk_every_detection_once_with_links(client: httpx.AsyncClient) -> None:
    seen = []
    url: str | None = PATH.format("s2") + "?per_page=5&pattern_type=Doji"
    bodies = []
    while url is not None:
        body = (await client.get(url)).json()
        bodies.append(body)
        seen.extend(key(p) for p in body["items"])
        url = body["links"]["next"]
    assert seen == [k for k in S2_ORDER if k[2] == "Doji"]
    assert [len(b["items"]) for b in bodies] == [5, 5, 1]
    assert bodies[0]["links"] == {
        "self": "/api/streaming/sessions/s2/patterns?pattern_type=Doji&page=1&per_page=5",
        "next": "/api/streaming/sessions/s2/patterns?pattern_type=Doji&page=2&per_page=5",
        "prev": None,
        "first": "/api/streaming/sessions/s2/patterns?pattern_type=Doji&page=1&per_page=5",
        "last": "/api/streaming/sessions/s2/patterns?pattern_type=Doji&page=3&per_page=5",
    }
    assert bodies[2]["links"]["prev"].endswith("page=2&per_page=5")


@pytest.mark.parametrize(("per_page", "pages"), [(1, 12), (500, 1)])
async def test_per_page_bounds_are_accepted(
    client: httpx.AsyncClient, per_page: int, pages: int
) -> None:
    body = (await client.get(PATH.format("s2"), params={"per_page": per_page})).json()
    assert (body["per_page"], body["pages"], len(body["items"])) == (
        per_page,
        pages,
        min(12, per_page),
    )


async def test_filters(client: httpx.AsyncClient) -> None:
    confident = (await client.get(PATH.format("s2"), params={"min_confidence": "0.9"})).json()
    nvda = (await client.get(PATH.format("s2"), params={"symbol": "NVDA"})).json()
    hammer = (await client.get(PATH.format("s2"), params={"pattern_type": "Hammer"})).json()
    assert confident["total"] == 3 and all(p["confidence"] >= 0.9 for p in confident["items"])
    assert nvda["total"] == 11 and {p["symbol"] for p in nvda["items"]} == {"NVDA"}
    assert [key(p) for p in hammer["items"]] == [("13:33", "NVDA", "Hammer")]


async def test_known_session_without_detections_is_an_empty_page(
    client: httpx.AsyncClient,
) -> None:
    for session_id, params in (("s3", {}), ("s2", {"symbol": "MSFT"})):
        response = await client.get(PATH.format(session_id), params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["items"], body["total"], body["pages"]) == ([], 0, 1)


async def test_detections_without_a_session_row_are_listed(client: httpx.AsyncClient) -> None:
    body = (await client.get(PATH.format("orphan"))).json()
    assert [p["timestamp"] for p in body["items"]] == [
        "2025-10-05T13:31:00Z",
        "2025-10-05T13:32:00Z",
    ]


async def test_unknown_session_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(PATH.format("no-such-session"))
    assert response.status_code == 404
    assert response.json() == {
        "error": "unknown_session",
        "detail": "no such session: no-such-session",
    }


async def test_page_beyond_the_last_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(PATH.format("s2"), params={"per_page": 5, "page": 4})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "501"}, "per_page"),
        ({"per_page": ""}, "per_page"),
        ({"symbol": "nvda"}, "symbol"),
        ({"pattern_type": "x" * 201}, "pattern_type"),
        ({"min_confidence": "1.5"}, "min_confidence"),
        ({"min_confidence": "-0.1"}, "min_confidence"),
        ({"min_confidence": "nan"}, "min_confidence"),
        ({"limit": "10"}, "limit"),
    ],
)
async def test_bad_parameter_is_400_naming_it(
    client: httpx.AsyncClient, params: dict[str, str], named: str
) -> None:
    response = await client.get(PATH.format("s2"), params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_parameter"
    assert body["detail"].startswith(f"{named}:")


async def test_repeated_parameter_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get(PATH.format("s2") + "?page=1&page=2")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("page:")


@pytest.mark.parametrize("session_id", ["a%20b", "x" * 65, "s2%3Bdrop", "%3Cscript%3E", "%C3%A9"])
async def test_malformed_session_id_is_400(client: httpx.AsyncClient, session_id: str) -> None:
    response = await client.get(PATH.format(session_id))
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_parameter"
    assert response.json()["detail"].startswith("session_id:")


async def test_database_down_is_503(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client(database=DownDatabase()) as client:
        response = await client.get(PATH.format("s2"))
    assert response.status_code == 503
    assert response.json() == {
        "error": "database_unavailable",
        "detail": "the database cannot be reached; retry later",
    }


async def test_disabled_dashboard_is_404_disabled(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    async with make_client(streaming_dashboard_enabled=False) as client:
        response = await client.get(PATH.format("s2"))
    assert response.status_code == 404
    assert response.json()["error"] == "disabled"


async def test_openapi_documents_the_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    operation = spec["paths"]["/api/streaming/sessions/{session_id}/patterns"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"session_id", "page", "per_page", "symbol", "pattern_type", "min_confidence"}
    assert {"200", "400", "404", "503"} <= set(operation["responses"])
