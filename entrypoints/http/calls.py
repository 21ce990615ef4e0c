import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter

from application.calls import CallFilter, GetCall, ListCalls
from domain.call import CallStatus
from domain.errors import CallNotFound, InvalidCursor
from domain.pagination import DEFAULT_LIMIT
from domain.tenant import Principal
from entrypoints.http.dependencies import Injected
from entrypoints.http.errors import AUTHENTICATED, QUERY, responses
from entrypoints.http.openapi_docs import BEARER
from entrypoints.http.paging import Limit, PageCursor, next_cursor, page_request
from entrypoints.http.schemas import CallPage
from entrypoints.views import CallView, call_view

TenantRequest = Request[Principal, Any, Any]


class CallsController(Controller):
    """Calls of the API key's tenant, as they stand now; another tenant's call is 404."""

    path = "/v1/calls"
    tags = ("calls",)
    security = BEARER

    @get(
        summary="List calls, newest first",
        responses=responses(AUTHENTICATED, QUERY, InvalidCursor),
    )
    async def list_calls(
        self,
        request: TenantRequest,
        list_calls: Injected[ListCalls],
        agent_id: Annotated[
            uuid.UUID | None, QueryParameter(description="Only this agent's")
        ] = None,
        status: Annotated[CallStatus | None, QueryParameter(description="Status now")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
    ) -> CallPage:
        where = CallFilter(agent_id=None if agent_id is None else str(agent_id), status=status)
        found = await list_calls(request.user.tenant_id, where, page_request(limit, cursor))
        return CallPage(data=[call_view(c) for c in found.items], next_cursor=next_cursor(found))

    @get(
        "/{call_id:uuid}",
        summary="Get a call",
        responses=responses(AUTHENTICATED, QUERY, CallNotFound),
    )
    async def get_call(
        self,
        request: TenantRequest,
        get_call: Injected[GetCall],
        call_id: FromPath[uuid.UUID],
    ) -> CallView:
        return call_view(await get_call(request.user.tenant_id, str(call_id)))
