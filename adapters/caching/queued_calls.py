import asyncio
from datetime import datetime, timedelta

from adapters.caching.ttl_cache import TtlCache
from domain.call import Call
from domain.ports import CallRepository, Clock


class RecentQueuedCallCounts:
    """One `count` per subject (tenant, key) and `ttl` in each process, and in between that
    count plus the calls this process stored since. It errs on the side of refusing: a call
    joined or expired meanwhile still counts until the next read. What it misses is what
    other processes stored since their last read: at most their share of the key's rate
    limit over one `ttl`. A `ttl` of 0 counts on every request.

    Requests that miss together share one count: a count scans the subject's queued calls,
    and a burst arriving on a cold entry must not start one scan each (seen in `make bench`:
    32 connections on one publishable key, each counting, answered 5 requests a second)."""

    def __init__(
        self, calls: CallRepository, clock: Clock, ttl: timedelta, max_entries: int
    ) -> None:
        self._calls = calls
        self._counts: TtlCache[tuple[str, str | None], list[int]] = TtlCache(
            clock, ttl, max_entries
        )
        self._counting: dict[tuple[str, str | None], asyncio.Future[int]] = {}

    async def count_queued(self, tenant_id: str, now: datetime, key_id: str | None = None) -> int:
        subject = (tenant_id, key_id)
        if (known := self._counts.get(subject)) is not None:
            return known[0]
        if (counting := self._counting.get(subject)) is None:
            counting = asyncio.ensure_future(self._calls.count_queued(tenant_id, now, key_id))
            self._counting[subject] = counting
            counting.add_done_callback(lambda done: self._counted(subject, done))
        return await asyncio.shield(counting)  # a caller who goes away leaves the count to the rest

    def _counted(self, subject: tuple[str, str | None], done: "asyncio.Future[int]") -> None:
        del self._counting[subject]
        if not done.cancelled() and done.exception() is None:
            self._counts.put(subject, [done.result()])

    def noted(self, call: Call) -> None:
        key_id = call.created_by.key_id if call.created_by is not None else None
        if (known := self._counts.get((call.tenant_id, key_id))) is not None:
            known[0] += 1
