"""LiveKit's standard token endpoint, for web and mobile apps with no backend of their own:
`TokenSource.endpoint(url)` posts here, `TokenSource.sandboxTokenServer(key, {baseUrl})` to
the sandbox path. Each request is a call like the seed route's: stored, tenant-scoped,
rate-limited, with its own room; only the agent and what the caller says about itself vary."""

from typing import Annotated, Any

from litestar import Request, post
from litestar.datastructures import ResponseHeader
from litestar.handlers import HTTPRouteHandler

from application.issue_token import IssueRealtimeToken
from domain.errors import (
    AgentNotChosen,
    AgentNotFound,
    CallNotCreated,
    InvalidMetadata,
    InvalidRequestField,
    OriginNotAllowed,
    TokenIssuerNotConfigured,
    TooManyQueuedCalls,
)
from domain.tenant import Principal
from entrypoints.http.dependencies import Injected
from entrypoints.http.errors import AUTHENTICATED, JSON_BODY, responses
from entrypoints.http.observability import record_issued
from entrypoints.http.openapi_docs import BEARER, SANDBOX_ID, TOKEN_SOURCE_BODY
from entrypoints.http.token_source import TokenSourceRequest, TokenSourceResponse, token_command

STANDARD_PATH = "/v1/livekit/token"
SANDBOX_PATH = "/api/v2/sandbox/connection-details"
_RAISES = responses(
    AUTHENTICATED,
    JSON_BODY,
    OriginNotAllowed,
    InvalidRequestField,
    InvalidMetadata,
    AgentNotChosen,
    AgentNotFound,
    TooManyQueuedCalls,
    TokenIssuerNotConfigured,
    CallNotCreated,
)
_NO_STORE = [ResponseHeader(name="Cache-Control", value="no-store")]
TenantRequest = Request[Principal, Any, Any]


async def _issue(
    request: TenantRequest,
    data: Annotated[TokenSourceRequest, TOKEN_SOURCE_BODY],
    issue_realtime_token: Injected[IssueRealtimeToken],
) -> TokenSourceResponse:
    issued = await issue_realtime_token(request.user, token_command(data))
    record_issued(request.scope, issued, request.user.tenant_id)
    return TokenSourceResponse.of(issued)


def _route(
    path: str, operation_id: str, summary: str, description: str, security: Any
) -> HTTPRouteHandler:
    """One handler, two shapes LiveKit's SDKs know: they differ in path and key header only."""
    return post(
        path,
        status_code=201,
        summary=summary,
        description=description,
        tags=["livekit"],
        security=security,
        response_headers=_NO_STORE,
        responses=_RAISES,
        name=operation_id,
        operation_id=operation_id,
    )(_issue)


livekit_token = _route(
    STANDARD_PATH,
    "createLivekitToken",
    "LiveKit's standard token endpoint (TokenSource.endpoint)",
    "Starts a call with a publishable key (`rtpk_…`, from a page on one of the key's origins "
    "or, when it allows native apps, with no `Origin`) or with a secret key (`rtk_…`, a "
    "backend forwarding the SDK's body). The agent is `room_config.agents[0].agent_name`, its "
    "metadata `room_config.agents[0].metadata`.",
    BEARER,
)
sandbox_connection_details = _route(
    SANDBOX_PATH,
    "createSandboxConnectionDetails",
    "LiveKit's sandbox token server shape (TokenSource.sandboxTokenServer)",
    "The endpoint above for apps written against `TokenSource.sandboxTokenServer(id)`: pass "
    "this service as `baseUrl` and a publishable key as the sandbox id (`X-Sandbox-ID`).",
    SANDBOX_ID,
)
