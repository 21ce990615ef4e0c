"""Whatever goes wrong in one attempt is that attempt's failure, recorded and retried, never
a crashed task that leaves the delivery first in the queue (issue 20, item 1)."""

import asyncio
import dataclasses
import logging
from collections.abc import Mapping
from datetime import timedelta

import pytest
from dependency_injector import providers

from adapters.webhooks.http_sender import HttpxWebhookSender
from domain.webhook_delivery import DeliveryStatus, SendOutcome, WebhookDelivery, WebhookEvent
from domain.webhook_endpoint import WebhookEndpoint, WebhookEventType
from entrypoints.metrics import Metrics
from entrypoints.webhook_dispatcher import DispatchSteps, dispatching
from tests.support.world import World, fake_world

POISONED = "https://93.184.215.14/\u001b[2J"  # stored by an older version, or by hand


class RaisingSender:
    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls = 0

    async def post(
        self, url: str, address: str, body: str, headers: Mapping[str, str]
    ) -> SendOutcome:
        self.calls += 1
        raise self.error

    async def close(self) -> None:
        return None


async def test_the_sender_answers_an_unsendable_stored_url_as_an_error() -> None:
    sender = HttpxWebhookSender(timeout_seconds=1.0)
    try:
        outcome = await sender.post(POISONED, "93.184.215.14", "{}", {})
    finally:
        await sender.close()

    assert outcome.status_code is None
    assert outcome.error == "InvalidURL"


async def _stored(world: World, url: str = POISONED) -> tuple[WebhookEndpoint, WebhookDelivery]:
    endpoint = dataclasses.replace(
        WebhookEndpoint.register(
            "tenant-a", "https://hooks.example.com/", (), world.clock.now(), allow_private=False
        ),
        url=url,
    )
    await world.webhook_endpoints.add(endpoint)
    event = WebhookEvent("evt-1", "tenant-a", WebhookEventType.CALL_CREATED, world.clock.now(), {})
    delivery = WebhookDelivery.of(event, endpoint)
    await world.webhook_deliveries.add(delivery)
    return endpoint, delivery


async def test_an_attempt_whose_sender_raises_is_a_failed_attempt_retried_on_the_schedule(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = fake_world()
    world.container.webhook_sender.override(providers.Object(RaisingSender(ValueError("bad"))))
    _, delivery = await _stored(world, "https://hooks.example.com/in")
    [claimed] = await world.container.claim_due_deliveries()(10)

    with caplog.at_level(logging.WARNING, logger="realtime_tokens.webhooks"):
        finished = await world.container.attempt_delivery()(claimed)

    stored = world.webhook_deliveries.items[delivery.id]
    assert stored.status is DeliveryStatus.PENDING
    assert [a.error for a in stored.attempts] == ["ValueError"]
    assert stored.attempts[0].status_code is None
    assert stored.next_attempt_at is not None
    assert stored.next_attempt_at >= world.clock.now() + timedelta(seconds=5)  # the schedule
    assert stored.lease_until is None
    assert finished == stored
    logged = [r for r in caplog.records if delivery.id in r.getMessage()]
    assert len(logged) == 1


async def test_an_endpoint_whose_attempts_keep_failing_is_disabled() -> None:
    world = fake_world()
    world.container.webhook_sender.override(providers.Object(RaisingSender(ValueError("bad"))))
    endpoint, _ = await _stored(world)
    attempt = world.container.attempt_delivery()
    claim = world.container.claim_due_deliveries()

    [first] = await claim(10)
    await attempt(first)
    world.clock.advance(timedelta(days=5, seconds=1))
    [later] = await claim(10)
    await attempt(later)

    stored = world.webhook_endpoints.items[endpoint.id]
    assert stored.disabled
    assert stored.disabled_reason is not None
    assert "failed" in stored.disabled_reason


async def test_a_success_clears_the_failing_streak() -> None:
    world = fake_world()
    sender = RaisingSender(ValueError("bad"))
    world.container.webhook_sender.override(providers.Object(sender))
    endpoint, _ = await _stored(world, "https://hooks.example.com/in")
    attempt = world.container.attempt_delivery()
    claim = world.container.claim_due_deliveries()
    [first] = await claim(10)
    await attempt(first)
    assert world.webhook_endpoints.items[endpoint.id].failing_since == world.clock.now()

    class Accepting(RaisingSender):
        async def post(
            self, url: str, address: str, body: str, headers: Mapping[str, str]
        ) -> SendOutcome:
            return SendOutcome(status_code=204)

    world.container.webhook_sender.override(providers.Object(Accepting(ValueError())))
    world.clock.advance(timedelta(days=1))
    [again] = await claim(10)
    await world.container.attempt_delivery()(again)

    stored = world.webhook_endpoints.items[endpoint.id]
    assert stored.failing_since is None
    assert not stored.disabled


async def test_an_unexpected_error_of_a_step_is_logged_with_the_delivery_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = fake_world()
    _, delivery = await _stored(world)
    claims: list[int] = []
    relays: list[int] = []
    rounds = asyncio.Event()

    async def claim(limit: int, busy: object) -> list[WebhookDelivery]:
        claims.append(limit)
        if len(claims) >= 3:
            rounds.set()
        return [delivery] if len(claims) == 1 else []

    async def attempt(_: WebhookDelivery) -> WebhookDelivery:
        raise KeyError("a bug, not the receiver")

    async def relay() -> int:
        relays.append(1)
        if len(relays) == 2:
            raise ValueError("a stored document the relay cannot read")
        return 0

    async def nothing() -> None:
        return None

    async def oldest() -> None:
        return None

    steps = DispatchSteps(
        refresh_subscribers=nothing,
        relay=relay,
        claim=claim,
        attempt=attempt,
        release=lambda d: nothing(),
        oldest_pending=oldest,
        now=world.clock.now,
    )
    with caplog.at_level(logging.WARNING, logger="realtime_tokens.webhooks"):
        async with dispatching(steps, Metrics(), 0.001, per_endpoint=4):
            await asyncio.wait_for(rounds.wait(), 30)

    logged = [r for r in caplog.records if delivery.id in r.getMessage()]
    assert len(logged) == 1
    assert any("cannot read" in r.getMessage() for r in caplog.records)
