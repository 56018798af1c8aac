"""POST /api/client-errors on a real app: validated, size-limited, behind the API's auth,
logged with context once per message per minute, and counted."""

from __future__ import annotations

import logging

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.integration.relay_harness import app_settings, running_app

pytestmark = pytest.mark.timeout(60)

TOKEN = "client-errors-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPORT = {
    "kind": "error",
    "message": "TypeError: x is undefined",
    "source": "http://127.0.0.1/js/app.js",
    "line": 12,
    "column": 4,
    "stack": "at render (app.js:12:4)",
    "page": "/#/streaming",
}


@pytest.fixture
async def http(redis_url, database):
    settings = app_settings(redis_url, database.url, auth_token=TOKEN)
    async with running_app(settings, database) as app:
        async with httpx.AsyncClient(base_url=app.url) as client:
            yield client


def browser_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tickstock.app.client_errors"]


async def test_a_report_is_logged_with_its_context_and_counted(http, caplog):
    caplog.set_level(logging.INFO)
    response = await http.post("/api/client-errors", json=REPORT, headers=AUTH)
    assert response.status_code == 204
    (line,) = browser_errors(caplog)
    assert line.levelno == logging.WARNING
    assert line.getMessage() == "browser error: TypeError: x is undefined"
    assert line.fields["kind"] == "error" and line.fields["line"] == 12
    assert line.fields["page"] == "/#/streaming" and line.fields["client"] == "127.0.0.1"
    metrics = (await http.get("/metrics", headers=AUTH)).text
    counted = {
        s.labels["kind"]: s.value
        for f in text_string_to_metric_families(metrics)
        for s in f.samples
        if s.name == "tickstock_client_errors_total"
    }
    assert counted == {"error": 1.0}


async def test_the_same_message_is_logged_once_a_minute_however_often_sent(http, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(5):
        response = await http.post("/api/client-errors", json=REPORT, headers=AUTH)
        assert response.status_code == 204
    other = {"kind": "unhandledrejection", "message": "nobody caught me"}
    assert (await http.post("/api/client-errors", json=other, headers=AUTH)).status_code == 204
    assert [r.getMessage() for r in browser_errors(caplog)] == [
        "browser error: TypeError: x is undefined",
        "browser error: nobody caught me",
    ]


async def test_control_characters_cannot_forge_log_lines(http, caplog):
    caplog.set_level(logging.INFO)
    report = {"kind": "error", "message": "boom\n2026-01-01 ERROR forged\u202e"}
    assert (await http.post("/api/client-errors", json=report, headers=AUTH)).status_code == 204
    (line,) = browser_errors(caplog)
    assert "\n" not in line.getMessage() and "\u202e" not in line.getMessage()


async def test_it_needs_the_same_auth_as_the_rest_of_the_api(http):
    response = await http.post("/api/client-errors", json=REPORT)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "headers", "status", "detail"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, "not JSON"),
        (b'{"kind": "error"}', {"Content-Type": "application/json"}, 400, "message"),
        (b'{"kind": "warn", "message": "x"}', {"Content-Type": "application/json"}, 400, "kind"),
        (b'{"kind": "error", "message": "x", "line": "12"}', {"Content-Type": "application/json"}, 400, "line"),
        (b'{"kind": "error", "message": "x", "extra": 1}', {"Content-Type": "application/json"}, 400, "extra"),
        (b'["error"]', {"Content-Type": "application/json"}, 400, "(body)"),
        (b'{"kind": "error", "message": "' + b"m" * 501 + b'"}', {"Content-Type": "application/json"}, 400, "message"),
        (b'{"kind": "error", "message": "' + b"m" * 9000 + b'"}', {"Content-Type": "application/json"}, 413, "8192"),
        (b'{"kind": "error", "message": "x"}', {"Content-Type": "text/plain"}, 415, "application/json"),
        (b'{"kind": "error", "message": "x"}', {"Content-Type": "application/json", "Origin": "https://evil.example"}, 403, "cross-site"),
    ],
)  # fmt: skip
async def test_bad_reports_are_refused_with_the_reason(http, caplog, body, headers, status, detail):
    caplog.set_level(logging.INFO)
    response = await http.post("/api/client-errors", content=body, headers={**AUTH, **headers})
    assert response.status_code == status
    assert detail in response.json()["detail"]
    assert browser_errors(caplog) == []
