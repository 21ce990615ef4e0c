from typing import Any

from litestar import HttpMethod, Request, post
from litestar.datastructures import ResponseHeader, State
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.types import Method
from litestar.types.internal_types import PathParameterDefinition

from application.issue_token import IssueRealtimeToken, IssueTokenCommand
from domain.tenant import Principal
from entrypoints.http.observability import record_issued
from entrypoints.http.problems import PROBLEM_MEDIA_TYPE
from entrypoints.http.schemas import Problem, TokenRequest, TokenResponse

TOKEN_PATHS = ["/v1/realtime/token", "/v1/webrtc/token"]


def provide_issue_token(state: State) -> IssueRealtimeToken:
    use_case: IssueRealtimeToken = state.issue_realtime_token
    return use_case


def _operation_id(
    _: HTTPRouteHandler, __: Method | HttpMethod, path: list[str | PathParameterDefinition]
) -> str:
    return "createWebrtcToken" if "webrtc" in path else "createRealtimeToken"


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, description=description
    )


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
    security=[{"bearerAuth": []}],
    response_headers=[ResponseHeader(name="Cache-Control", value="no-store")],
    responses={
        400: _problem("Invalid payload (missing agent_id or malformed body)"),
        401: _problem("Missing or invalid API key"),
        404: _problem("Agent not found for the authenticated tenant"),
        500: _problem("LiveKit configuration or call-session initialization failed"),
        503: _problem("The database is unavailable; retry after the Retry-After delay"),
    },
    dependencies={"issue_token": Provide(provide_issue_token, sync_to_thread=False)},
)
async def create_realtime_token(
    request: Request[Principal, Any, Any],
    data: JSONBody[TokenRequest],
    issue_token: NamedDependency[IssueRealtimeToken],
) -> TokenResponse:
    issued = await issue_token(
        request.user, IssueTokenCommand(agent_id=data.agent_id, metadata=data.metadata)
    )
    record_issued(request, issued, request.user.tenant_id)
    return TokenResponse.of(issued)
