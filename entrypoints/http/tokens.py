from typing import Annotated, Any

from litestar import HttpMethod, Request, Response, post
from litestar.datastructures import ResponseHeader, State
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import HeaderParameter
from litestar.types import Method
from litestar.types.internal_types import PathParameterDefinition

from application.issue_token import IssueTokenCommand
from application.issue_token_once import IssueRealtimeTokenOnce
from domain.idempotency import KEY_PATTERN, checked_idempotency_key
from domain.tenant import Principal
from entrypoints.http.observability import record_issued
from entrypoints.http.openapi_docs import BEARER, TOKEN_BODY, problem
from entrypoints.http.schemas import TokenRequest, TokenResponse

TOKEN_PATHS = ["/v1/realtime/token", "/v1/webrtc/token"]


def provide_issue_token(state: State) -> IssueRealtimeTokenOnce:
    use_case: IssueRealtimeTokenOnce = state.issue_realtime_token_once
    return use_case


def _operation_id(
    _: HTTPRouteHandler, __: Method | HttpMethod, path: list[str | PathParameterDefinition]
) -> str:
    return "createWebrtcToken" if "webrtc" in path else "createRealtimeToken"


@post(
    TOKEN_PATHS,
    status_code=200,
    summary="Create a realtime token",
    description=(
        "Creates a queued WebRTC call for one of your agents and returns LiveKit credentials. "
        "`/v1/webrtc/token` is a compatibility alias of `/v1/realtime/token`."
    ),
    operation_id=_operation_id,
    tags=["realtime tokens"],
    security=BEARER,
    response_headers=[ResponseHeader(name="Cache-Control", value="no-store")],
    responses={
        400: problem("Invalid payload (missing agent_id or malformed body)"),
        401: problem("Missing or invalid API key"),
        404: problem("Agent not found for the authenticated tenant"),
        409: problem("A request with the same Idempotency-Key is still running"),
        410: problem("The Idempotency-Key's call is past its join window; start a new call"),
        413: problem("The body is over 64 KiB"),
        415: problem("The body is not application/json"),
        422: problem("The Idempotency-Key was used with a different body"),
        429: problem("Rate limit or queued-call cap reached; see Retry-After"),
        500: problem("LiveKit configuration or call-session initialization failed"),
        503: problem("The database is unavailable; retry after the Retry-After delay"),
    },
    dependencies={"issue_token": Provide(provide_issue_token, sync_to_thread=False)},
)
async def create_realtime_token(
    request: Request[Principal, Any, Any],
    data: Annotated[TokenRequest, TOKEN_BODY],
    issue_token: NamedDependency[IssueRealtimeTokenOnce],
    idempotency_key: Annotated[
        str | None,
        HeaderParameter(
            name="Idempotency-Key",
            required=False,
            pattern=KEY_PATTERN,
            description="Retry-safe: the same key and body within 24 h return the same call.",
        ),
    ] = None,
) -> Response[TokenResponse]:
    key = None if idempotency_key is None else checked_idempotency_key(idempotency_key)
    command = IssueTokenCommand(agent_id=data.agent_id, metadata=data.metadata)
    issued = await issue_token(request.user, command, key)
    record_issued(request, issued, request.user.tenant_id)
    replayed = {"idempotent-replayed": "true"} if issued.replayed else None
    return Response(TokenResponse.of(issued), headers=replayed)
