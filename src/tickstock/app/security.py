"""Security headers on every HTTP response, and which origins may talk to the app.

The dashboard ships no inline script or style, so the CSP can forbid both: an injected
``<script>`` in a symbol or message could not run even if it reached the DOM as markup.
HSTS is sent only over TLS (sending it over plain HTTP is meaningless and, on localhost,
harmful to other local development servers).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tickstock.settings import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    """Adds ``SECURITY_HEADERS`` (and HSTS over https) to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if over_tls:
                    headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def allowed_origins(settings: Settings, request_host: str) -> list[str]:
    """Origins allowed for a request to ``request_host``: same origin plus the configured ones.

    ``request_host`` is the ``Host`` header (``example.com:8000``); both schemes are allowed
    for it because TLS may be terminated by a proxy in front of the app.
    """
    origins: list[str] = []
    if request_host:
        origins = [_normalise(f"{scheme}://{request_host}") for scheme in ("http", "https")]
    origins.extend(_normalise(origin) for origin in settings.allowed_origins)
    return origins


def origin_allowed(origin: str | None, request_host: str, settings: Settings) -> bool:
    """Whether a request carrying ``Origin: origin`` may proceed.

    No ``Origin`` header means a non-browser client (curl, a script): allowed, since auth
    (when on) still applies. ``null`` or anything unlisted is refused.
    """
    if origin is None:
        return True
    return _normalise(origin) in allowed_origins(settings, request_host)


def _normalise(origin: str) -> str:
    parts = urlsplit(origin.strip().lower())
    if not parts.scheme or not parts.netloc:
        return origin.strip().lower()
    default_port = {"http": ":80", "https": ":443"}.get(parts.scheme, "")
    netloc = parts.netloc.removesuffix(default_port) if default_port else parts.netloc
    return f"{parts.scheme}://{netloc}"
