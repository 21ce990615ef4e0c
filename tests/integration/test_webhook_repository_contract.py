"""One contract for every implementation of the webhook endpoint and delivery ports."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import truncated_to_millis
from domain.pagination import PageRequest
from domain.webhook_delivery import (
    Attempt,
    DeliveryStatus,
    RetrySchedule,
    WebhookDelivery,
    WebhookEvent,
)
from domain.webhook_endpoint import WebhookEndpoint, WebhookEventType
from tests.integration.conftest import Repositories

pytestmark = pytest.mark.integration
NOW = truncated_to_millis(datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC))
LEASE = timedelta(seconds=30)


def _endpoint(tenant_id: str, at: datetime = NOW, events: tuple[str, ...] = ()) -> WebhookEndpoint:
    return WebhookEndpoint.register(
        tenant_id, "https://hooks.example.com/in", events, at, allow_private=False
    )


def _delivery(endpoint: WebhookEndpoint, at: datetime = NOW, event_id: str = "") -> WebhookDelivery:
    event = WebhookEvent(
        id=event_id or f"evt-{at.timestamp()}",
        tenant_id=endpoint.tenant_id,
        type=WebhookEventType.CALL_CREATED,
        timestamp=at,
        data={"id": "call-1", "metadata": {"a": [1, None]}},
    )
    return WebhookDelivery.of(event, endpoint)


async def test_webhook_endpoints_round_trip_within_their_tenant(repositories: Repositories) -> None:
    endpoint = dataclasses.replace(
        _endpoint("tenant-1", events=("call.ended",)).rotated(NOW), description="ops"
    )
    await repositories.webhook_endpoints.add(endpoint)

    assert await repositories.webhook_endpoints.get_for_tenant("tenant-1", endpoint.id) == endpoint
    assert await repositories.webhook_endpoints.get(endpoint.id) == endpoint
    assert await repositories.webhook_endpoints.get_for_tenant("tenant-2", endpoint.id) is None
    assert await repositories.webhook_endpoints.get("missing") is None


async def test_webhook_endpoints_page_newest_first_per_tenant(repositories: Repositories) -> None:
    mine = [_endpoint("tenant-1", NOW + timedelta(seconds=s)) for s in range(3)]
    for endpoint in (*mine, _endpoint("tenant-2")):
        await repositories.webhook_endpoints.add(endpoint)

    first = await repositories.webhook_endpoints.page_for_tenant("tenant-1", PageRequest(limit=2))
    rest = await repositories.webhook_endpoints.page_for_tenant(
        "tenant-1", PageRequest(limit=2, after=first.next)
    )

    assert first.items == [mine[2], mine[1]]
    assert rest.items == [mine[0]]
    assert rest.next is None


async def test_only_enabled_endpoints_that_want_the_event_are_subscribed(
    repositories: Repositories,
) -> None:
    everything = _endpoint("tenant-1")
    ends_only = _endpoint("tenant-1", NOW + timedelta(seconds=1), events=("call.ended",))
    disabled = dataclasses.replace(_endpoint("tenant-1"), disabled=True)
    for endpoint in (everything, ends_only, disabled, _endpoint("tenant-2")):
        await repositories.webhook_endpoints.add(endpoint)

    created = await repositories.webhook_endpoints.subscribed(
        "tenant-1", WebhookEventType.CALL_CREATED
    )
    ended = await repositories.webhook_endpoints.subscribed("tenant-1", WebhookEventType.CALL_ENDED)

    assert created == [everything]
    assert ended == [ends_only, everything]


async def test_an_endpoint_is_replaced_and_deleted_only_in_its_tenant(
    repositories: Repositories,
) -> None:
    endpoint = _endpoint("tenant-1")
    await repositories.webhook_endpoints.add(endpoint)
    changed = dataclasses.replace(endpoint, url="https://other.example.com/", disabled=True)

    assert not await repositories.webhook_endpoints.replace(
        dataclasses.replace(changed, tenant_id="tenant-2")
    )
    assert await repositories.webhook_endpoints.replace(changed)
    assert await repositories.webhook_endpoints.get(endpoint.id) == changed
    assert not await repositories.webhook_endpoints.delete("tenant-2", endpoint.id)
    assert await repositories.webhook_endpoints.delete("tenant-1", endpoint.id)
    assert await repositories.webhook_endpoints.get(endpoint.id) is None
    assert not await repositories.webhook_endpoints.delete("tenant-1", endpoint.id)


async def test_a_delivery_is_stored_once(repositories: Repositories) -> None:
    delivery = _delivery(_endpoint("tenant-1"))
    assert await repositories.webhook_deliveries.add(delivery)
    assert not await repositories.webhook_deliveries.add(delivery)
    stored = await repositories.webhook_deliveries.get_for_tenant(
        "tenant-1", delivery.endpoint_id, delivery.event_id
    )
    assert stored == delivery
    assert (
        await repositories.webhook_deliveries.get_for_tenant(
            "tenant-2", delivery.endpoint_id, delivery.event_id
        )
        is None
    )


async def test_a_due_delivery_is_claimed_once_until_its_lease_ends(
    repositories: Repositories,
) -> None:
    due = _delivery(_endpoint("tenant-1"))
    later = _delivery(_endpoint("tenant-1"), NOW + timedelta(minutes=5))
    await repositories.webhook_deliveries.add(due)
    await repositories.webhook_deliveries.add(later)
    deliveries = repositories.webhook_deliveries

    claims = await asyncio.gather(*(deliveries.claim_due(NOW, NOW + LEASE, 10) for _ in range(4)))
    during_lease = await deliveries.claim_due(NOW + LEASE - timedelta(seconds=1), NOW, 10)
    after_lease = await deliveries.claim_due(NOW + LEASE, NOW + 2 * LEASE, 1)

    taken = [d for claim in claims for d in claim]
    assert [d.id for d in taken] == [due.id]
    assert taken[0].lease_until == NOW + LEASE
    assert taken[0].claim
    assert during_lease == []
    assert [d.id for d in after_lease] == [due.id]
    assert after_lease[0].claim != taken[0].claim


async def test_only_the_current_claim_records_an_attempt(repositories: Repositories) -> None:
    deliveries = repositories.webhook_deliveries
    await deliveries.add(_delivery(_endpoint("tenant-1")))
    [stale] = await deliveries.claim_due(NOW, NOW + LEASE, 1)
    [current] = await deliveries.claim_due(NOW + LEASE, NOW + 2 * LEASE, 1)
    schedule = RetrySchedule((60,), jitter=0)
    failed = Attempt(at=NOW + LEASE, latency_ms=12, status_code=500)

    assert not await deliveries.finish_attempt(stale.after_attempt(failed, schedule))
    assert await deliveries.finish_attempt(current.after_attempt(failed, schedule))

    stored = await deliveries.get_for_tenant("tenant-1", current.endpoint_id, current.event_id)
    assert stored is not None
    assert stored.status is DeliveryStatus.PENDING
    assert stored.attempts == (failed,)
    assert stored.next_attempt_at == NOW + LEASE + timedelta(seconds=60)
    assert stored.lease_until is None
    assert await deliveries.claim_due(NOW + LEASE + timedelta(seconds=59), NOW, 1) == []


async def test_finished_deliveries_are_never_claimed_until_scheduled_again(
    repositories: Repositories,
) -> None:
    deliveries = repositories.webhook_deliveries
    await deliveries.add(_delivery(_endpoint("tenant-1")))
    [claimed] = await deliveries.claim_due(NOW, NOW + LEASE, 1)
    delivered = Attempt(at=NOW, latency_ms=3, status_code=204, error=None)
    await deliveries.finish_attempt(claimed.after_attempt(delivered, RetrySchedule()))
    later = NOW + timedelta(days=1)

    assert await deliveries.claim_due(later, later + LEASE, 5) == []
    assert await deliveries.oldest_pending() is None
    assert await deliveries.schedule(claimed.id, later)
    assert not await deliveries.schedule("missing", later)
    assert await deliveries.oldest_pending() == NOW
    [again] = await deliveries.claim_due(later, later + LEASE, 5)
    assert again.status is DeliveryStatus.PENDING
    assert again.attempts == (delivered,)


async def test_deliveries_page_newest_first_per_endpoint(repositories: Repositories) -> None:
    endpoint, other = _endpoint("tenant-1"), _endpoint("tenant-1")
    mine = [_delivery(endpoint, NOW + timedelta(seconds=s)) for s in range(3)]
    for delivery in (*mine, _delivery(other)):
        await repositories.webhook_deliveries.add(delivery)
    deliveries = repositories.webhook_deliveries

    first = await deliveries.page_for_endpoint("tenant-1", endpoint.id, PageRequest(limit=2))
    rest = await deliveries.page_for_endpoint(
        "tenant-1", endpoint.id, PageRequest(limit=2, after=first.next)
    )
    foreign = await deliveries.page_for_endpoint("tenant-2", endpoint.id, PageRequest())

    assert first.items == [mine[2], mine[1]]
    assert rest.items == [mine[0]]
    assert rest.next is None
    assert foreign.items == []


async def test_deliveries_to_busy_endpoints_are_left_for_later(repositories: Repositories) -> None:
    busy, free = _endpoint("tenant-1"), _endpoint("tenant-2")
    for delivery in (_delivery(busy, event_id="e1"), _delivery(free, event_id="e2")):
        await repositories.webhook_deliveries.add(delivery)

    claimed = await repositories.webhook_deliveries.claim_due(
        NOW, NOW + LEASE, 10, busy_endpoints=[busy.id]
    )

    assert [d.endpoint_id for d in claimed] == [free.id]
