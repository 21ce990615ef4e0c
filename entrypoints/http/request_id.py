import re
import uuid

from litestar.types import Message, Scope

from entrypoints.http.raw_headers import replace, response_start_headers
from entrypoints.http.scope_state import scope_state

HEADER = "x-request-id"
_HEADER_BYTES = HEADER.encode()
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def ensure_request_id(scope: Scope) -> str:
    """The caller's sane X-Request-ID, else a new one; fixed for the rest of the request."""
    state = scope_state(scope)
    if "request_id" not in state:
        incoming = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == _HEADER_BYTES), ""
        )
        state["request_id"] = incoming if _ACCEPTABLE.fullmatch(incoming) else uuid.uuid4().hex
    return str(state["request_id"])


async def echo_request_id(message: Message, scope: Scope) -> None:
    """A before_send hook: it sees every response, error responses from routing included."""
    headers = response_start_headers(message)
    if headers is not None:
        replace(headers, {_HEADER_BYTES: ensure_request_id(scope).encode()})
