import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from domain.agent import Agent
from domain.api_key import ApiKey
from domain.call import Call, CallQuery, CallStatus
from domain.call_announcement import Announcement, created
from domain.call_events import EXPIRY, Transition
from domain.errors import CallAlreadyStored, StorageError
from domain.pagination import Page, PageRequest
from domain.tenant import Tenant
from tests.fakes.paging import newest_first, page_of

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
        return agent if agent is not None and self._live(agent, tenant_id) else None

    async def get_by_dispatch_name(self, tenant_id: str, dispatch_name: str) -> Agent | None:
        named = [
            a for a in await self.list_for_tenant(tenant_id) if a.dispatch_name == dispatch_name
        ]
        return named[0] if named else None

    async def list_for_tenant(self, tenant_id: str) -> list[Agent]:
        return newest_first([a for a in self.items.values() if self._live(a, tenant_id)])

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[Agent]:
        return page_of(await self.list_for_tenant(tenant_id), page)

    async def update(self, agent: Agent, fields: frozenset[str]) -> Agent | None:
        before = await self.get_for_tenant(agent.tenant_id, agent.id)
        if before is not None:
            changed = {f: getattr(agent, f) for f in fields | {"updated_at"}}
            self.items[agent.id] = dataclasses.replace(before, **changed)
        return before

    async def delete(self, tenant_id: str, agent_id: str, when: datetime) -> bool:
        agent = await self.get_for_tenant(tenant_id, agent_id)
        if agent is None:
            return False
        self.items[agent_id] = dataclasses.replace(agent, deleted_at=when)
        return True

    @staticmethod
    def _live(agent: Agent, tenant_id: str) -> bool:
        return agent.tenant_id == tenant_id and agent.deleted_at is None


class InMemoryCallRepository:
    def __init__(self) -> None:
        self.items: dict[str, Call] = {}
        self.marks: dict[str, list[Announcement]] = {}
        self.sequences: dict[str, int] = {}

    async def add(self, call: Call) -> None:
        if call.id in self.items or any(c.room_name == call.room_name for c in self.items.values()):
            raise CallAlreadyStored("call id taken")
        self.items[call.id] = call
        self.sequences[call.id] = 1
        announced = [dataclasses.replace(created(call.created_at), sequence=1)]
        self.marks[call.id] = announced if call.announce_creation else []

    async def unannounced(self, limit: int) -> list[tuple[Call, list[Announcement]]]:
        pending = [(self.items[i], list(m)) for i, m in self.marks.items() if m]
        return pending[: max(limit, 0)]

    async def announced(self, marks: Sequence[tuple[str, Announcement]]) -> None:
        for call_id, announcement in marks:
            held = self.marks.get(call_id, [])
            if announcement in held:
                held.remove(announcement)

    async def count_queued(self, tenant_id: str, now: datetime, key_id: str | None = None) -> int:
        query = CallQuery(tenant_id=tenant_id, now=now, status=CallStatus.QUEUED)
        return sum(
            1
            for c in self.items.values()
            if _matches(c, query) and (key_id is None or _created_by_key(c) == key_id)
        )

    async def get_for_tenant(self, tenant_id: str, call_id: str) -> Call | None:
        call = self.items.get(call_id)
        return call if call is not None and call.tenant_id == tenant_id else None

    async def get_by_room(self, room_name: str) -> Call | None:
        return next((c for c in self.items.values() if c.room_name == room_name), None)

    async def apply(self, call_id: str, transition: Transition) -> bool:
        return await self._apply(call_id, transition, transition.announced_at)

    async def _apply(self, call_id: str, transition: Transition, now: datetime | None) -> bool:
        call = self.items.get(call_id)
        if call is None or call.status not in transition.allowed_from:
            return False
        if transition.ended_before is not None and not (
            call.ended_at is not None and call.ended_at < transition.ended_before
        ):
            return False
        if transition.ended_not_after is not None and not (
            call.ended_at is not None and call.ended_at <= transition.ended_not_after
        ):
            return False
        if transition.new_session and call.caller_sid == transition.caller_sid:
            return False
        if transition.without_agent and call.agent_joined_at is not None:
            return False
        self.items[call_id] = dataclasses.replace(
            call,
            status=transition.to or call.status,
            joined_at=transition.joined_at or call.joined_at,
            agent_joined_at=transition.agent_joined_at or call.agent_joined_at,
            ended_by=transition.ended_by or call.ended_by,
            caller_sid=transition.caller_sid or call.caller_sid,
            ended_at=None if transition.clears_ended_at else transition.ended_at or call.ended_at,
            end_reason=None
            if transition.clears_end_reason
            else transition.end_reason or call.end_reason,
        )
        if now is not None and (announcement := transition.announcement(now)) is not None:
            self.sequences[call_id] += 1
            numbered = dataclasses.replace(announcement, sequence=self.sequences[call_id])
            self.marks.setdefault(call_id, []).append(numbered)
        return True

    async def expire_due(self, now: datetime, limit: int) -> int:
        due = [
            c.id
            for c in self.items.values()
            if c.status is CallStatus.QUEUED and c.expires_at <= now
        ][:limit]
        return sum([await self._apply(call_id, EXPIRY, now) for call_id in due])

    async def page_for_tenant(self, query: CallQuery, page: PageRequest) -> Page[Call]:
        return page_of(newest_first([c for c in self.items.values() if _matches(c, query)]), page)


def _matches(call: Call, query: CallQuery) -> bool:
    return (
        call.tenant_id == query.tenant_id
        and query.agent_id in (None, call.agent_id)
        and query.status in (None, call.as_of(query.now).status)
    )


def _insert(items: dict[str, T], item_id: str, item: T) -> None:
    if item_id in items:
        raise StorageError("duplicate id")
    items[item_id] = item


def _created_by_key(call: Call) -> str | None:
    return None if call.created_by is None else call.created_by.key_id
