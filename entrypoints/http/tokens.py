from collections.abc import Iterable
from typing import Annotated, Any

from litestar import HttpMethod, Request, Response, post
from litestar.datastructures import ResponseHeader
from litestar.handlers import HTTPRouteHandler
from litestar.params import HeaderParameter
from litestar.types import Method
from litestar.types.internal_types import PathParameterDefinition

from application.issue_token import IssueTokenCommand
from application.issue_token_idempotently import IssueTokenIdempotently
from domain.errors import (
    AgentNotFound,
    CallExpired,
    CallNotCreated,
    IdempotencyKeyReused,
    IdempotentRequestInFlight,
    InvalidIdempotencyKey,
    InvalidMetadata,
    TokenIssuerNotConfigured,
    TooManyQueuedCalls,
)
from domain.idempotency import KEY_PATTERN, checked_idempotency_key
from domain.tenant import Principal
from entrypoints.http.dependencies import Injected
from entrypoints.http.errors import AUTHENTICATED, JSON_BODY, responses
from entrypoints.http.observability import record_issued
from entrypoints.http.openapi_docs import BEARER, TOKEN_BODY
from entrypoints.http.schemas import TokenRequest, TokenResponse

REALTIME_PATH = "/v1/realtime/token"
WEBRTC_ALIAS = "/v1/webrtc/token"


def _operation_id(
    _: HTTPRouteHandler, __: Method | HttpMethod, path: list[str | PathParameterDefinition]
) -> str:
    alias = path == WEBRTC_ALIAS.strip("/").split("/")
    return "createWebrtcToken" if alias else "createRealtimeToken"


def _several(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Two Idempotency-Key lines, or two combined into one by a proxy or client (`a, b`: a
    key has no spaces, so the comma and space can only be a list separator)."""
    values = [value for name, value in headers if name == b"idempotency-key"]
    return len(values) > 1 or any(b", " in value for value in values)


@post(
    [REALTIME_PATH, WEBRTC_ALIAS],
    status_code=200,
    summary="Create a realtime token",
    description=(
        "Creates a queued WebRTC call for one of your agents and returns LiveKit credentials. "
        f"`{WEBRTC_ALIAS}` is a compatibility alias of `{REALTIME_PATH}`."
    ),
    operation_id=_operation_id,
    tags=["realtime tokens"],
    security=BEARER,
    response_headers=[ResponseHeader(name="Cache-Control", value="no-store")],
    responses=responses(
        AUTHENTICATED,
        JSON_BODY,
        InvalidMetadata,
        InvalidIdempotencyKey,
        AgentNotFound,
        IdempotentRequestInFlight,
        IdempotencyKeyReused,
        CallExpired,
        TooManyQueuedCalls,
        TokenIssuerNotConfigured,
        CallNotCreated,
    ),
)
async def create_realtime_token(
    request: Request[Principal, Any, Any],
    data: Annotated[TokenRequest, TOKEN_BODY],
    issue_token_idempotently: Injected[IssueTokenIdempotently],
    idempotency_key: Annotated[
        str | None,
        HeaderParameter(
            name="Idempotency-Key",
            required=False,
            schema_extra={"pattern": KEY_PATTERN},
            description="Retry-safe: the same key and body within 24 h return the same call.",
        ),
    ] = None,
) -> Response[TokenResponse]:
    """One handler for both paths. The hot-path budget is IssueRealtimeToken's docstring."""
    if idempotency_key is not None and _several(request.scope["headers"]):
        raise InvalidIdempotencyKey("send one Idempotency-Key header, not several")
    key = None if idempotency_key is None else checked_idempotency_key(idempotency_key)
    command = IssueTokenCommand(agent_id=data.agent_id, metadata=data.metadata)
    issued = await issue_token_idempotently(request.user, command, key)
    record_issued(request.scope, issued, request.user.tenant_id)
    replayed = {"idempotent-replayed": "true"} if issued.replayed else None
    return Response(TokenResponse.of(issued), headers=replayed)
