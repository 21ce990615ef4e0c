"""The relay: marks on calls become one delivery per subscribed endpoint, carrying the call as
GET /v1/calls/{id} shows it."""

import json
from datetime import timedelta

import httpx

from application.announce_calls import AnnounceCallEvents
from domain.call_events import RoomEvent, RoomEventKind
from domain.webhook_delivery import DeliveryStatus
from entrypoints.views import call_document
from tests.support.http import bearer
from tests.support.world import Seeded, World


async def _token(client: httpx.AsyncClient, seeded: Seeded) -> str:
    issued = await client.post(
        "/v1/realtime/token",
        json={"agent_id": seeded.agent.id, "metadata": {"order": 7}},
        headers=bearer(seeded.api_key),
    )
    assert issued.status_code == 200, issued.text
    call_id: str = issued.json()["call_id"]
    return call_id


async def test_each_transition_reaches_every_subscribed_endpoint_once(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    create = world.container.create_webhook_endpoint()
    everything = await create(seeded.tenant_id, "https://a.example.com/hook")
    ends_only = await create(seeded.tenant_id, "https://b.example.com/hook", ["call.ended"])
    other = await world.seed_tenant("Globex")
    foreign = await create(other.tenant_id, "https://c.example.com/hook")
    call_id = await _token(client, seeded)
    call = world.calls.items[call_id]
    world.clock.advance(timedelta(seconds=3))
    for kind, who in (
        (RoomEventKind.PARTICIPANT_JOINED, call.participant_identity),
        (RoomEventKind.PARTICIPANT_JOINED, "agent-1"),
        (RoomEventKind.PARTICIPANT_LEFT, call.participant_identity),
    ):
        world.clock.advance(timedelta(seconds=1))
        await world.container.apply_room_event()(
            RoomEvent(
                f"lk-{kind}-{who}",
                kind,
                call.room_name,
                who,
                world.clock.now(),
                agent=who == "agent-1",
            )
        )

    relayed = await world.container.announce_call_events()()
    again = await world.container.announce_call_events()()

    assert relayed == 3
    assert again == 0
    mine = sorted(
        (d for d in world.webhook_deliveries.items.values() if d.endpoint_id == everything.id),
        key=lambda d: d.created_at,
    )
    assert [d.event_type.value for d in mine] == ["call.created", "call.started", "call.ended"]
    assert all(d.status is DeliveryStatus.PENDING for d in mine)
    ended = [d for d in world.webhook_deliveries.items.values() if d.endpoint_id == ends_only.id]
    assert [d.event_type.value for d in ended] == ["call.ended"]
    assert ended[0].event_id == mine[2].event_id
    assert not any(d.endpoint_id == foreign.id for d in world.webhook_deliveries.items.values())
    shown = await client.get(f"/v1/calls/{call_id}", headers=bearer(seeded.api_key))
    body = json.loads(mine[2].body)
    assert list(body) == ["type", "timestamp", "sequence", "data"]
    assert [json.loads(d.body)["sequence"] for d in mine] == [1, 2, 3]
    assert [(d.call_id, d.sequence) for d in mine] == [(call_id, 1), (call_id, 2), (call_id, 3)]
    assert json.loads(ended[0].body)["sequence"] == 3  # the call's count, whoever listens
    assert body["type"] == "call.ended"
    assert body["data"] == shown.json()
    assert body["data"]["status"] == "ended"
    assert body["data"]["end_reason"] == "participant_left"
    assert body["data"]["agent_joined_at"] is not None


async def test_a_tenant_without_endpoints_costs_no_delivery_and_its_marks_are_cleared(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    await _token(client, seeded)

    assert await world.container.announce_call_events()() == 1
    assert world.webhook_deliveries.items == {}
    assert await world.calls.unannounced(10) == []


async def test_an_expired_call_is_announced(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    await world.container.create_webhook_endpoint()(
        seeded.tenant_id, "https://a.example.com/hook", ["call.expired"]
    )
    call_id = await _token(client, seeded)
    world.clock.advance(timedelta(minutes=11))
    assert await world.container.expire_unjoined_calls()() == 1

    await world.container.announce_call_events()()

    [delivery] = world.webhook_deliveries.items.values()
    body = json.loads(delivery.body)
    assert body["type"] == "call.expired"
    assert body["data"]["id"] == call_id
    assert body["data"]["status"] == "expired"
    assert body["data"]["end_reason"] == "not_joined"


async def test_one_pass_drains_more_marks_than_one_batch(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    """The relay keeps up with more calls a second than one batch holds."""
    endpoint = await world.container.create_webhook_endpoint()(
        seeded.tenant_id, "https://a.example.com/hook"
    )
    calls = [await _token(client, seeded) for _ in range(5)]
    relay = AnnounceCallEvents(
        world.calls,
        world.webhook_endpoints,
        world.webhook_deliveries,
        call_document,
        world.clock,
        batch=2,
    )

    assert await relay() == 5
    delivered = {json.loads(d.body)["data"]["id"] for d in world.webhook_deliveries.items.values()}
    assert delivered == set(calls)
    assert all(d.endpoint_id == endpoint.id for d in world.webhook_deliveries.items.values())
