"""Issue 20, item 2, with the limiters replicas share: an address refused its share of a
publishable key spends nothing of the key's budget in Redis either."""

from collections.abc import Iterator

import pytest
from dependency_injector import providers
from redis.asyncio import Redis

from adapters.rate_limit.redis import RedisRateLimiter
from domain.rate_limit import RateLimitPolicy
from entrypoints.http.app import create_app
from tests.support.addresses import from_address
from tests.support.http import bearer
from tests.support.redis_server import redis_server
from tests.support.world import fake_world

pytestmark = pytest.mark.integration
SITE = "https://shop.example.com"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


async def test_a_flooding_address_leaves_the_key_to_the_others(redis_url: str) -> None:
    world = fake_world()
    limiters = []
    for name, limit in (("rate_limiter", 10), ("publishable_client_limiter", 3)):
        limiter = RedisRateLimiter(Redis.from_url(redis_url), RateLimitPolicy(limit), world.clock)
        getattr(world.container, name).override(providers.Object(limiter))
        limiters.append(limiter)
    seeded = await world.seed_tenant()
    key = (await world.container.create_publishable_key()(seeded.tenant_id, [SITE])).plaintext
    body = {"room_config": {"agents": [{"agent_name": seeded.agent.dispatch_name}]}}
    headers = {**bearer(key), "origin": SITE}
    app = create_app(world.container)  # its lifespan is not needed over fakes

    statuses: dict[str, list[int]] = {}
    for address, requests in (("203.0.113.7", 40), ("198.51.100.20", 3)):
        async with from_address(app, address) as http:
            statuses[address] = [
                (await http.post("/v1/livekit/token", json=body, headers=headers)).status_code
                for _ in range(requests)
            ]
    for limiter in limiters:
        await limiter.close()

    assert statuses["203.0.113.7"] == [201] * 3 + [429] * 37
    assert statuses["198.51.100.20"] == [201] * 3
    assert len(world.calls.items) == 6
