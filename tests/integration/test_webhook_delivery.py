"""Deliveries to real HTTP receivers on loopback, through MongoDB, signed and verified with
the standardwebhooks package."""

import asyncio
import dataclasses
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from dependency_injector import providers
from pymongo import AsyncMongoClient
from standardwebhooks import Webhook

from adapters.clock import SystemClock
from adapters.embedded_mongo import free_port
from application.issue_token import IssueTokenCommand
from domain.call_events import RoomEvent, RoomEventKind
from domain.pagination import PageRequest
from domain.tenant import Principal
from domain.webhook_delivery import DeliveryStatus, WebhookDelivery, WebhookEvent
from domain.webhook_endpoint import WebhookEndpoint, WebhookEventType
from entrypoints.container import Container
from entrypoints.runtime import running_container
from entrypoints.settings import Settings
from entrypoints.webhook_dispatcher import dispatch_steps, dispatching
from tests.fakes.webhooks import StaticResolver
from tests.support.webhook_receiver import Receiver, receiving
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.integration
POLL = 0.02
SETTLE_WITHIN_SECONDS = 30


def _settings(mongo_uri: str, database: str, **changed: Any) -> Settings:
    values: dict[str, Any] = {
        "mongodb_uri": mongo_uri,
        "mongodb_database": database,
        "livekit": TEST_LIVEKIT,
        "sweep_interval_seconds": 0,
        "webhook_poll_seconds": 0,
        "webhook_allow_private_targets": True,
        "webhook_retry_seconds": "0.05,0.1,0.1",
        "webhook_timeout_seconds": 0.5,
    }
    return Settings(**{**values, **changed})


@pytest.fixture
async def database(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[str]:
    name = f"deliver_{uuid.uuid4().hex[:12]}"
    yield name
    await mongo_client.drop_database(name)


@asynccontextmanager
async def replica(settings: Settings) -> AsyncIterator[Container]:
    """One service replica's dispatcher on the shared database."""
    async with running_container(settings) as container:
        async with dispatching(
            dispatch_steps(container),
            container.metrics(),
            POLL,
            settings.webhook_concurrency_per_endpoint,
        ):
            yield container
        await container.webhook_sender().close()


async def _tenant_with_endpoint(
    container: Container, url: str, events: tuple[str, ...] = ()
) -> tuple[Principal, WebhookEndpoint, str]:
    tenant = await container.create_tenant()("Acme")
    agent = await container.create_agent()(tenant.id, "Agent", None)
    endpoint = await container.create_webhook_endpoint()(tenant.id, url, events)
    return Principal(tenant_id=tenant.id, api_key_id="key-1"), endpoint, agent.id


async def _issue(container: Container, principal: Principal, agent_id: str) -> str:
    issued = await container.issue_realtime_token()(
        principal, IssueTokenCommand(agent_id=uuid.UUID(agent_id))
    )
    return issued.call_id


async def _until(check: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


async def _delivery(container: Container, endpoint: WebhookEndpoint) -> WebhookDelivery | None:
    page = await container.webhook_deliveries().page_for_endpoint(
        endpoint.tenant_id, endpoint.id, PageRequest()
    )
    return page.items[0] if page.items else None


async def _settled(container: Container, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Bounded in time, not in polls: a busy 2-core machine may need a lease's length (the
    timeout twice, plus 5 s) to hand a stalled attempt on."""
    deadline = time.monotonic() + SETTLE_WITHIN_SECONDS
    while time.monotonic() < deadline:
        delivery = await _delivery(container, endpoint)
        if delivery is not None and delivery.status is not DeliveryStatus.PENDING:
            return delivery
        await asyncio.sleep(0.02)
    raise AssertionError("the delivery never settled")


def _gauge(exposition: str, name: str) -> float:
    [value] = [line.split()[1] for line in exposition.splitlines() if line.startswith(name + " ")]
    return float(value)


def _verified(receiver: Receiver, endpoint: WebhookEndpoint) -> list[Any]:
    return [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]


async def test_a_receiver_failing_twice_gets_one_event_three_times_with_one_webhook_id(
    mongo_uri: str, database: str
) -> None:
    settings = _settings(mongo_uri, database)
    async with receiving([500, 503, 204]) as receiver, replica(settings) as service:
        principal, endpoint, agent_id = await _tenant_with_endpoint(service, receiver.url)
        call_id = await _issue(service, principal, agent_id)
        delivery = await _settled(service, endpoint)
        await asyncio.sleep(3 * POLL)  # one more round measures the backlog again
        metrics = service.metrics().exposition().decode()

    assert 'realtime_tokens_webhook_attempts_total{outcome="retrying"} 2.0' in metrics
    assert 'realtime_tokens_webhook_attempts_total{outcome="delivered"} 1.0' in metrics
    assert "realtime_tokens_webhook_attempt_duration_seconds_count 3.0" in metrics
    assert _gauge(metrics, "realtime_tokens_webhook_oldest_pending_seconds") == 0
    assert len(receiver.requests) == 3
    assert len(set(receiver.ids())) == 1
    bodies = _verified(receiver, endpoint)
    assert bodies[0]["type"] == "call.created"
    assert bodies[0]["data"]["id"] == call_id
    assert bodies[0]["data"]["status"] == "queued"
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempts] == [500, 503, 204]
    assert all(a.latency_ms >= 0 for a in delivery.attempts)
    gaps = [b.at - a.at for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
    assert gaps[0] >= 0.05
    assert gaps[1] >= 0.1


async def test_a_receiver_down_for_every_attempt_fails_the_delivery_then_a_retry_sends_it(
    mongo_uri: str, database: str
) -> None:
    settings = _settings(mongo_uri, database)
    async with receiving([500]) as receiver, replica(settings) as service:
        principal, endpoint, agent_id = await _tenant_with_endpoint(service, receiver.url)
        await _issue(service, principal, agent_id)
        await _until(lambda: len(receiver.requests) >= 2)
        backlog = service.metrics().exposition().decode()
        failed = await _settled(service, endpoint)
        receiver.statuses = [200]
        await service.retry_webhook_delivery()(endpoint.tenant_id, endpoint.id, failed.event_id)
        delivered = await _settled(service, endpoint)

    assert _gauge(backlog, "realtime_tokens_webhook_oldest_pending_seconds") > 0
    assert failed.status is DeliveryStatus.FAILED
    assert len(failed.attempts) == 4  # the first try and the three retries of the schedule
    assert delivered.status is DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 5
    assert len(set(receiver.ids())) == 1


async def test_a_receiver_that_is_down_for_a_while_gets_the_event_when_it_comes_back(
    mongo_uri: str, database: str
) -> None:
    port = free_port()
    settings = _settings(mongo_uri, database, webhook_retry_seconds="0.2,0.4,0.8,1.6")
    async with replica(settings) as service:
        url = f"http://127.0.0.1:{port}/hook"
        principal, endpoint, agent_id = await _tenant_with_endpoint(service, url)
        call_id = await _issue(service, principal, agent_id)
        await _attempted(service, endpoint, times=2)  # refused: nobody listens yet
        async with receiving([204], port=port) as receiver:
            delivery = await _settled(service, endpoint)

    assert delivery.status is DeliveryStatus.DELIVERED
    refused, delivered = delivery.attempts[:-1], delivery.attempts[-1]
    assert refused
    assert all(a.status_code is None and a.error for a in refused)
    assert delivered.status_code == 204
    [body] = _verified(receiver, endpoint)
    assert body["data"]["id"] == call_id


async def _attempted(service: Container, endpoint: WebhookEndpoint, times: int) -> None:
    deadline = time.monotonic() + SETTLE_WITHIN_SECONDS
    while time.monotonic() < deadline:
        delivery = await _delivery(service, endpoint)
        if delivery is not None and len(delivery.attempts) >= times:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"fewer than {times} attempts were made")


async def test_a_receiver_that_does_not_answer_in_time_is_retried(
    mongo_uri: str, database: str
) -> None:
    settings = _settings(mongo_uri, database, webhook_timeout_seconds=0.2)
    async with receiving([200], delay=0.5) as receiver, replica(settings) as service:
        principal, endpoint, agent_id = await _tenant_with_endpoint(service, receiver.url)
        await _issue(service, principal, agent_id)
        await _until(lambda: len(receiver.requests) >= 2)
        receiver.delay = 0
        delivery = await _settled(service, endpoint)

    assert delivery.attempts[0].error == "timeout"
    assert delivery.attempts[0].status_code is None
    assert delivery.attempts[0].latency_ms < 450
    assert delivery.status is DeliveryStatus.DELIVERED


async def test_410_gone_disables_the_endpoint_and_fails_the_delivery(
    mongo_uri: str, database: str
) -> None:
    settings = _settings(mongo_uri, database)
    async with receiving([410]) as receiver, replica(settings) as service:
        principal, endpoint, agent_id = await _tenant_with_endpoint(service, receiver.url)
        await _issue(service, principal, agent_id)
        delivery = await _settled(service, endpoint)
        stored = await service.webhook_endpoints().get(endpoint.id)

    assert delivery.status is DeliveryStatus.FAILED
    assert len(receiver.requests) == 1
    assert stored is not None
    assert stored.disabled
    assert stored.disabled_reason is not None
    assert "410" in stored.disabled_reason


async def test_a_redirect_is_not_followed(mongo_uri: str, database: str) -> None:
    settings = _settings(mongo_uri, database, webhook_retry_seconds="0.05")
    async with receiving([302]) as receiver, replica(settings) as service:
        principal, endpoint, agent_id = await _tenant_with_endpoint(service, receiver.url)
        await _issue(service, principal, agent_id)
        delivery = await _settled(service, endpoint)

    assert [a.status_code for a in delivery.attempts] == [302, 302]
    assert delivery.status is DeliveryStatus.FAILED
    assert len(receiver.requests) == 2


async def test_two_replicas_send_each_attempt_once(mongo_uri: str, database: str) -> None:
    settings = _settings(mongo_uri, database)
    async with AsyncExitStack() as stack:
        receiver = await stack.enter_async_context(receiving([500, 200]))
        first = await stack.enter_async_context(replica(settings))
        await stack.enter_async_context(replica(settings))
        principal, endpoint, agent_id = await _tenant_with_endpoint(first, receiver.url)
        calls = [await _issue(first, principal, agent_id) for _ in range(5)]
        await _until(lambda: len(receiver.requests) >= 5)

        async def all_delivered() -> bool:
            page = await first.list_webhook_deliveries()(
                endpoint.tenant_id,
                endpoint.id,
                PageRequest(),
            )
            return len(page.items) == 5 and all(
                d.status is DeliveryStatus.DELIVERED for d in page.items
            )

        for _ in range(500):
            if await all_delivered():
                break
            await asyncio.sleep(0.02)

    ids = receiver.ids()
    assert len(set(ids)) == 5
    assert len(ids) == 6  # the first request failed once and was retried once; no duplicate
    assert {json.loads(r.body)["data"]["id"] for r in receiver.requests} == set(calls)


async def test_a_host_that_resolves_privately_at_send_time_is_refused(
    mongo_uri: str, database: str
) -> None:
    settings = _settings(
        mongo_uri, database, webhook_allow_private_targets=False, webhook_retry_seconds="0.05"
    )
    resolver = StaticResolver()
    async with receiving([200]) as receiver, running_container(settings) as service:
        service.resolver.override(providers.Object(resolver))
        principal, endpoint, agent_id = await _tenant_with_endpoint(
            service, f"https://rebinding.example.com:{receiver.port}/hook"
        )
        resolver.answers["rebinding.example.com"] = ["127.0.0.1"]
        async with dispatching(dispatch_steps(service), service.metrics(), POLL, 4):
            await _issue(service, principal, agent_id)
            delivery = await _settled(service, endpoint)
        await service.webhook_sender().close()

    assert receiver.requests == []
    assert delivery.status is DeliveryStatus.FAILED
    assert all(a.error and "private" in a.error for a in delivery.attempts)


async def test_an_attempt_leased_by_a_replica_that_died_is_sent_by_another_after_the_lease(
    mongo_uri: str, database: str
) -> None:
    settings = _settings(mongo_uri, database)
    async with receiving([200]) as receiver, running_container(settings) as dead:
        principal, endpoint, agent_id = await _tenant_with_endpoint(dead, receiver.url)
        await _issue(dead, principal, agent_id)
        await dead.announce_call_events()()
        now = dead.clock().now()
        lease = timedelta(seconds=0.5)
        [taken] = await dead.webhook_deliveries().claim_due(now, now + lease, 10)
        # The replica that claimed it is killed here: it never sends, never finishes.
        async with replica(settings) as survivor:
            await asyncio.sleep(0.3)
            during_lease = len(receiver.requests)
            delivery = await _settled(survivor, endpoint)

    assert during_lease == 0
    assert receiver.ids() == [taken.event_id]
    assert delivery.status is DeliveryStatus.DELIVERED


async def test_a_slow_endpoint_does_not_delay_another_tenants(
    mongo_uri: str, database: str
) -> None:
    settings = _settings(
        mongo_uri, database, webhook_timeout_seconds=2.0, webhook_concurrency_per_endpoint=1
    )
    async with AsyncExitStack() as stack:
        slow = await stack.enter_async_context(receiving([200], delay=1.0))
        fast = await stack.enter_async_context(receiving([200]))
        service = await stack.enter_async_context(replica(settings))
        slow_tenant, _, slow_agent = await _tenant_with_endpoint(service, slow.url)
        for _ in range(4):
            await _issue(service, slow_tenant, slow_agent)
        await _until(lambda: len(slow.requests) == 1)
        fast_tenant, _, fast_agent = await _tenant_with_endpoint(service, fast.url)
        started = time.monotonic()
        await _issue(service, fast_tenant, fast_agent)
        await _until(lambda: len(fast.requests) == 1)
        fast_latency = time.monotonic() - started
        slow_in_flight = len(slow.requests)

    assert fast_latency < 0.8, "the fast endpoint waited for the slow one"
    assert slow_in_flight == 1, "more than WEBHOOK_CONCURRENCY_PER_ENDPOINT attempts at once"


async def test_a_caller_who_joins_at_once_is_announced_created_then_started(
    mongo_uri: str, database: str
) -> None:
    """Measured: call.started reached the endpoint before call.created. A call's later event
    waits until the earlier one's first attempt is answered (here 0.3 s after it arrived)."""
    settings = _settings(mongo_uri, database)
    async with receiving([200], delay=0.3) as receiver, replica(settings) as service:
        principal, endpoint, agent_id = await _tenant_with_endpoint(service, receiver.url)
        call_id = await _issue(service, principal, agent_id)
        call = await service.calls().get_for_tenant(principal.tenant_id, call_id)
        assert call is not None
        joined = RoomEvent(
            "EV_join",
            RoomEventKind.PARTICIPANT_JOINED,
            call.room_name,
            call.participant_identity,
            SystemClock().now(),
        )
        await service.apply_room_event()(joined)
        await _until(lambda: len(receiver.requests) >= 2)

    created, started = _verified(receiver, endpoint)
    assert (created["type"], started["type"]) == ("call.created", "call.started")
    assert (created["sequence"], started["sequence"]) == (1, 2)
    assert created["data"]["id"] == started["data"]["id"] == call_id
    created_at, started_at = (r.at for r in receiver.requests)
    assert started_at >= created_at + 0.3  # sent only once call.created had been answered


async def test_a_tenant_with_hundreds_of_poisoned_and_failing_endpoints_delays_only_itself(
    mongo_uri: str, database: str
) -> None:
    """Tenant A stored 200 endpoints (half with a control character in the URL, as an older
    version accepted, half answering 500) and a backlog of 400 deliveries older than
    anything of tenant B's. B's event is still sent in the first rounds, beside A's share,
    and every one of A's attempts is recorded as a failure, to be retried on the schedule."""
    settings = _settings(mongo_uri, database, webhook_retry_seconds="60")
    async with AsyncExitStack() as stack:
        failing = await stack.enter_async_context(receiving([500]))
        victim = await stack.enter_async_context(receiving([204]))
        service = await stack.enter_async_context(running_container(settings))
        older = service.clock().now() - timedelta(minutes=1)
        endpoints = service.webhook_endpoints()
        backlog = []
        for n in range(200):
            poisoned = f"http://127.0.0.1:{failing.port}/\u001b[2J{n}"
            endpoint = dataclasses.replace(
                WebhookEndpoint.register("tenant-a", failing.url, (), older, allow_private=True),
                url=poisoned if n % 2 else failing.url,
            )
            await endpoints.add(endpoint)
            for k in range(2):
                event = WebhookEvent(
                    f"evt-a-{n}-{k}", "tenant-a", WebhookEventType.CALL_CREATED, older, {}
                )
                delivery = WebhookDelivery.of(event, endpoint)
                await service.webhook_deliveries().add(delivery)
                backlog.append(delivery)
        principal, endpoint_b, agent_id = await _tenant_with_endpoint(service, victim.url)
        await _issue(service, principal, agent_id)
        seen_by_then: list[str] = []

        def b_arrived() -> bool:
            if victim.requests and not seen_by_then:
                seen_by_then.append(service.metrics().exposition().decode())
            return bool(victim.requests)

        await stack.enter_async_context(
            dispatching(dispatch_steps(service), service.metrics(), POLL, 4)
        )
        await _until(b_arrived, within=SETTLE_WITHIN_SECONDS)
        delivered = await _settled(service, endpoint_b)
        await _until(lambda: _attempts_retrying(service) >= len(backlog), within=120)
        stored = [
            await service.webhook_deliveries().get_for_tenant("tenant-a", d.endpoint_id, d.event_id)
            for d in backlog
        ]
        await service.webhook_sender().close()

    assert delivered.status is DeliveryStatus.DELIVERED
    assert len(victim.requests) == 1
    a_attempts_before_b = _retrying(seen_by_then[0])
    assert a_attempts_before_b < len(backlog) / 2, "B waited behind A's backlog"
    assert all(d is not None and d.status is DeliveryStatus.PENDING for d in stored)
    attempts = [a for d in stored if d is not None for a in d.attempts]
    assert len(attempts) == len(backlog)
    assert {a.status_code for a in attempts} == {500, None}
    assert all(a.error for a in attempts if a.status_code is None)


def _retrying(exposition: str) -> float:
    name = 'realtime_tokens_webhook_attempts_total{outcome="retrying"}'
    lines = [line for line in exposition.splitlines() if line.startswith(name)]
    return float(lines[0].split()[1]) if lines else 0.0


def _attempts_retrying(service: Container) -> float:
    return _retrying(service.metrics().exposition().decode())
