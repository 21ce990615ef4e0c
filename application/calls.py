from dataclasses import dataclass

from domain.call import Call, CallQuery, CallStatus
from domain.errors import CallNotFound
from domain.pagination import Page, PageRequest
from domain.ports import CallRepository, Clock


class GetCall:
    """A tenant's call as it stands now (queued past its window reads as expired); another
    tenant's call is CallNotFound, exactly like a missing one."""

    def __init__(self, calls: CallRepository, clock: Clock) -> None:
        self._calls = calls
        self._clock = clock

    async def __call__(self, tenant_id: str, call_id: str) -> Call:
        call = await self._calls.get_for_tenant(tenant_id, call_id)
        if call is None:
            raise CallNotFound
        return call.as_of(self._clock.now())


@dataclass(frozen=True, slots=True)
class CallFilter:
    agent_id: str | None = None
    status: CallStatus | None = None


class ListCalls:
    """A tenant's calls newest first, by keyset cursor, filtered by agent and/or status as of
    now (so `expired` includes queued calls past their window before the sweeper ran)."""

    def __init__(self, calls: CallRepository, clock: Clock) -> None:
        self._calls = calls
        self._clock = clock

    async def __call__(self, tenant_id: str, where: CallFilter, page: PageRequest) -> Page[Call]:
        now = self._clock.now()
        query = CallQuery(tenant_id, now, agent_id=where.agent_id, status=where.status)
        found = await self._calls.page_for_tenant(query, page)
        return Page([call.as_of(now) for call in found.items], found.next)
