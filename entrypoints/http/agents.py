import dataclasses
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath

from application.agents import (
    AgentChanges,
    CreateAgent,
    DeleteAgent,
    GetAgent,
    ListAgents,
    UpdateAgent,
)
from domain.errors import (
    AgentNotFound,
    DispatchNameTaken,
    InvalidCursor,
    InvalidMetadata,
    InvalidName,
)
from domain.pagination import DEFAULT_LIMIT
from domain.tenant import Principal
from entrypoints.http.dependencies import Injected
from entrypoints.http.errors import AUTHENTICATED, JSON_BODY, QUERY, responses
from entrypoints.http.openapi_docs import AGENT_BODY, AGENT_CHANGES, BEARER
from entrypoints.http.paging import Limit, PageCursor, next_cursor, page_request
from entrypoints.http.schemas import AgentCreate, AgentPage, AgentPatch
from entrypoints.views import AgentView, agent_view

TenantRequest = Request[Principal, Any, Any]
_WRITE = (*JSON_BODY, InvalidName, InvalidMetadata, DispatchNameTaken)


class AgentsController(Controller):
    """Agents of the API key's tenant; another tenant's agent is always 404, never 403."""

    path = "/v1/agents"
    tags = ("agents",)
    security = BEARER

    @post(status_code=201, summary="Create an agent", responses=responses(AUTHENTICATED, _WRITE))
    async def create(
        self,
        request: TenantRequest,
        data: Annotated[AgentCreate, AGENT_BODY],
        create_agent: Injected[CreateAgent],
    ) -> AgentView:
        agent = await create_agent(
            request.user.tenant_id,
            data.name,
            data.dispatch_name,
            data.default_metadata,
            caller_permissions=data.caller_permissions.permissions(),
        )
        return agent_view(agent)

    @get(
        summary="List agents, newest first",
        responses=responses(AUTHENTICATED, QUERY, InvalidCursor),
    )
    async def list_agents(
        self,
        request: TenantRequest,
        list_agents: Injected[ListAgents],
        limit: Limit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
    ) -> AgentPage:
        found = await list_agents.page(request.user.tenant_id, page_request(limit, cursor))
        return AgentPage(data=[agent_view(a) for a in found.items], next_cursor=next_cursor(found))

    @get(
        "/{agent_id:uuid}",
        summary="Get an agent",
        responses=responses(AUTHENTICATED, QUERY, AgentNotFound),
    )
    async def get_agent(
        self,
        request: TenantRequest,
        get_agent: Injected[GetAgent],
        agent_id: FromPath[uuid.UUID],
    ) -> AgentView:
        return agent_view(await get_agent(request.user.tenant_id, str(agent_id)))

    @patch(
        "/{agent_id:uuid}",
        summary="Change an agent's name, dispatch name or default metadata",
        responses=responses(AUTHENTICATED, _WRITE, AgentNotFound),
    )
    async def update_agent(
        self,
        request: TenantRequest,
        update_agent: Injected[UpdateAgent],
        agent_id: FromPath[uuid.UUID],
        data: Annotated[AgentPatch, AGENT_CHANGES],
    ) -> AgentView:
        changes = AgentChanges(
            name=data.name, dispatch_name=data.dispatch_name, default_metadata=data.default_metadata
        )
        if data.caller_permissions is not None:
            changes = dataclasses.replace(
                changes, caller_permissions=data.caller_permissions.permissions()
            )
        return agent_view(await update_agent(request.user.tenant_id, str(agent_id), changes))

    @delete(
        "/{agent_id:uuid}",
        summary="Delete an agent (later token requests for it are 404; its calls remain)",
        responses=responses(AUTHENTICATED, QUERY, AgentNotFound),
    )
    async def delete_agent(
        self,
        request: TenantRequest,
        delete_agent: Injected[DeleteAgent],
        agent_id: FromPath[uuid.UUID],
    ) -> None:
        await delete_agent(request.user.tenant_id, str(agent_id))
