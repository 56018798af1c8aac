"""The REST API's parameter parsing: typed access to a query string, a named 400 for
anything unexpected, and the page body with its links."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from tickstock.app.errors_http import ApiError, bad_parameter
from tickstock.contract.limits import MAX_TEXT, SESSION_ID_PATTERN, SYMBOL_PATTERN
from tickstock.contract.models import ALERT_TYPES, SEVERITIES
from tickstock.contract.timestamps import parse_timestamp as contract_timestamp
from tickstock.errors import TimestampError
from tickstock.store import queries

_SYMBOL = re.compile(SYMBOL_PATTERN)
_SESSION_ID = re.compile(SESSION_ID_PATTERN)
#: "+hh:mm" arrives as " hh:mm" when a client forgets to percent-encode the "+".
_UNENCODED_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


class QueryParameters:
    """Typed access to a request's query string; anything unexpected is a named 400."""

    def __init__(self, request: Request, allowed: Sequence[str]) -> None:
        self._params = request.query_params
        for name in self._params:
            if name not in allowed:
                takes = f"allowed: {', '.join(allowed)}" if allowed else "this endpoint takes none"
                raise bad_parameter(name, f"unknown parameter; {takes}")
            if len(self._params.getlist(name)) > 1:
                raise bad_parameter(name, "given more than once")

    def _raw(self, name: str) -> str | None:
        value = self._params.get(name)
        if value is not None and value.strip() == "":
            raise bad_parameter(name, "empty value")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        # [0-9], not \d: int() would also read Arabic-Indic or fullwidth digits.
        if not re.fullmatch(r"[+-]?[0-9]{1,9}", raw.strip()):
            raise bad_parameter(name, "must be an integer")
        value = int(raw)
        if not low <= value <= high:
            raise bad_parameter(name, f"must be between {low} and {high}")
        return value

    def number(self, name: str, low: float, high: float) -> float | None:
        raw = self._raw(name)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise bad_parameter(name, "must be a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise bad_parameter(name, f"must be between {low:g} and {high:g}")
        return value

    def timestamp(self, name: str) -> datetime | None:
        raw = self._raw(name)
        return None if raw is None else parse_timestamp(name, raw)

    def choice(self, name: str, choices: Sequence[str]) -> str | None:
        raw = self._raw(name)
        if raw is not None and raw not in choices:
            raise bad_parameter(name, f"must be one of {', '.join(choices)}")
        return raw

    def text(self, name: str) -> str | None:
        raw = self._raw(name)
        if raw is not None and (len(raw) > MAX_TEXT or not raw.isprintable()):
            raise bad_parameter(name, f"must be printable text of at most {MAX_TEXT} characters")
        return raw

    def symbol(self, name: str) -> str | None:
        raw = self._raw(name)
        return None if raw is None else validate_symbol(name, raw)

    def session_id(self, name: str) -> str | None:
        raw = self._raw(name)
        return None if raw is None else validate_session_id(name, raw)


def parse_timestamp(name: str, raw: str) -> datetime:
    """ISO-8601 with a zone (``Z`` or an offset), converted to UTC: a query has no default
    zone to assume, so a zone-less time is refused (``zone_required``) rather than guessed."""
    text = _UNENCODED_PLUS.sub(r"\1+\2", raw.strip())
    try:
        return contract_timestamp(text, zone_required=True)
    except TimestampError as exc:
        if exc.kind == "zoneless":
            raise bad_parameter(name, "needs a time zone (Z or an offset such as +00:00)") from None
        raise bad_parameter(
            name, "must be an ISO-8601 timestamp, e.g. 2025-10-05T10:15:00Z"
        ) from None


def validate_symbol(name: str, raw: str) -> str:
    if not _SYMBOL.fullmatch(raw):
        raise bad_parameter(name, f"must match {SYMBOL_PATTERN}")
    return raw


def validate_session_id(name: str, raw: str) -> str:
    if not _SESSION_ID.fullmatch(raw):
        raise bad_parameter(name, f"must match {SESSION_ID_PATTERN}")
    return raw


def page_body(
    request: Request, items: list[Any], total: int, page: int, per_page: int, **extra: Any
) -> dict[str, Any]:
    """A page of ``items`` with its counts and links; a page beyond the last is a 404.

    The links keep the request's other query parameters (the filters).
    """
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        raise ApiError(404, f"page {page} is beyond the last page ({pages})")
    filter_params = {k: v for k, v in request.query_params.items() if k not in ("page", "per_page")}

    def link(number: int) -> str:
        query = urlencode({**filter_params, "page": number, "per_page": per_page})
        return f"{request.url.path}?{query}"

    return {
        **extra,
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "links": {
            "self": link(page),
            "next": link(page + 1) if page < pages else None,
            "prev": link(page - 1) if page > 1 else None,
            "first": link(1),
            "last": link(pages),
        },
    }


def check_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise bad_parameter("until", "must be after since")


def alert_filters(params: QueryParameters) -> queries.AlertFilter:
    """The filters shared by the alerts page and its CSV export."""
    return queries.AlertFilter(
        kind=params.choice("kind", queries.ALERT_KINDS),
        alert_type=params.choice("type", ALERT_TYPES),
        symbol=params.symbol("symbol"),
        severity=params.choice("severity", SEVERITIES),
        since=params.timestamp("since"),
        session_id=params.session_id("session_id"),
    )
