import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, QueryParameter

from application.agents import AgentChanges
from domain.pagination import DEFAULT_LIMIT, MAX_LIMIT, Cursor, PageRequest
from domain.tenant import Principal
from entrypoints.http.dependencies import ContainerDep
from entrypoints.http.openapi_docs import AGENT_BODY, AGENT_CHANGES, AUTH_PROBLEMS, BEARER, problems
from entrypoints.http.schemas import AgentCreate, AgentPage, AgentPatch, AgentView
from entrypoints.http.views import agent_view

TenantRequest = Request[Principal, Any, Any]
_NOT_FOUND = problems(s404="No such agent for this API key's tenant")
_TAKEN = problems(s409="The dispatch name is not available")


def page_request(limit: int, cursor: str | None) -> PageRequest:
    return PageRequest(limit=limit, after=None if cursor is None else Cursor.decode(cursor))


Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size")]
PageCursor = Annotated[
    str | None, QueryParameter(description="`next_cursor` of the previous page", max_length=200)
]


class AgentsController(Controller):
    """Agents of the API key's tenant; another tenant's agent is always 404, never 403."""

    path = "/v1/agents"
    tags = ("agents",)
    security = BEARER

    @post(status_code=201, summary="Create an agent", responses={**AUTH_PROBLEMS, **_TAKEN})
    async def create(
        self,
        request: TenantRequest,
        data: Annotated[AgentCreate, AGENT_BODY],
        container: ContainerDep,
    ) -> AgentView:
        agent = await container.create_agent()(
            request.user.tenant_id, data.name, data.dispatch_name, data.default_metadata
        )
        return agent_view(agent)

    @get(summary="List agents, newest first", responses=AUTH_PROBLEMS)
    async def list_agents(
        self,
        request: TenantRequest,
        container: ContainerDep,
        limit: Limit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
    ) -> AgentPage:
        found = await container.list_agents().page(
            request.user.tenant_id, page_request(limit, cursor)
        )
        return AgentPage(
            data=[agent_view(a) for a in found.items],
            next_cursor=found.next.encode() if found.next else None,
        )

    @get("/{agent_id:uuid}", summary="Get an agent", responses={**AUTH_PROBLEMS, **_NOT_FOUND})
    async def get_agent(
        self,
        request: TenantRequest,
        container: ContainerDep,
        agent_id: FromPath[uuid.UUID],
    ) -> AgentView:
        agent = await container.get_agent()(request.user.tenant_id, str(agent_id))
        return agent_view(agent)

    @patch(
        "/{agent_id:uuid}",
        summary="Change an agent's name, dispatch name or default metadata",
        responses={**AUTH_PROBLEMS, **_NOT_FOUND, **_TAKEN},
    )
    async def update_agent(
        self,
        request: TenantRequest,
        container: ContainerDep,
        agent_id: FromPath[uuid.UUID],
        data: Annotated[AgentPatch, AGENT_CHANGES],
    ) -> AgentView:
        changes = AgentChanges(
            name=data.name, dispatch_name=data.dispatch_name, default_metadata=data.default_metadata
        )
        agent = await container.update_agent()(request.user.tenant_id, str(agent_id), changes)
        return agent_view(agent)

    @delete(
        "/{agent_id:uuid}",
        summary="Delete an agent (later token requests for it are 404; its calls remain)",
        responses={**AUTH_PROBLEMS, **_NOT_FOUND},
    )
    async def delete_agent(
        self,
        request: TenantRequest,
        container: ContainerDep,
        agent_id: FromPath[uuid.UUID],
    ) -> None:
        await container.delete_agent()(request.user.tenant_id, str(agent_id))
