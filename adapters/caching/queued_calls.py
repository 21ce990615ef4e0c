from datetime import datetime, timedelta

from adapters.caching.ttl_cache import TtlCache
from domain.call import Call
from domain.ports import CallRepository, Clock


class RecentQueuedCallCounts:
    """One `count` per subject (tenant, key) and `ttl` in each process, and in between that
    count plus the calls this process stored since. It errs on the side of refusing: a call
    joined or expired meanwhile still counts until the next read. What it misses is what
    other processes stored since their last read: at most their share of the key's rate
    limit over one `ttl`. A `ttl` of 0 counts on every request."""

    def __init__(
        self, calls: CallRepository, clock: Clock, ttl: timedelta, max_entries: int
    ) -> None:
        self._calls = calls
        self._counts: TtlCache[tuple[str, str | None], list[int]] = TtlCache(
            clock, ttl, max_entries
        )

    async def count_queued(self, tenant_id: str, now: datetime, key_id: str | None = None) -> int:
        subject = (tenant_id, key_id)
        if (known := self._counts.get(subject)) is not None:
            return known[0]
        count = await self._calls.count_queued(tenant_id, now, key_id)
        self._counts.put(subject, [count])
        return count

    def noted(self, call: Call) -> None:
        key_id = call.created_by.key_id if call.created_by is not None else None
        if (known := self._counts.get((call.tenant_id, key_id))) is not None:
            known[0] += 1
