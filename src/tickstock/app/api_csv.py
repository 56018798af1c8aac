"""The alerts CSV export: streamed in keyset chunks, every cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tickstock.app.api_deps import ApiDependencies, run_query
from tickstock.app.api_params import QueryParameters, alert_filters
from tickstock.store import queries

CSV_MAX_ROWS = 100_000
CSV_CHUNK_ROWS = 1_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: text that could start a formula gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_lines(rows: Sequence[Mapping[str, Any]], header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(queries.ALERT_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in queries.ALERT_COLUMNS])
    return buffer.getvalue()


async def alerts_csv(deps: ApiDependencies, request: Request) -> Response:
    """``/api/streaming/alerts.csv``: the alerts page's filters, up to ``limit`` rows."""
    params = QueryParameters(
        request, ("kind", "type", "symbol", "severity", "since", "session_id", "limit")
    )
    filters = alert_filters(params)
    limit = params.integer("limit", 10_000, 1, CSV_MAX_ROWS)
    # The first chunk is read before any byte is sent, so a database that is down
    # still gets a proper 503 instead of a truncated download.
    first, after = await run_query(
        deps, lambda conn: queries.alerts_chunk(conn, filters, None, min(limit, CSV_CHUNK_ROWS))
    )

    async def body() -> AsyncIterator[str]:
        nonlocal after
        rows, sent = first, 0
        yield csv_lines(rows, header=True)
        sent += len(rows)
        while after is not None and sent < limit and len(rows) == CSV_CHUNK_ROWS:
            rows, after = await run_query(
                deps,
                functools.partial(
                    queries.alerts_chunk,
                    filters=filters,
                    after=after,
                    limit=min(limit - sent, CSV_CHUNK_ROWS),
                ),
            )
            yield csv_lines(rows, header=False)
            sent += len(rows)

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alerts.csv"'},
    )
