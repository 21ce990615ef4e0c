from domain.agent import Agent
from domain.errors import TenantNotFound
from domain.ports import AgentRepository, Clock, TenantRepository


class CreateAgent:
    """An agent belongs to one existing tenant; without a dispatch name, one is derived
    from its name (LiveKit dispatches by that name)."""

    def __init__(self, tenants: TenantRepository, agents: AgentRepository, clock: Clock) -> None:
        self._tenants = tenants
        self._agents = agents
        self._clock = clock

    async def __call__(self, tenant_id: str, name: str, dispatch_name: str | None = None) -> Agent:
        if await self._tenants.get(tenant_id) is None:
            raise TenantNotFound(tenant_id)
        agent = Agent.create(tenant_id, name, dispatch_name, self._clock.now())
        await self._agents.add(agent)
        return agent


class ListAgents:
    """A tenant's agents, newest first; an unknown tenant simply has none."""

    def __init__(self, agents: AgentRepository) -> None:
        self._agents = agents

    async def __call__(self, tenant_id: str) -> list[Agent]:
        return await self._agents.list_for_tenant(tenant_id)
