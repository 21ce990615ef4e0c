"""Same and conflicting webhooks at once, as several replicas would apply them."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from adapters.clock import SystemClock
from adapters.mongo.calls import MongoCallRepository
from adapters.mongo.client import create_client
from adapters.mongo.indexes import ensure_indexes
from adapters.mongo.webhook_events import MongoProcessedEvents
from application.room_events import ApplyRoomEvent, Outcome
from domain.call import Call, CallStatus
from domain.call_events import RoomEvent, RoomEventKind

pytestmark = pytest.mark.integration
REPLICAS = 3


@dataclass
class Replicas:
    appliers: list[ApplyRoomEvent]
    calls: MongoCallRepository


@pytest.fixture
async def replicas(mongo_uri: str) -> AsyncIterator[Replicas]:
    name = f"hooks_{uuid.uuid4().hex[:12]}"
    clients: list[AsyncMongoClient[dict[str, Any]]] = [
        create_client(mongo_uri) for _ in range(REPLICAS)
    ]
    await ensure_indexes(clients[0][name])
    yield Replicas(
        [
            ApplyRoomEvent(MongoCallRepository(c[name]), MongoProcessedEvents(c[name]))
            for c in clients
        ],
        MongoCallRepository(clients[0][name]),
    )
    await clients[0].drop_database(name)
    for client in clients:
        await client.close()


async def _queued_call(calls: MongoCallRepository) -> Call:
    call = Call.queue_webrtc(
        tenant_id="t",
        agent_id="a",
        metadata={},
        now=SystemClock().now(),
        join_window=timedelta(minutes=10),
    )
    await calls.add(call)
    return call


def _event(call: Call, kind: RoomEventKind, event_id: str) -> RoomEvent:
    return RoomEvent(event_id, kind, call.room_name, call.participant_identity, SystemClock().now())


async def test_one_event_delivered_to_every_replica_at_once_applies_once(
    replicas: Replicas,
) -> None:
    calls = replicas.calls
    call = await _queued_call(calls)
    joined = _event(call, RoomEventKind.PARTICIPANT_JOINED, "EV_same")

    outcomes = await asyncio.gather(*(apply(joined) for apply in replicas.appliers * 4))

    assert outcomes.count(Outcome.APPLIED) == 1
    assert set(outcomes) <= {Outcome.APPLIED, Outcome.UNCHANGED, Outcome.DUPLICATE}
    stored = await calls.get_for_tenant("t", call.id)
    assert stored is not None
    assert stored.status is CallStatus.IN_PROGRESS


async def test_conflicting_events_at_once_end_forward_only(replicas: Replicas) -> None:
    calls = replicas.calls
    call = await _queued_call(calls)
    events = [
        _event(call, kind, f"EV_{kind.value}_{n}")
        for n in range(4)
        for kind in (RoomEventKind.PARTICIPANT_JOINED, RoomEventKind.ROOM_FINISHED)
    ]

    outcomes = await asyncio.gather(
        *(replicas.appliers[i % REPLICAS](event) for i, event in enumerate(events))
    )

    stored = await calls.get_for_tenant("t", call.id)
    assert stored is not None
    assert stored.status is CallStatus.ENDED
    assert stored.end_reason == "agent_never_joined"  # no agent joined before the room finished
    applied = [e.kind for e, o in zip(events, outcomes, strict=True) if o is Outcome.APPLIED]
    assert applied.count(RoomEventKind.ROOM_FINISHED) == 1
    assert applied.count(RoomEventKind.PARTICIPANT_JOINED) <= 1
