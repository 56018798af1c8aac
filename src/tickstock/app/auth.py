"""Optional shared-token auth for the API, ``/metrics`` and Socket.IO.

With ``TICKSTOCK_AUTH_TOKEN`` unset the app is open (and ``ensure_bind_allowed`` keeps it
on loopback). With it set, a client proves it knows the token either per request
(``Authorization: Bearer <token>``, or ``{"token": ...}`` in the Socket.IO auth payload)
or once through ``POST /login``, which sets a session cookie:
``<expiry>.<nonce>.<HMAC-SHA256(key, expiry.nonce)>`` where the key is derived from the
token — so changing the token logs every browser out, and nothing is stored server-side.
Every comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections.abc import Callable, Mapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tickstock.app.errors_http import json_error
from tickstock.app.security import origin_allowed
from tickstock.errors import ConfigError
from tickstock.settings import Settings, get_settings

SESSION_COOKIE = "tickstock_session"
SESSION_TTL_SECONDS = 12 * 3600
#: Paths that need credentials when auth is on; everything else (pages, static assets,
#: /healthz, /readyz, /login) is public — a page carries no data, the API does.
PROTECTED_PREFIXES = ("/api/", "/metrics")
_MAX_LOGIN_BODY = 4096


class TokenAuth:
    """Checks bearer tokens and issues/verifies session cookies for one shared token."""

    def __init__(
        self,
        token: str | None,
        clock: Callable[[], float] = time.time,
        ttl_seconds: int = SESSION_TTL_SECONDS,
    ) -> None:
        self._token = token.encode() if token else None
        self._key = (
            hmac.new(self._token, b"tickstock-session-cookie", hashlib.sha256).digest()
            if self._token
            else b""
        )
        self.clock = clock
        self.ttl_seconds = ttl_seconds

    @property
    def enabled(self) -> bool:
        return self._token is not None

    def token_matches(self, candidate: str | None) -> bool:
        """Constant-time comparison with the configured token."""
        if self._token is None or not candidate:
            return False
        return hmac.compare_digest(candidate.encode(), self._token)

    def issue_cookie(self) -> str:
        """A fresh signed session value, valid for ``ttl_seconds``."""
        payload = f"{int(self.clock()) + self.ttl_seconds}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(payload)}"

    def cookie_valid(self, value: str | None) -> bool:
        """Signature correct and not expired."""
        if self._token is None or not value or value.count(".") != 2:
            return False
        payload, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return False
        expiry = payload.partition(".")[0]
        return expiry.isdigit() and int(expiry) > self.clock()

    def headers_authorised(self, authorization: str | None, cookie_header: str | None) -> bool:
        """A valid ``Bearer`` token or a valid session cookie (auth off: always)."""
        if not self.enabled:
            return True
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and self.token_matches(credentials.strip()):
            return True
        return self.cookie_valid(_cookie_value(cookie_header, SESSION_COOKIE))

    def socket_authorised(self, environ: Mapping[str, Any], auth_payload: Any) -> bool:
        """Socket.IO connect: ``{"token": ...}`` in the auth payload, or the login cookie."""
        if not self.enabled:
            return True
        if isinstance(auth_payload, Mapping) and isinstance(auth_payload.get("token"), str):
            if self.token_matches(auth_payload["token"]):
                return True
        return self.headers_authorised(
            environ.get("HTTP_AUTHORIZATION"), environ.get("HTTP_COOKIE")
        )

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()


def auth_from_settings(settings: Settings, clock: Callable[[], float] = time.time) -> TokenAuth:
    token = settings.auth_token.get_secret_value() if settings.auth_token else None
    return TokenAuth(token or None, clock=clock)


def check_socket_auth(
    environ: Mapping[str, Any], auth_payload: Any, settings: Settings | None = None
) -> bool:
    """For the Socket.IO ``connect`` handler: may this connection proceed?"""
    return auth_from_settings(settings or get_settings()).socket_authorised(environ, auth_payload)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost``; any other name or address is not."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def ensure_bind_allowed(host: str, settings: Settings) -> None:
    """Refuse to serve an open app beyond this machine."""
    if settings.auth_token is None and not is_loopback(host):
        raise ConfigError(
            "TICKSTOCK_HOST",
            f"binding {host!r} would expose the dashboard and API to the network without "
            "authentication; set TICKSTOCK_AUTH_TOKEN or bind 127.0.0.1",
        )


def _cookie_value(cookie_header: str | None, name: str) -> str | None:
    if not cookie_header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


class AuthMiddleware:
    """401 JSON for protected paths without valid credentials."""

    def __init__(self, app: ASGIApp, auth: TokenAuth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and self.auth.enabled
            and scope["path"].startswith(PROTECTED_PREFIXES)
        ):
            headers = Request(scope).headers
            if not self.auth.headers_authorised(
                headers.get("authorization"), headers.get("cookie")
            ):
                response = json_error(
                    401,
                    "unauthorized",
                    "send Authorization: Bearer <token> or log in at /login",
                    headers={"WWW-Authenticate": 'Bearer realm="tickstock"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


LOGIN_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TickStock Live — log in</title>
</head>
<body>
<main>
<h1>TickStock Live</h1>
<form method="post" action="/login">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
</main>
</body>
</html>
"""

LOGIN_FAILED_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>TickStock Live — log in failed</title></head>
<body><main><h1>Wrong token</h1><p><a href="/login">Try again</a></p></main></body>
</html>
"""


def auth_routes(auth: TokenAuth, settings: Settings) -> list[Route]:
    """``GET /login`` (form), ``POST /login`` (form or JSON), ``POST /logout``."""

    def secure(request: Request) -> bool:
        return request.url.scheme == "https" or settings.tls_certfile is not None

    def cross_site(request: Request) -> bool:
        host = request.headers.get("host", "")
        return not origin_allowed(request.headers.get("origin"), host, settings)

    async def login_page(_: Request) -> Response:
        return HTMLResponse(LOGIN_PAGE, headers={"Cache-Control": "no-store"})

    async def login(request: Request) -> Response:
        if cross_site(request):
            return json_error(403, "forbidden", "cross-site login refused")
        body = await _read_limited(request)
        is_json = request.headers.get("content-type", "").startswith("application/json")
        token = _token_from_body(body, is_json)
        if not auth.enabled:
            return json_error(404, "not_found", "authentication is not enabled")
        if not auth.token_matches(token):
            if is_json:
                return json_error(401, "unauthorized", "wrong token")
            return HTMLResponse(LOGIN_FAILED_PAGE, status_code=401)
        response: Response = (
            JSONResponse({"ok": True}) if is_json else RedirectResponse("/", status_code=303)
        )
        response.set_cookie(
            SESSION_COOKIE,
            auth.issue_cookie(),
            max_age=auth.ttl_seconds,
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure(request),
        )
        return response

    async def logout(request: Request) -> Response:
        if cross_site(request):
            return json_error(403, "forbidden", "cross-site logout refused")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=secure(request)
        )
        return response

    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


async def _read_limited(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_LOGIN_BODY:
            break
    return body[:_MAX_LOGIN_BODY]


def _token_from_body(body: bytes, is_json: bool) -> str | None:
    text = body.decode("utf-8", errors="replace")
    if is_json:
        try:
            data = json.loads(text)
        except ValueError:
            return None
        token = data.get("token") if isinstance(data, dict) else None
        return token if isinstance(token, str) else None
    values = parse_qs(text).get("token")
    return values[0] if values else None
