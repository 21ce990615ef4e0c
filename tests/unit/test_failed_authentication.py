"""Failed authentication is bounded per client and, key by key, costs the store one read at
most, whatever kind of bad key it is (issue 10, item 5)."""

import secrets
from datetime import timedelta

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.rate_limit.in_process import InProcessRateLimiter
from application.authentication_lockout import AuthenticationLockout
from domain.api_key import ApiKey
from domain.errors import RateLimited
from domain.rate_limit import RateLimitPolicy
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.fakes.clock import FrozenClock
from tests.fakes.repositories import InMemoryApiKeyRepository
from tests.fakes.storage import FakeStorage
from tests.support.http import assert_problem, bearer
from tests.support.world import TEST_LIVEKIT, World

TOKEN = "/v1/realtime/token"


class CountingApiKeys(InMemoryApiKeyRepository):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        self.reads += 1
        return await super().find_by_hash(key_hash)


def _world(failures_per_minute: int) -> World:
    settings = Settings(
        mongodb_uri="mongodb://unused.invalid",
        livekit=TEST_LIVEKIT,
        auth_failures_per_minute=failures_per_minute,
    )
    storage = FakeStorage(api_keys=providers.Singleton(CountingApiKeys))
    return World(container=build_container(settings), storage=storage)


def _random_key() -> str:
    return "rtk_" + secrets.token_urlsafe(32)


async def test_a_burst_of_unknown_keys_is_429_after_the_limit_and_stops_reading() -> None:
    world = _world(failures_per_minute=20)
    assert isinstance(world.api_keys, CountingApiKeys)
    async with AsyncTestClient(create_app(world.container)) as client:
        answers = [
            await client.post(TOKEN, json={}, headers=bearer(_random_key())) for _ in range(200)
        ]

    assert [a.status_code for a in answers[:20]] == [401] * 20
    for refused in answers[20:]:
        assert_problem(refused, 429, "rate_limited")
        assert int(refused.headers["retry-after"]) >= 1
    assert world.api_keys.reads == 20


async def test_a_revoked_key_and_an_unknown_key_cost_the_same_reads() -> None:
    world = _world(failures_per_minute=100)
    assert isinstance(world.api_keys, CountingApiKeys)
    seeded = await world.seed_tenant()
    await world.container.revoke_api_key()(seeded.api_key_id)
    unknown = _random_key()
    async with AsyncTestClient(create_app(world.container)) as client:
        reads = []
        for key in (seeded.api_key, unknown, seeded.api_key, unknown):
            before = world.api_keys.reads
            assert_problem(
                await client.post(TOKEN, json={}, headers=bearer(key)), 401, "unauthenticated"
            )
            reads.append(world.api_keys.reads - before)

    assert reads == [1, 1, 0, 0]


async def test_good_keys_never_count_as_failures() -> None:
    world = _world(failures_per_minute=2)
    seeded = await world.seed_tenant()
    body = {"agent_id": seeded.agent.id}
    async with AsyncTestClient(create_app(world.container)) as client:
        answers = [
            await client.post(TOKEN, json=body, headers=bearer(seeded.api_key)) for _ in range(10)
        ]
    assert [a.status_code for a in answers] == [200] * 10


def _lockout(limit: int) -> tuple[AuthenticationLockout, FrozenClock]:
    clock = FrozenClock()
    return AuthenticationLockout(
        InProcessRateLimiter(RateLimitPolicy(limit=limit), clock), clock
    ), clock


async def test_a_locked_client_is_refused_before_trying_and_only_until_the_window_resets() -> None:
    lockout, clock = _lockout(limit=2)
    await lockout.failed("10.0.0.1")
    lockout.check("10.0.0.1")
    await lockout.failed("10.0.0.1")
    with pytest.raises(RateLimited) as locked:
        lockout.check("10.0.0.1")
    lockout.check("10.0.0.2")  # another client is not affected

    clock.advance(timedelta(seconds=locked.value.retry_after_seconds))
    lockout.check("10.0.0.1")


async def test_a_failure_counted_past_the_limit_elsewhere_is_refused_itself() -> None:
    """With a shared (Redis) count, other replicas may have used the limit up already."""
    clock = FrozenClock()
    shared = InProcessRateLimiter(RateLimitPolicy(limit=1), clock)
    here, there = AuthenticationLockout(shared, clock), AuthenticationLockout(shared, clock)
    await there.failed("10.0.0.1")
    with pytest.raises(RateLimited):
        await here.failed("10.0.0.1")


async def test_a_limit_of_zero_never_locks_anyone_out() -> None:
    lockout, _ = _lockout(limit=0)
    for _ in range(100):
        await lockout.failed("10.0.0.1")
    lockout.check("10.0.0.1")
