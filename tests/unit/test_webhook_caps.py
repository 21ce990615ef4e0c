"""One tenant cannot register endpoints or pile up deliveries without bound (issue 20, item 1):
a cap on endpoints per tenant, and on pending deliveries per endpoint."""

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import ConfigurationError, Settings
from tests.support.http import assert_problem, bearer
from tests.support.world import TEST_LIVEKIT, World

ENDPOINTS = "/v1/webhook-endpoints"


@pytest.fixture
def world() -> World:
    settings = Settings(
        mongodb_uri="mongodb://unused.invalid",
        livekit=TEST_LIVEKIT,
        webhook_poll_seconds=0,
        webhook_max_endpoints_per_tenant=3,
        webhook_max_pending_per_endpoint=2,
    )
    return World(container=build_container(settings))


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with AsyncTestClient(create_app(world.container)) as test_client:
        yield test_client


async def test_a_tenant_at_its_endpoint_cap_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, world: World
) -> None:
    attacker = await world.seed_tenant("Attacker")
    victim = await world.seed_tenant("Victim")
    for n in range(3):
        created = await client.post(
            ENDPOINTS, json={"url": f"https://h{n}.example.com/"}, headers=bearer(attacker.api_key)
        )
        assert created.status_code == 201, created.text

    refused = await client.post(
        ENDPOINTS, json={"url": "https://h9.example.com/"}, headers=bearer(attacker.api_key)
    )
    theirs = await client.post(
        ENDPOINTS, json={"url": "https://v.example.com/"}, headers=bearer(victim.api_key)
    )

    problem = assert_problem(refused, 409, "webhook_endpoint_limit_reached")
    assert problem["errors"] == [
        {"field": "body", "message": "at most 3 webhook endpoints per tenant"}
    ]
    assert theirs.status_code == 201
    mine = [e for e in world.webhook_endpoints.items.values() if e.tenant_id == attacker.tenant_id]
    assert len(mine) == 3


async def _token(client: httpx.AsyncClient, api_key: str, agent_id: str) -> None:
    issued = await client.post(
        "/v1/realtime/token", json={"agent_id": agent_id}, headers=bearer(api_key)
    )
    assert issued.status_code == 200, issued.text


async def test_deliveries_past_the_pending_cap_of_an_endpoint_are_dropped_and_counted(
    client: httpx.AsyncClient, world: World
) -> None:
    flooding = await world.seed_tenant("Flooding")
    calm = await world.seed_tenant("Calm")
    create = world.container.create_webhook_endpoint()
    full = await create(flooding.tenant_id, "https://full.example.com/")
    other = await create(calm.tenant_id, "https://calm.example.com/")
    for _ in range(5):
        await _token(client, flooding.api_key, flooding.agent.id)
    await _token(client, calm.api_key, calm.agent.id)

    relayed = await world.container.announce_call_events()()

    assert relayed == 6  # every mark is relayed (and removed), dropped or not
    per_endpoint = [d.endpoint_id for d in world.webhook_deliveries.items.values()]
    assert per_endpoint.count(full.id) == 2
    assert per_endpoint.count(other.id) == 1
    metrics = world.container.metrics().exposition().decode()
    assert "realtime_tokens_webhook_deliveries_dropped_total 3.0" in metrics


def test_the_caps_are_settings_with_bounds() -> None:
    defaults = Settings.from_env({})
    assert defaults.webhook_max_endpoints_per_tenant == 20
    assert defaults.webhook_max_pending_per_endpoint == 10_000
    env = {"WEBHOOK_MAX_ENDPOINTS_PER_TENANT": "5", "WEBHOOK_MAX_PENDING_PER_ENDPOINT": "50"}
    assert Settings.from_env(env).webhook_max_endpoints_per_tenant == 5
    assert Settings.from_env(env).webhook_max_pending_per_endpoint == 50
    with pytest.raises(ConfigurationError):
        Settings.from_env({"WEBHOOK_MAX_ENDPOINTS_PER_TENANT": "0"})
    with pytest.raises(ConfigurationError):
        Settings.from_env({"WEBHOOK_MAX_PENDING_PER_ENDPOINT": "0"})
