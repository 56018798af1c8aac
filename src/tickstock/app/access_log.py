"""The access log: one INFO line per HTTP request on the ``tickstock.access`` logger.

``method``, ``path`` (without the query string: it may carry what a reader typed), ``status``,
``ms`` and ``client`` as context fields. Socket.IO traffic is not here: connects and
disconnects have their own lines. ``TICKSTOCK_ACCESS_LOG=false`` leaves it out. The request
is measured by ``request_observer.RequestObserverMiddleware``; this is one of its observers.
"""

from __future__ import annotations

import logging

from tickstock.app.logs import ctx
from tickstock.app.request_observer import ServedRequest

log = logging.getLogger("tickstock.access")


def log_request(request: ServedRequest) -> None:
    """Writes the access-log line of one served request."""
    ms = round(request.seconds * 1000, 1)
    log.info(
        "%s %s %s %.1f ms",
        request.method,
        request.path,
        request.status,
        ms,
        extra=ctx(
            method=request.method,
            path=request.path,
            status=request.status,
            ms=ms,
            client=request.client,
        ),
    )
