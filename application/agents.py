import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.agent import Agent
from domain.caller_permissions import CallerPermissions
from domain.errors import AgentNotFound, DispatchNameTaken, TenantNotFound
from domain.pagination import Page, PageRequest
from domain.ports import AgentRepository, Clock, DispatchNames, TenantRepository


class CreateAgent:
    """An agent belongs to one existing tenant; without a dispatch name, one is derived
    from its name and id (LiveKit dispatches by that name). A dispatch name another tenant
    uses, or released less than DISPATCH_NAME_REUSE_DELAY ago, is DispatchNameTaken: it
    would route callers to that tenant's worker. Default metadata is validated like a
    call's and merged under every call's own. Without caller permissions, its callers may
    publish a microphone only."""

    def __init__(
        self,
        tenants: TenantRepository,
        agents: AgentRepository,
        names: DispatchNames,
        clock: Clock,
    ) -> None:
        self._tenants = tenants
        self._agents = agents
        self._names = names
        self._clock = clock

    async def __call__(
        self,
        tenant_id: str,
        name: str,
        dispatch_name: str | None = None,
        default_metadata: Mapping[str, Any] | None = None,
        caller_permissions: CallerPermissions | None = None,
    ) -> Agent:
        if await self._tenants.get(tenant_id) is None:
            raise TenantNotFound(tenant_id)
        now = self._clock.now()
        agent = Agent.create(
            tenant_id,
            name,
            dispatch_name,
            now,
            default_metadata,
            caller_permissions=caller_permissions,
        )
        if not await self._names.claim(agent.dispatch_name, tenant_id, now):
            raise DispatchNameTaken(agent.dispatch_name)
        await self._agents.add(agent)
        return agent


class ListAgents:
    """A tenant's agents, newest first; an unknown tenant simply has none."""

    def __init__(self, agents: AgentRepository) -> None:
        self._agents = agents

    async def __call__(self, tenant_id: str) -> list[Agent]:
        return await self._agents.list_for_tenant(tenant_id)

    async def page(self, tenant_id: str, page: PageRequest) -> Page[Agent]:
        return await self._agents.page_for_tenant(tenant_id, page)


class GetAgent:
    """Only within the tenant: another tenant's or a deleted agent is AgentNotFound."""

    def __init__(self, agents: AgentRepository) -> None:
        self._agents = agents

    async def __call__(self, tenant_id: str, agent_id: str) -> Agent:
        agent = await self._agents.get_for_tenant(tenant_id, agent_id)
        if agent is None:
            raise AgentNotFound
        return agent


@dataclass(frozen=True, slots=True)
class AgentChanges:
    """What a tenant may change: never ids, tenant or timestamps."""

    name: str | None = None
    dispatch_name: str | None = None
    default_metadata: Mapping[str, Any] | None = None
    caller_permissions: CallerPermissions | None = None


class UpdateAgent:
    """Partial update within the tenant; the agent must exist and not be deleted, and a new
    dispatch name must not be another tenant's; the one it replaces is released once no live
    agent of the tenant uses it. Only the fields sent are written, onto what the store holds
    then: a concurrent PATCH of other fields (here or on another replica, whose cache may be
    older) is never undone. The answer is the stored agent after it."""

    def __init__(self, agents: AgentRepository, names: DispatchNames, clock: Clock) -> None:
        self._get = GetAgent(agents)
        self._agents = agents
        self._names = names
        self._clock = clock

    async def __call__(self, tenant_id: str, agent_id: str, changes: AgentChanges) -> Agent:
        current = await self._get(tenant_id, agent_id)
        now = self._clock.now()
        updated = current.changed(
            now,
            name=changes.name,
            dispatch_name=changes.dispatch_name,
            default_metadata=changes.default_metadata,
            caller_permissions=changes.caller_permissions,
        )
        sent = _sent_fields(changes)
        redispatched = "dispatch_name" in sent
        if redispatched and not await self._names.claim(updated.dispatch_name, tenant_id, now):
            raise DispatchNameTaken(updated.dispatch_name)
        before = await self._agents.update(updated, sent)
        if redispatched:
            await self._names.release_unused(tenant_id, now)
        if before is None:
            raise AgentNotFound
        return dataclasses.replace(
            before, updated_at=updated.updated_at, **{f: getattr(updated, f) for f in sent}
        )


def _sent_fields(changes: AgentChanges) -> frozenset[str]:
    return frozenset(
        f.name for f in dataclasses.fields(changes) if getattr(changes, f.name) is not None
    )


class DeleteAgent:
    """Soft delete: later token requests for it are AgentNotFound; its calls keep pointing
    at it; its dispatch name is released once no live agent of the tenant uses it. Deleting
    twice is AgentNotFound the second time."""

    def __init__(self, agents: AgentRepository, names: DispatchNames, clock: Clock) -> None:
        self._agents = agents
        self._names = names
        self._clock = clock

    async def __call__(self, tenant_id: str, agent_id: str) -> None:
        now = self._clock.now()
        if not await self._agents.delete(tenant_id, agent_id, now):
            raise AgentNotFound
        await self._names.release_unused(tenant_id, now)
