"""Read-through caches in front of the repositories on the token hot path.

Hits are cached for at most the configured TTL: a key (secret or publishable) revoked, or an
agent changed or
deleted, by another process takes effect within that bound; in this process, at once.
API-key misses are cached too, and so are dispatch names no live agent of the tenant has (an
agent created under that name by another process answers within the TTL; in this process, at
once). Agent-id misses are not: ids are random, nobody asks for one before it exists.
"""

from datetime import datetime, timedelta

from adapters.caching.ttl_cache import TtlCache
from domain.agent import Agent
from domain.api_key import ApiKey
from domain.pagination import Page, PageRequest
from domain.ports import AgentRepository, ApiKeyRepository, Clock, PublishableKeyRepository
from domain.publishable_key import PublishableKey


class CachedApiKeyRepository:
    def __init__(
        self, inner: ApiKeyRepository, clock: Clock, ttl: timedelta, max_entries: int
    ) -> None:
        self._inner = inner
        self._by_hash: TtlCache[str, ApiKey] = TtlCache(clock, ttl, max_entries)
        self._unknown: TtlCache[str, bool] = TtlCache(clock, ttl, max_entries)

    async def add(self, key: ApiKey) -> None:
        await self._inner.add(key)
        self._unknown.discard(key.key_hash)

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        """A miss is remembered as well: presenting an unknown key again costs no read, just
        as a known (revoked or valid) one does. Safe for every replica: a key is 256 random
        bits, so nobody presents a key's hash before that key exists."""
        if (cached := self._by_hash.get(key_hash)) is not None:
            return cached
        if self._unknown.get(key_hash):
            return None
        read_at = self._by_hash.generation
        key = await self._inner.find_by_hash(key_hash)
        if key is None:
            self._unknown.put(key_hash, True)
        else:
            self._by_hash.put(key_hash, key, key.expires_at, read_at=read_at)
        return key

    async def revoke(self, key_id: str, when: datetime) -> ApiKey | None:
        revoked = await self._inner.revoke(key_id, when)
        self._by_hash.discard_where(lambda _, key: key.id == key_id)
        return revoked

    async def record_use(self, key_id: str, when: datetime) -> None:
        await self._inner.record_use(key_id, when)

    async def list_for_tenant(self, tenant_id: str) -> list[ApiKey]:
        return await self._inner.list_for_tenant(tenant_id)


class CachedAgentRepository:
    def __init__(
        self, inner: AgentRepository, clock: Clock, ttl: timedelta, max_entries: int
    ) -> None:
        self._inner = inner
        self._by_id: TtlCache[tuple[str, str], Agent] = TtlCache(clock, ttl, max_entries)
        self._by_name: TtlCache[tuple[str, str], Agent] = TtlCache(clock, ttl, max_entries)
        self._unknown_names: TtlCache[tuple[str, str], bool] = TtlCache(clock, ttl, max_entries)

    async def add(self, agent: Agent) -> None:
        await self._inner.add(agent)
        self._by_name.discard((agent.tenant_id, agent.dispatch_name))  # it may be newer
        self._unknown_names.discard((agent.tenant_id, agent.dispatch_name))

    async def get_for_tenant(self, tenant_id: str, agent_id: str) -> Agent | None:
        if (cached := self._by_id.get((tenant_id, agent_id))) is not None:
            return cached
        read_at = self._by_id.generation
        agent = await self._inner.get_for_tenant(tenant_id, agent_id)
        if agent is not None:
            self._by_id.put((tenant_id, agent_id), agent, read_at=read_at)
        return agent

    async def get_by_dispatch_name(self, tenant_id: str, dispatch_name: str) -> Agent | None:
        """A name the tenant's agents do not have is remembered like one they have, so the
        two cannot be told apart by how long the answer takes (nor cost a read each)."""
        name = (tenant_id, dispatch_name)
        if (cached := self._by_name.get(name)) is not None:
            return cached
        if self._unknown_names.get(name):
            return None
        read_at, missed_at = self._by_name.generation, self._unknown_names.generation
        agent = await self._inner.get_by_dispatch_name(tenant_id, dispatch_name)
        if agent is None:
            self._unknown_names.put(name, True, read_at=missed_at)
        else:
            self._by_name.put(name, agent, read_at=read_at)
        return agent

    async def list_for_tenant(self, tenant_id: str) -> list[Agent]:
        return await self._inner.list_for_tenant(tenant_id)

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[Agent]:
        return await self._inner.page_for_tenant(tenant_id, page)

    async def update(self, agent: Agent, fields: frozenset[str]) -> Agent | None:
        before = await self._inner.update(agent, fields)
        self._forget(agent.tenant_id, agent.id)
        return before

    async def delete(self, tenant_id: str, agent_id: str, when: datetime) -> bool:
        deleted = await self._inner.delete(tenant_id, agent_id, when)
        self._forget(tenant_id, agent_id)
        return deleted

    def _forget(self, tenant_id: str, agent_id: str) -> None:
        self._by_id.discard((tenant_id, agent_id))
        # A rename or delete may hand a name to another of the tenant's agents: forget them all.
        self._by_name.discard_where(lambda key, _: key[0] == tenant_id)
        self._unknown_names.discard_where(lambda key, _: key[0] == tenant_id)


class CachedPublishableKeyRepository:
    def __init__(
        self, inner: PublishableKeyRepository, clock: Clock, ttl: timedelta, max_entries: int
    ) -> None:
        self._inner = inner
        self._by_hash: TtlCache[str, PublishableKey] = TtlCache(clock, ttl, max_entries)

    async def add(self, key: PublishableKey) -> None:
        await self._inner.add(key)

    async def find_by_hash(self, key_hash: str) -> PublishableKey | None:
        if (cached := self._by_hash.get(key_hash)) is not None:
            return cached
        read_at = self._by_hash.generation
        key = await self._inner.find_by_hash(key_hash)
        if key is not None:
            self._by_hash.put(key_hash, key, read_at=read_at)
        return key

    async def get_for_tenant(self, tenant_id: str, key_id: str) -> PublishableKey | None:
        return await self._inner.get_for_tenant(tenant_id, key_id)

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[PublishableKey]:
        return await self._inner.page_for_tenant(tenant_id, page)

    async def revoke(self, key_id: str, when: datetime) -> PublishableKey | None:
        revoked = await self._inner.revoke(key_id, when)
        self._by_hash.discard_where(lambda _, key: key.id == key_id)
        return revoked
