"""A publishable key has a queued-call cap by default, and keeping it costs a warm request no
MongoDB command: the count is read once per key and CACHE_TTL_SECONDS, and the calls stored
in between are added to it (issue 20, item 10)."""

import asyncio
import dataclasses
from datetime import datetime, timedelta

import httpx
from litestar.testing import AsyncTestClient

from adapters.caching.queued_calls import RecentQueuedCallCounts
from domain.call import Call, CallStatus, CreatedBy
from domain.errors import StorageUnavailable
from domain.tenant import KeyKind
from entrypoints.environment import DEFAULT_MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.fakes.clock import FrozenClock
from tests.fakes.repositories import InMemoryCallRepository
from tests.support.http import assert_problem, bearer
from tests.support.world import fake_world

TTL = timedelta(seconds=5)
SITE = "https://shop.example.com"


class CountedCalls(InMemoryCallRepository):
    def __init__(self) -> None:
        super().__init__()
        self.counts = 0

    async def count_queued(self, tenant_id: str, now: datetime, key_id: str | None = None) -> int:
        self.counts += 1
        return await super().count_queued(tenant_id, now, key_id)


def _call(clock: FrozenClock, key_id: str, tenant_id: str = "t") -> Call:
    return Call.queue_webrtc(
        tenant_id=tenant_id,
        agent_id="a",
        metadata={},
        now=clock.now(),
        join_window=timedelta(minutes=10),
        created_by=CreatedBy(key_id, KeyKind.PUBLISHABLE),
    )


def test_publishable_keys_have_a_queued_call_cap_by_default() -> None:
    assert DEFAULT_MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY > 0
    assert Settings().max_queued_calls_per_publishable_key > 0
    assert Settings.from_env({}).max_queued_calls_per_publishable_key > 0
    assert (
        Settings.from_env(
            {"MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY": "0"}
        ).max_queued_calls_per_publishable_key
        == 0
    )


async def test_the_count_is_read_once_per_ttl_and_what_is_stored_here_is_added() -> None:
    clock, calls = FrozenClock(), CountedCalls()
    counts = RecentQueuedCallCounts(calls, clock, TTL, max_entries=10)
    await calls.add(_call(clock, "k1"))  # stored before: another process

    assert await counts.count_queued("t", clock.now(), "k1") == 1
    for _ in range(3):
        stored = _call(clock, "k1")
        await calls.add(stored)
        counts.noted(stored)
    counts.noted(_call(clock, "k2"))  # another key's call: not this key's count
    assert await counts.count_queued("t", clock.now(), "k1") == 4
    assert calls.counts == 1

    joined = next(iter(calls.items.values()))  # its caller joined: it leaves the queue
    calls.items[joined.id] = dataclasses.replace(joined, status=CallStatus.IN_PROGRESS)
    assert await counts.count_queued("t", clock.now(), "k1") == 4, "still counted, until"
    clock.advance(TTL)
    assert await counts.count_queued("t", clock.now(), "k1") == 3, "the next read"
    assert calls.counts == 2


async def test_a_flooded_key_is_capped_while_the_tenants_other_key_still_gets_tokens() -> None:
    world = fake_world(max_queued_per_key=3)
    seeded = await world.seed_tenant()
    flooded = await world.container.create_publishable_key()(seeded.tenant_id, [SITE])
    other = await world.container.create_publishable_key()(seeded.tenant_id, [SITE])
    body = {"room_config": {"agents": [{"agent_name": seeded.agent.dispatch_name}]}}

    def sent_with(key: str) -> dict[str, str]:
        return {**bearer(key), "origin": SITE}

    async with AsyncTestClient(create_app(world.container)) as client:
        flood = [
            await client.post("/v1/livekit/token", json=body, headers=sent_with(flooded.plaintext))
            for _ in range(6)
        ]
        others: list[httpx.Response] = [
            await client.post("/v1/livekit/token", json=body, headers=sent_with(other.plaintext)),
            await client.post(
                "/v1/realtime/token",
                json={"agent_id": seeded.agent.id},
                headers=bearer(seeded.api_key),
            ),
        ]

    assert [r.status_code for r in flood[:3]] == [201] * 3
    for refused in flood[3:]:
        assert_problem(refused, 429, "too_many_queued_calls")
    assert [r.status_code for r in others] == [201, 200]
    assert len(world.calls.items) == 5


class GatedCalls(CountedCalls):
    """Counts that wait for `gate`, as a scan of many queued calls takes its time."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.fails = False

    async def count_queued(self, tenant_id: str, now: datetime, key_id: str | None = None) -> int:
        self.counts += 1
        await self.gate.wait()
        if self.fails:
            raise StorageUnavailable("counting queued calls")
        return await InMemoryCallRepository.count_queued(self, tenant_id, now, key_id)


async def test_requests_that_miss_together_share_one_count() -> None:
    clock, calls = FrozenClock(), GatedCalls()
    for _ in range(3):
        await calls.add(_call(clock, "pk"))
    counts = RecentQueuedCallCounts(calls, clock, TTL, max_entries=10)
    burst = [asyncio.create_task(counts.count_queued("t", clock.now(), "pk")) for _ in range(32)]
    await asyncio.sleep(0)
    calls.gate.set()
    assert await asyncio.gather(*burst) == [3] * 32
    assert calls.counts == 1
    assert await counts.count_queued("t", clock.now(), "pk") == 3
    assert calls.counts == 1


async def test_a_caller_who_goes_away_leaves_the_count_to_the_others() -> None:
    clock, calls = FrozenClock(), GatedCalls()
    await calls.add(_call(clock, "pk"))
    counts = RecentQueuedCallCounts(calls, clock, TTL, max_entries=10)
    first = asyncio.create_task(counts.count_queued("t", clock.now(), "pk"))
    second = asyncio.create_task(counts.count_queued("t", clock.now(), "pk"))
    await asyncio.sleep(0)
    first.cancel()
    calls.gate.set()
    assert await second == 1
    assert first.cancelled()
    assert calls.counts == 1


async def test_a_count_that_fails_fails_its_waiters_and_the_next_request_counts_again() -> None:
    clock, calls = FrozenClock(), GatedCalls()
    counts = RecentQueuedCallCounts(calls, clock, TTL, max_entries=10)
    calls.fails = True
    burst = [asyncio.create_task(counts.count_queued("t", clock.now(), "pk")) for _ in range(2)]
    await asyncio.sleep(0)
    calls.gate.set()
    results = await asyncio.gather(*burst, return_exceptions=True)
    assert [type(r) for r in results] == [StorageUnavailable, StorageUnavailable]
    calls.fails = False
    assert await counts.count_queued("t", clock.now(), "pk") == 0
    assert calls.counts == 2
