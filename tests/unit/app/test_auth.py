"""Token auth: bearer, login cookie, socket payload, and the bind guard."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tickstock.app.auth import (
    SESSION_COOKIE,
    AuthMiddleware,
    TokenAuth,
    auth_routes,
    check_socket_auth,
    ensure_bind_allowed,
)
from tickstock.errors import ConfigError
from tickstock.settings import load_settings

TOKEN = "s3cret-token"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_760_000_000.0

    def __call__(self) -> float:
        return self.now


def test_bearer_token_must_match_exactly() -> None:
    auth = TokenAuth(TOKEN)
    assert auth.headers_authorised(f"Bearer {TOKEN}", None)
    assert not auth.headers_authorised(f"Bearer {TOKEN}x", None)
    assert not auth.headers_authorised("Bearer ", None)
    assert not auth.headers_authorised(f"Basic {TOKEN}", None)
    assert not auth.headers_authorised(None, None)


def test_auth_off_lets_everything_through() -> None:
    auth = TokenAuth(None)
    assert not auth.enabled
    assert auth.headers_authorised(None, None)
    assert auth.socket_authorised({}, None)


def test_cookie_is_valid_until_it_expires() -> None:
    clock = FakeClock()
    auth = TokenAuth(TOKEN, clock=clock, ttl_seconds=60)
    cookie = auth.issue_cookie()
    assert auth.cookie_valid(cookie)
    clock.now += 61
    assert not auth.cookie_valid(cookie)


def test_tampered_or_foreign_cookie_is_refused() -> None:
    auth = TokenAuth(TOKEN)
    cookie = auth.issue_cookie()
    expiry, nonce, signature = cookie.split(".")
    assert not auth.cookie_valid(f"{int(expiry) + 3600}.{nonce}.{signature}")
    assert not auth.cookie_valid(TokenAuth("other-token").issue_cookie())
    assert not auth.cookie_valid("garbage")


def test_socket_accepts_the_token_in_the_payload_or_the_cookie() -> None:
    settings = load_settings(auth_token=TOKEN)
    cookie = TokenAuth(TOKEN).issue_cookie()
    assert check_socket_auth({}, {"token": TOKEN}, settings)
    assert check_socket_auth({"HTTP_COOKIE": f"{SESSION_COOKIE}={cookie}"}, {}, settings)
    assert not check_socket_auth({}, {"token": "wrong"}, settings)
    assert not check_socket_auth({}, None, settings)
    assert check_socket_auth({}, None, load_settings())


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
def test_loopback_bind_needs_no_auth(host: str) -> None:
    ensure_bind_allowed(host, load_settings())


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "dash.example.com"])
def test_non_loopback_bind_without_auth_is_refused(host: str) -> None:
    with pytest.raises(ConfigError, match="TICKSTOCK_AUTH_TOKEN"):
        ensure_bind_allowed(host, load_settings())
    ensure_bind_allowed(host, load_settings(auth_token=TOKEN))


def _client(base_url: str = "http://testserver") -> TestClient:
    settings = load_settings(auth_token=TOKEN)
    auth = TokenAuth(TOKEN)

    async def data(_: object) -> PlainTextResponse:
        return PlainTextResponse("data")

    app = Starlette(
        routes=[
            Route("/api/data", data),
            Route("/metrics", data),
            Route("/healthz", data),
            *auth_routes(auth, settings),
        ],
        middleware=[Middleware(AuthMiddleware, auth=auth)],
    )
    return TestClient(app, base_url=base_url, follow_redirects=False)


def test_protected_paths_need_credentials_public_ones_do_not() -> None:
    client = _client()
    for path in ("/api/data", "/metrics"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200


def test_login_page_has_a_form_and_no_script() -> None:
    page = _client().get("/login").text
    assert '<form method="post" action="/login">' in page
    assert "<script" not in page


def test_login_form_sets_a_strict_httponly_cookie_that_opens_the_api() -> None:
    client = _client()
    response = client.post("/login", data={"token": TOKEN})
    assert response.status_code == 303 and response.headers["location"] == "/"
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    assert "secure" not in set_cookie
    assert client.get("/api/data").status_code == 200


def test_login_over_tls_sets_a_secure_cookie() -> None:
    response = _client("https://testserver").post("/login", json={"token": TOKEN})
    assert response.status_code == 200
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_token_at_login_is_401_and_sets_no_cookie() -> None:
    client = _client()
    form = client.post("/login", data={"token": "nope"})
    api = client.post("/login", json={"token": "nope"})
    assert form.status_code == 401 and api.status_code == 401
    assert "set-cookie" not in form.headers and "set-cookie" not in api.headers
    assert client.get("/api/data").status_code == 401


def test_cross_site_login_is_refused() -> None:
    response = _client().post(
        "/login", data={"token": TOKEN}, headers={"Origin": "http://evil.example"}
    )
    assert response.status_code == 403


def test_logout_clears_the_cookie() -> None:
    client = _client()
    client.post("/login", data={"token": TOKEN})
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/api/data").status_code == 401
