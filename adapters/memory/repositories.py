import dataclasses
from datetime import datetime
from typing import TypeVar

from domain.agent import Agent
from domain.call import Call, CallStatus
from domain.errors import StorageError
from domain.tenant import ApiKey, Tenant

T = TypeVar("T")


class InMemoryTenantRepository:
    def __init__(self) -> None:
        self.items: dict[str, Tenant] = {}

    async def add(self, tenant: Tenant) -> None:
        _insert(self.items, tenant.id, tenant)

    async def get(self, tenant_id: str) -> Tenant | None:
        return self.items.get(tenant_id)


class InMemoryApiKeyRepository:
    def __init__(self) -> None:
        self.items: dict[str, ApiKey] = {}

    async def add(self, key: ApiKey) -> None:
        if any(existing.key_hash == key.key_hash for existing in self.items.values()):
            raise StorageError("duplicate key hash")
        _insert(self.items, key.id, key)

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        return next((k for k in self.items.values() if k.key_hash == key_hash), None)

    async def revoke(self, key_id: str, when: datetime) -> ApiKey | None:
        key = self.items.get(key_id)
        if key is None or key.revoked_at is not None:
            return key
        self.items[key_id] = dataclasses.replace(key, revoked_at=when)
        return self.items[key_id]

    async def record_use(self, key_id: str, when: datetime) -> None:
        if (key := self.items.get(key_id)) is not None:
            self.items[key_id] = dataclasses.replace(key, last_used_at=when)

    async def list_for_tenant(self, tenant_id: str) -> list[ApiKey]:
        mine = [k for k in self.items.values() if k.tenant_id == tenant_id]
        return sorted(mine, key=lambda k: (k.created_at, k.id), reverse=True)


class InMemoryAgentRepository:
    def __init__(self) -> None:
        self.items: dict[str, Agent] = {}

    async def add(self, agent: Agent) -> None:
        _insert(self.items, agent.id, agent)

    async def get_for_tenant(self, tenant_id: str, agent_id: str) -> Agent | None:
        agent = self.items.get(agent_id)
        return agent if agent is not None and agent.tenant_id == tenant_id else None

    async def list_for_tenant(self, tenant_id: str) -> list[Agent]:
        mine = [a for a in self.items.values() if a.tenant_id == tenant_id]
        return sorted(mine, key=lambda a: (a.created_at, a.id), reverse=True)


class InMemoryCallRepository:
    def __init__(self) -> None:
        self.items: dict[str, Call] = {}

    async def add(self, call: Call) -> None:
        _insert(self.items, call.id, call)

    async def count_queued(self, tenant_id: str, now: datetime) -> int:
        return sum(
            1
            for c in self.items.values()
            if c.tenant_id == tenant_id and c.status is CallStatus.QUEUED and c.expires_at > now
        )

    async def get_for_tenant(self, tenant_id: str, call_id: str) -> Call | None:
        call = self.items.get(call_id)
        return call if call is not None and call.tenant_id == tenant_id else None


def _insert(items: dict[str, T], item_id: str, item: T) -> None:
    if item_id in items:
        raise StorageError("duplicate id")
    items[item_id] = item
