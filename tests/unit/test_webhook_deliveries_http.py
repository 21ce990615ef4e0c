"""An endpoint's deliveries over HTTP: listed with their attempts, and sent again on demand."""

from datetime import timedelta

import httpx

from domain.webhook_delivery import Attempt, DeliveryStatus, RetrySchedule
from tests.support.http import assert_problem, bearer
from tests.support.world import Seeded, World

ENDPOINTS = "/v1/webhook-endpoints"


async def _endpoint_with_a_failed_delivery(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> tuple[str, str]:
    created = await client.post(
        ENDPOINTS, json={"url": "https://hooks.example.com/in"}, headers=bearer(seeded.api_key)
    )
    endpoint_id = created.json()["id"]
    issued = await client.post(
        "/v1/realtime/token", json={"agent_id": seeded.agent.id}, headers=bearer(seeded.api_key)
    )
    assert issued.status_code == 200
    await world.container.announce_call_events()()
    [claimed] = await world.webhook_deliveries.claim_due(
        world.clock.now(), world.clock.now() + timedelta(seconds=30), 1
    )
    attempt = Attempt(at=world.clock.now(), latency_ms=41, status_code=500)
    failed = claimed.after_attempt(attempt, RetrySchedule(()))
    await world.webhook_deliveries.finish_attempt(failed)
    return endpoint_id, claimed.event_id


async def test_deliveries_are_listed_with_their_attempts(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    endpoint_id, event_id = await _endpoint_with_a_failed_delivery(client, seeded, world)

    listed = await client.get(
        f"{ENDPOINTS}/{endpoint_id}/deliveries", headers=bearer(seeded.api_key)
    )

    assert listed.status_code == 200, listed.text
    [delivery] = listed.json()["data"]
    assert delivery["event_id"] == event_id
    assert delivery["event_type"] == "call.created"
    assert delivery["status"] == "failed"
    assert delivery["next_attempt_at"] is None
    assert delivery["attempts"] == [
        {
            "at": delivery["attempts"][0]["at"],
            "status_code": 500,
            "error": None,
            "latency_ms": 41,
        }
    ]
    assert listed.json()["next_cursor"] is None


async def test_a_delivery_is_sent_again_on_demand(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    endpoint_id, event_id = await _endpoint_with_a_failed_delivery(client, seeded, world)
    world.clock.advance(timedelta(minutes=5))

    retried = await client.post(
        f"{ENDPOINTS}/{endpoint_id}/deliveries/{event_id}/retry", headers=bearer(seeded.api_key)
    )

    assert retried.status_code == 202, retried.text
    assert retried.json()["status"] == "pending"
    [stored] = world.webhook_deliveries.items.values()
    assert stored.status is DeliveryStatus.PENDING
    assert stored.next_attempt_at == world.clock.now()
    assert stored.event_id == event_id
    assert len(stored.attempts) == 1


async def test_another_tenants_deliveries_answer_like_missing_ones(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    endpoint_id, event_id = await _endpoint_with_a_failed_delivery(client, seeded, world)
    before = dict(world.webhook_deliveries.items)
    other = await world.seed_tenant("Globex")
    path = f"{ENDPOINTS}/{endpoint_id}/deliveries"

    listed = await client.get(path, headers=bearer(other.api_key))
    retried = await client.post(f"{path}/{event_id}/retry", headers=bearer(other.api_key))
    unknown = await client.post(f"{path}/evt_nope/retry", headers=bearer(seeded.api_key))

    assert_problem(listed, 404, "webhook_endpoint_not_found")
    assert_problem(retried, 404, "webhook_endpoint_not_found")
    assert_problem(unknown, 404, "webhook_delivery_not_found")
    assert world.webhook_deliveries.items == before
