"""Per-request metrics and the access log, plus the `/metrics` route."""

import logging
import time
from typing import Any

from litestar import Litestar, Response, get
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.issue_token import IssuedToken
from domain.tenant import Principal
from entrypoints.access_log import write_access_line
from entrypoints.http.dependencies import Injected
from entrypoints.http.request_id import REQUEST_ID_VAR, ensure_request_id
from entrypoints.metrics import EXPOSITION_MEDIA_TYPE, Metrics

_FIELDS = "log_fields"
_ISSUED = "token_issued"
UNMATCHED_ROUTE = "unmatched"
_NO_STATE: dict[str, Any] = {}  # read only


def annotate(scope: Scope, **fields: str) -> None:
    """Facts a handler decided, for this request's access log line."""
    scope.setdefault("state", {}).setdefault(_FIELDS, {}).update(fields)


def record_issued(scope: Scope, issued: IssuedToken, tenant_id: str) -> None:
    """`annotate` with the token's tenant and call, and the token counted."""
    state = scope.setdefault("state", {})
    fields = {"tenant_id": tenant_id, "call_id": issued.call_id}
    if (annotated := state.get(_FIELDS)) is None:
        state[_FIELDS] = fields
    else:
        annotated.update(fields)
    state[_ISSUED] = True


def annotate_problem(scope: Scope, code: str) -> None:
    annotate(scope, code=code)


class RequestObserver:
    """Times, counts and logs every HTTP request (tokens issued and problems by code from what
    the handlers annotated). It wraps the app's whole handler rather than being
    app middleware, which Litestar runs for matched routes only: 404s and 405s count too."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self._app = app
        self._metrics = metrics
        # Each label set's child, bound once: `labels()` validates and locks on every call.
        self._durations: dict[tuple[str, str, int], Any] = {}
        self._issued: dict[str, Any] = {}
        self._errors: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        bound = REQUEST_ID_VAR.set(ensure_request_id(scope))
        try:
            await self._app(scope, receive, send_and_note_status)
        finally:
            self.record(scope, status, time.perf_counter() - started)
            REQUEST_ID_VAR.reset(bound)

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        """One answered request: its duration, the tokens and problems it annotated, its line."""
        route = scope.get("path_template") or UNMATCHED_ROUTE
        method: str = scope["method"]  # type: ignore[typeddict-item]  # HTTP scopes only
        key = (method, route, status)
        if (duration := self._durations.get(key)) is None:
            duration = self._durations[key] = self._metrics.request_duration.labels(
                method, route, str(status)
            )
        duration.observe(seconds)
        state = scope.get("state") or _NO_STATE
        fields: dict[str, str] = state.get(_FIELDS) or _NO_STATE
        if _ISSUED in state:
            if (issued := self._issued.get(route)) is None:
                issued = self._issued[route] = self._metrics.tokens_issued.labels(route)
            issued.inc()
        if code := fields.get("code"):
            if (errors := self._errors.get(code)) is None:
                errors = self._errors[code] = self._metrics.errors.labels(code)
            errors.inc()
        line = {
            "method": method,
            "path": scope["path"],
            "route": route,
            "status": status,
            "latency_ms": round(seconds * 1000, 2),
        }
        if fields:
            line.update(fields)
        if "tenant_id" not in fields and isinstance(user := scope.get("user"), Principal):
            line["tenant_id"] = user.tenant_id  # where a copy's setdefault put it: last
        write_access_line(logging.ERROR if status >= 500 else logging.INFO, line)


def observe_requests(app: Litestar, metrics: Metrics) -> RequestObserver:
    observer = RequestObserver(app.asgi_handler, metrics)
    app.asgi_handler = observer
    return observer


@get(
    "/metrics",
    summary="Prometheus metrics",
    tags=["operations"],
    media_type=EXPOSITION_MEDIA_TYPE,
    sync_to_thread=False,
)
def metrics_endpoint(metrics: Injected[Metrics]) -> Response[bytes]:
    return Response(metrics.exposition(), media_type=EXPOSITION_MEDIA_TYPE)
