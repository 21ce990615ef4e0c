"""One contract for the per-process and the Redis rate limiters."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from adapters.rate_limit.in_process import InProcessRateLimiter
from adapters.rate_limit.redis import RedisRateLimiter
from domain.ports import RateLimiter
from domain.rate_limit import RateLimitPolicy
from tests.fakes.clock import FrozenClock
from tests.support.redis_server import redis_server

pytestmark = pytest.mark.integration
POLICY = RateLimitPolicy(limit=3, window_seconds=60)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture(params=["memory", "redis"])
async def limiter(
    request: pytest.FixtureRequest, redis_url: str, clock: FrozenClock
) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield InProcessRateLimiter(POLICY, clock)
        return
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    limiter = RedisRateLimiter(redis, POLICY, clock)
    yield limiter
    await limiter.close()


async def test_the_limit_holds_within_a_window(limiter: RateLimiter) -> None:
    decisions = [await limiter.hit("key-1") for _ in range(4)]
    assert [d.allowed for d in decisions if d] == [True, True, True, False]
    assert [d.remaining for d in decisions if d] == [2, 1, 0, 0]
    assert all(d and d.limit == 3 for d in decisions)


async def test_subjects_are_counted_apart(limiter: RateLimiter) -> None:
    for _ in range(3):
        await limiter.hit("key-1")
    other = await limiter.hit("key-2")
    assert other is not None
    assert other.allowed


async def test_a_new_window_starts_afresh(limiter: RateLimiter, clock: FrozenClock) -> None:
    for _ in range(4):
        await limiter.hit("key-1")
    clock.advance(timedelta(seconds=60))
    decision = await limiter.hit("key-1")
    assert decision is not None
    assert decision.allowed
    assert decision.remaining == 2


async def test_reset_counts_down_to_the_window_end(
    limiter: RateLimiter, clock: FrozenClock
) -> None:
    start = clock.now().timestamp()
    clock.advance(timedelta(seconds=60 - start % 60 - 10.5))
    decision = await limiter.hit("key-1")
    assert decision is not None
    assert decision.reset_seconds == 11


async def test_replicas_sharing_redis_share_the_limit(redis_url: str, clock: FrozenClock) -> None:
    await Redis.from_url(redis_url).flushdb()
    replicas = [RedisRateLimiter(Redis.from_url(redis_url), POLICY, clock) for _ in range(2)]
    decisions = [await replicas[i % 2].hit("shared") for i in range(4)]
    assert [d.allowed for d in decisions if d] == [True, True, True, False]
    for replica in replicas:
        await replica.close()


async def test_redis_down_fails_open(clock: FrozenClock) -> None:
    from adapters.embedded_mongo import free_port

    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    limiter = RedisRateLimiter(dead, POLICY, clock)
    assert await limiter.hit("key-1") is None
    await limiter.close()


async def test_a_zero_limit_turns_limiting_off(clock: FrozenClock) -> None:
    assert await InProcessRateLimiter(RateLimitPolicy(limit=0), clock).hit("key") is None
