import contextvars
import re

import structlog
from litestar.types import Scope

from domain.ids import new_hex_id
from entrypoints.http.scope_state import scope_state

HEADER = "x-request-id"
_HEADER_BYTES = HEADER.encode()
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def ensure_request_id(scope: Scope) -> str:
    """The caller's sane X-Request-ID, else a new one; fixed for the rest of the request."""
    state = scope_state(scope)
    if "request_id" not in state:
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == _HEADER_BYTES:
                incoming = value
                break
        state["request_id"] = accepted_request_id(incoming)
    return str(state["request_id"])


def accepted_request_id(incoming: bytes | None) -> str:
    """The first X-Request-ID the caller sent (`incoming`), if sane, else a new one."""
    if incoming:
        text = incoming.decode("latin-1")
        if _ACCEPTABLE.fullmatch(text):
            return text
    return new_hex_id()


def request_id_header(scope: Scope) -> dict[bytes, bytes]:
    """Every response's, error responses from routing included (response_headers.py)."""
    return {_HEADER_BYTES: ensure_request_id(scope).encode()}


def _request_id_var() -> contextvars.ContextVar[str]:
    """The ContextVar structlog binds `request_id` to (what `bind_contextvars` sets and every
    log line merges), set directly: the observer and the lean token path bind it once per
    request."""
    tokens = structlog.contextvars.bind_contextvars(request_id="")
    structlog.contextvars.reset_contextvars(**tokens)
    return tokens["request_id"].var


REQUEST_ID_VAR = _request_id_var()
