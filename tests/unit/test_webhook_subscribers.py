"""Only the calls of tenants with a webhook endpoint are marked to announce their creation, so
a tenant that never registers one costs the relay nothing; the token route learns which
tenants those are from memory, never from a command."""

import httpx

from adapters.caching.webhook_subscribers import KnownWebhookSubscribers
from tests.fakes.webhooks import InMemoryWebhookEndpointRepository
from tests.support.http import bearer
from tests.support.world import Seeded, World

HOOK = "https://hooks.example.com/calls"


async def _call(client: httpx.AsyncClient, seeded: Seeded) -> str:
    issued = await client.post(
        "/v1/realtime/token", json={"agent_id": seeded.agent.id}, headers=bearer(seeded.api_key)
    )
    assert issued.status_code == 200, issued.text
    call_id: str = issued.json()["call_id"]
    return call_id


async def test_only_a_subscribing_tenants_calls_carry_an_announcement(
    client: httpx.AsyncClient, world: World, seeded: Seeded
) -> None:
    quiet = await world.seed_tenant("Quiet")
    await world.container.create_webhook_endpoint()(seeded.tenant_id, HOOK)
    await world.container.webhook_subscribers().refresh()

    announced = await _call(client, seeded)
    unannounced = await _call(client, quiet)

    assert [m.type.value for m in world.calls.marks[announced]] == ["call.created"]
    assert world.calls.marks[unannounced] == []


async def test_an_endpoint_registered_here_counts_at_once(
    client: httpx.AsyncClient, world: World, seeded: Seeded
) -> None:
    await world.container.webhook_subscribers().refresh()
    before = await _call(client, seeded)
    await world.container.create_webhook_endpoint()(seeded.tenant_id, HOOK)
    after = await _call(client, seeded)

    assert world.calls.marks[before] == []
    assert [m.type.value for m in world.calls.marks[after]] == ["call.created"]


async def test_until_the_first_refresh_every_tenant_counts() -> None:
    known = KnownWebhookSubscribers(InMemoryWebhookEndpointRepository())
    assert known.want_announcements("any-tenant")
    await known.refresh()
    assert not known.want_announcements("any-tenant")


async def test_disabled_endpoints_do_not_count_and_a_refresh_forgets_deleted_ones(
    world: World, seeded: Seeded
) -> None:
    endpoint = await world.container.create_webhook_endpoint()(seeded.tenant_id, HOOK)
    known = world.container.webhook_subscribers()
    await known.refresh()
    assert known.want_announcements(seeded.tenant_id)

    await world.container.delete_webhook_endpoint()(endpoint.id, tenant_id=seeded.tenant_id)
    await known.refresh()
    assert not known.want_announcements(seeded.tenant_id)
