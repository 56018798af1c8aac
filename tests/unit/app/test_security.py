"""Security headers on every response; HSTS only over TLS; allowed origins."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tickstock.app.security import (
    CONTENT_SECURITY_POLICY,
    SecurityHeadersMiddleware,
    allowed_origins,
    origin_allowed,
)
from tickstock.settings import load_settings


def _client(base_url: str = "http://testserver") -> TestClient:
    async def ok(_: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/", ok)], middleware=[Middleware(SecurityHeadersMiddleware)])
    return TestClient(app, base_url=base_url)


def test_every_response_carries_the_security_headers() -> None:
    for path in ("/", "/missing"):
        headers = _client().get(path).headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_forbids_inline_script() -> None:
    directives = dict(
        d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";") if d.strip()
    )
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"


def test_hsts_only_over_tls() -> None:
    assert "Strict-Transport-Security" not in _client().get("/").headers
    tls = _client("https://testserver").get("/").headers
    assert tls["Strict-Transport-Security"].startswith("max-age=")


def test_same_origin_allowed_by_default_and_others_refused() -> None:
    settings = load_settings()
    assert origin_allowed("http://dash.local:8000", "dash.local:8000", settings)
    assert origin_allowed("https://dash.local:8000", "dash.local:8000", settings)
    assert not origin_allowed("http://evil.example", "dash.local:8000", settings)
    assert not origin_allowed("null", "dash.local:8000", settings)
    assert origin_allowed(None, "dash.local:8000", settings)


def test_configured_origins_are_allowed_with_default_ports_normalised() -> None:
    settings = load_settings(allowed_origins=["https://Ops.Example.com:443"])
    assert "https://ops.example.com" in allowed_origins(settings, "127.0.0.1:8000")
    assert origin_allowed("https://ops.example.com", "127.0.0.1:8000", settings)
