"""One client address flooding a publishable key spends only its own share of the key: every
other address still gets its token (issue 20, item 2)."""

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from tests.support.addresses import from_address
from tests.support.http import assert_problem, bearer
from tests.support.world import Seeded, World, fake_world

TOKEN = "/v1/livekit/token"
SITE = "https://shop.example.com"
ATTACKER, VISITOR = "203.0.113.7", "198.51.100.20"
KEY_BUDGET, PER_ADDRESS = 10, 3


@pytest.fixture
async def app_and_world() -> AsyncIterator[tuple[Litestar, World, Seeded, str]]:
    world = fake_world(rate_limit=KEY_BUDGET, per_ip=PER_ADDRESS)
    seeded = await world.seed_tenant()
    minted = await world.container.create_publishable_key()(seeded.tenant_id, [SITE])
    app = create_app(world.container)
    async with AsyncTestClient(app):  # runs the lifespan; requests below name their address
        yield app, world, seeded, minted.plaintext


async def test_an_address_refused_its_share_does_not_spend_the_keys_budget(
    app_and_world: tuple[Litestar, World, Seeded, str],
) -> None:
    app, world, seeded, key = app_and_world
    body = {"room_config": {"agents": [{"agent_name": seeded.agent.dispatch_name}]}}
    headers = {**bearer(key), "origin": SITE}

    async with from_address(app, ATTACKER) as attacker:
        flood = [(await attacker.post(TOKEN, json=body, headers=headers)) for _ in range(50)]
    async with from_address(app, VISITOR) as visitor:
        visits = [(await visitor.post(TOKEN, json=body, headers=headers)) for _ in range(3)]

    assert [r.status_code for r in flood[:PER_ADDRESS]] == [201] * PER_ADDRESS
    for refused in flood[PER_ADDRESS:]:
        assert_problem(refused, 429, "rate_limited")
    assert [r.status_code for r in visits] == [201] * 3, visits[-1].text
    assert len(world.calls.items) == 2 * PER_ADDRESS


async def test_the_headers_report_the_limit_closest_to_refusing(
    app_and_world: tuple[Litestar, World, Seeded, str],
) -> None:
    app, _, seeded, key = app_and_world
    body = {"room_config": {"agents": [{"agent_name": seeded.agent.dispatch_name}]}}
    headers = {**bearer(key), "origin": SITE}

    async with from_address(app, VISITOR) as visitor:
        first = await visitor.post(TOKEN, json=body, headers=headers)

    assert first.status_code == 201
    assert first.headers["ratelimit-limit"] == str(PER_ADDRESS)
    assert first.headers["ratelimit-remaining"] == str(PER_ADDRESS - 1)


async def test_many_addresses_together_still_meet_the_keys_budget(
    app_and_world: tuple[Litestar, World, Seeded, str],
) -> None:
    app, world, seeded, key = app_and_world
    body = {"room_config": {"agents": [{"agent_name": seeded.agent.dispatch_name}]}}
    headers = {**bearer(key), "origin": SITE}

    answers = []
    for n in range(4):  # 4 addresses x 3 requests: 12 asked, 10 in the key's budget
        async with from_address(app, f"192.0.2.{n + 1}") as address:
            answers += [await address.post(TOKEN, json=body, headers=headers) for _ in range(3)]

    assert [r.status_code for r in answers[:KEY_BUDGET]] == [201] * KEY_BUDGET
    for refused in answers[KEY_BUDGET:]:
        assert_problem(refused, 429, "rate_limited")
        assert refused.headers["ratelimit-limit"] == str(KEY_BUDGET)
        assert int(refused.headers["retry-after"]) >= 1
    assert len(world.calls.items) == KEY_BUDGET
