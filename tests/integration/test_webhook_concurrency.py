"""Same and conflicting webhooks at once, as several replicas would apply them."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from pymongo import AsyncMongoClient

from adapters.caching.webhook_subscribers import KnownWebhookSubscribers
from adapters.clock import SystemClock
from adapters.mongo.calls import MongoCallRepository
from adapters.mongo.client import create_client
from adapters.mongo.indexes import ensure_indexes
from adapters.mongo.webhook_events import MongoProcessedEvents
from application.room_events import ApplyRoomEvent, Outcome
from application.webhook_endpoints import (
    EndpointChanges,
    RotateWebhookSecret,
    UpdateWebhookEndpoint,
)
from application.webhook_targets import WebhookTargets
from domain.call import Call, CallStatus
from domain.call_events import RoomEvent, RoomEventKind
from domain.ports import WebhookEndpointRepository
from domain.webhook_endpoint import WebhookEndpoint
from tests.fakes.webhooks import StaticResolver
from tests.integration.conftest import Repositories

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


class ReadThenPause:
    """An endpoint repository whose tenant-scoped read, once it has read, waits for `go`: the
    slow read of a use case, while another change lands in between."""

    def __init__(self, inner: WebhookEndpointRepository) -> None:
        self.inner = inner
        self.read = asyncio.Event()
        self.go = asyncio.Event()

    async def get_for_tenant(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        found = await self.inner.get_for_tenant(tenant_id, endpoint_id)
        if not self.read.is_set():
            self.read.set()
            await self.go.wait()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _targets() -> WebhookTargets:
    return WebhookTargets(StaticResolver(), allow_private=False)


def _rotate(endpoints: WebhookEndpointRepository) -> RotateWebhookSecret:
    return RotateWebhookSecret(endpoints, SystemClock())


def _update(endpoints: WebhookEndpointRepository) -> UpdateWebhookEndpoint:
    return UpdateWebhookEndpoint(endpoints, _targets(), KnownWebhookSubscribers(endpoints))


async def _registered(endpoints: WebhookEndpointRepository) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.register(
        "tenant-1", "https://hooks.example.com/in", (), SystemClock().now(), allow_private=False
    )
    await endpoints.add(endpoint)
    return endpoint


async def _meanwhile(
    slow: Coroutine[Any, Any, WebhookEndpoint],
    paused: ReadThenPause,
    change: Coroutine[Any, Any, object],
) -> WebhookEndpoint:
    """`slow` reads, then `change` lands, then `slow` writes."""
    task = asyncio.create_task(slow)
    await paused.read.wait()
    await change
    paused.go.set()
    return await task


GONE = "the receiver answered 410 Gone"


async def test_a_rotation_racing_a_disable_on_410_keeps_both(repositories: Repositories) -> None:
    endpoints = repositories.webhook_endpoints
    endpoint = await _registered(endpoints)
    paused = ReadThenPause(endpoints)

    rotated = await _meanwhile(
        _rotate(cast(WebhookEndpointRepository, paused))("tenant-1", endpoint.id),
        paused,
        endpoints.disable(endpoint.id, GONE),
    )

    stored = await endpoints.get(endpoint.id)
    assert stored is not None
    assert stored.secret == rotated.secret != endpoint.secret  # the secret just shown signs
    assert stored.previous_secret == endpoint.secret
    assert stored.disabled
    assert stored.disabled_reason == GONE


async def test_an_update_racing_a_disable_on_410_keeps_both(repositories: Repositories) -> None:
    endpoints = repositories.webhook_endpoints
    endpoint = await _registered(endpoints)
    paused = ReadThenPause(endpoints)
    changes = EndpointChanges(url="https://new.example.com/in", description="moved")

    updated = await _meanwhile(
        _update(cast(WebhookEndpointRepository, paused))("tenant-1", endpoint.id, changes),
        paused,
        endpoints.disable(endpoint.id, GONE),
    )

    stored = await endpoints.get(endpoint.id)
    assert stored is not None
    assert stored.url == updated.url == "https://new.example.com/in"
    assert stored.description == "moved"
    assert stored.disabled
    assert stored.disabled_reason == GONE


async def test_a_rotation_racing_an_update_keeps_both(repositories: Repositories) -> None:
    endpoints = repositories.webhook_endpoints
    endpoint = await _registered(endpoints)
    paused = ReadThenPause(endpoints)

    rotated = await _meanwhile(
        _rotate(cast(WebhookEndpointRepository, paused))("tenant-1", endpoint.id),
        paused,
        _update(endpoints)("tenant-1", endpoint.id, EndpointChanges(description="ops")),
    )

    stored = await endpoints.get(endpoint.id)
    assert stored is not None
    assert stored.secret == rotated.secret
    assert stored.description == "ops"


async def test_an_update_racing_a_rotation_keeps_both(repositories: Repositories) -> None:
    endpoints = repositories.webhook_endpoints
    endpoint = await _registered(endpoints)
    paused = ReadThenPause(endpoints)
    rotated: list[WebhookEndpoint] = []

    async def rotate() -> None:
        rotated.append(await _rotate(endpoints)("tenant-1", endpoint.id))

    await _meanwhile(
        _update(cast(WebhookEndpointRepository, paused))(
            "tenant-1", endpoint.id, EndpointChanges(events=("call.ended",))
        ),
        paused,
        rotate(),
    )

    stored = await endpoints.get(endpoint.id)
    assert stored is not None
    assert stored.secret == rotated[0].secret != endpoint.secret
    assert [kind.value for kind in stored.events] == ["call.ended"]


async def test_two_rotations_at_once_leave_both_secrets_shown_signing(
    repositories: Repositories,
) -> None:
    endpoints = repositories.webhook_endpoints
    endpoint = await _registered(endpoints)
    paused = ReadThenPause(endpoints)
    other: list[WebhookEndpoint] = []

    async def rotate() -> None:
        other.append(await _rotate(endpoints)("tenant-1", endpoint.id))

    first = await _meanwhile(
        _rotate(cast(WebhookEndpointRepository, paused))("tenant-1", endpoint.id), paused, rotate()
    )

    stored = await endpoints.get(endpoint.id)
    assert stored is not None
    assert set(stored.signing_secrets(SystemClock().now())) == {first.secret, other[0].secret}
