"""A local history server for both providers' REST APIs (1-minute bars), on loopback.

* Massive: ``GET /v2/aggs/ticker/{sym}/range/1/minute/{from_ms}/{to_ms}`` (both ends
  inclusive) with ``Authorization: Bearer KEY`` → ``{"status": "OK", "results": [{"o", "h",
  "l", "c", "v", "t": ms}]}``;
* Alpaca: ``GET /v2/stocks/bars?symbols=A,B&timeframe=1Min&start=...&end=...`` with the
  ``APCA-API-KEY-ID`` header → ``{"bars": {"A": [{"t": RFC 3339, "o", ...}]},
  "next_page_token": null}``.

It runs in a thread (the official REST clients are synchronous) and counts its requests.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import orjson

from tickstock.contract import parse_timestamp

Bar = tuple[float, float, float, float, float]


class HistoryServer:
    """Serves ``bars`` (symbol → {minute start epoch: ohlcv}) to either client."""

    def __init__(self, bars: dict[str, dict[int, Bar]], key: str | None = None) -> None:
        self.bars = bars
        self.key = key
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> HistoryServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                status, body = owner.answer(self.path, dict(self.headers.items()))
                data = orjson.dumps(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _allowed(self, headers: dict[str, str]) -> bool:
        if self.key is None:
            return True
        bearer = headers.get("Authorization", "")
        return bearer == f"Bearer {self.key}" or headers.get("APCA-API-KEY-ID") == self.key

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if not self._allowed(headers):
            return 401, {"status": "ERROR", "message": "unauthorized"}
        url = urlparse(path)
        parts = url.path.strip("/").split("/")
        if parts[:3] == ["v2", "aggs", "ticker"] and len(parts) == 9:
            symbol, first, last = parts[3], int(parts[7]) // 1000, int(parts[8]) // 1000
            rows = [
                {"o": o, "h": h, "l": lo, "c": c, "v": v, "t": minute * 1000, "n": 1}
                for minute, (o, h, lo, c, v) in sorted(self.bars.get(symbol, {}).items())
                if first <= minute <= last
            ]
            return 200, {
                "status": "OK",
                "ticker": symbol,
                "resultsCount": len(rows),
                "results": rows,
            }
        if url.path.rstrip("/") == "/v2/stocks/bars":
            query = parse_qs(url.query)
            symbols = query.get("symbols", [""])[0].split(",")
            start = _epoch(query["start"][0])
            end = _epoch(query["end"][0])
            out = {}
            for symbol in symbols:
                rows = [
                    {
                        "t": datetime.fromtimestamp(m, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "o": o,
                        "h": h,
                        "l": lo,
                        "c": c,
                        "v": v,
                        "n": 1,
                        "vw": c,
                    }
                    for m, (o, h, lo, c, v) in sorted(self.bars.get(symbol, {}).items())
                    if start <= m < end
                ]
                if rows:
                    out[symbol] = rows
            return 200, {"bars": out, "next_page_token": None}
        return 404, {"message": f"no route {url.path}"}


def _epoch(text: str) -> float:
    return parse_timestamp(text).timestamp()
