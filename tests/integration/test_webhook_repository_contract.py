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
from domain.webhook_endpoint import EndpointUpdate, WebhookEndpoint, WebhookEventType
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


async def test_an_endpoint_is_updated_and_deleted_only_in_its_tenant(
    repositories: Repositories,
) -> None:
    endpoints = repositories.webhook_endpoints
    endpoint = _endpoint("tenant-1")
    await endpoints.add(endpoint)
    changes = EndpointUpdate(
        url="https://other.example.com/",
        events=(WebhookEventType.CALL_ENDED,),
        disabled=True,
        disabled_reason="by hand",
    )
    changed = dataclasses.replace(
        endpoint,
        url="https://other.example.com/",
        events=(WebhookEventType.CALL_ENDED,),
        disabled=True,
        disabled_reason="by hand",
    )

    assert await endpoints.update("tenant-2", endpoint.id, changes) is None
    assert await endpoints.update("tenant-1", endpoint.id, changes) == changed
    assert await endpoints.get(endpoint.id) == changed
    assert await endpoints.update("tenant-1", endpoint.id, EndpointUpdate()) == changed
    enabled = await endpoints.update("tenant-1", endpoint.id, EndpointUpdate(disabled=False))
    assert enabled == dataclasses.replace(changed, disabled=False, disabled_reason=None)
    assert not await endpoints.delete("tenant-2", endpoint.id)
    assert await endpoints.delete("tenant-1", endpoint.id)
    assert await endpoints.get(endpoint.id) is None
    assert not await endpoints.delete("tenant-1", endpoint.id)


async def test_a_rotation_lands_only_on_the_secret_it_rotated_from(
    repositories: Repositories,
) -> None:
    endpoints = repositories.webhook_endpoints
    endpoint = _endpoint("tenant-1")
    await endpoints.add(endpoint)
    rotated = endpoint.rotated(NOW)

    assert await endpoints.rotate("tenant-2", endpoint.id, endpoint.secret, rotated) is None
    assert await endpoints.rotate("tenant-1", endpoint.id, endpoint.secret, rotated) == rotated
    assert await endpoints.rotate("tenant-1", endpoint.id, endpoint.secret, rotated) is None
    assert await endpoints.get(endpoint.id) == rotated


async def test_disabling_and_failing_streaks_change_only_their_fields(
    repositories: Repositories,
) -> None:
    endpoints = repositories.webhook_endpoints
    endpoint = _endpoint("tenant-1")
    await endpoints.add(endpoint)
    later = NOW + timedelta(hours=1)

    await endpoints.note_failing(endpoint.id, NOW)
    await endpoints.note_failing(endpoint.id, later)  # a streak already runs: kept
    assert (await endpoints.get(endpoint.id)) == dataclasses.replace(endpoint, failing_since=NOW)
    await endpoints.note_failing(endpoint.id, None)
    assert await endpoints.get(endpoint.id) == endpoint
    assert await endpoints.disable(endpoint.id, "gone")
    assert not await endpoints.disable(endpoint.id, "again")
    assert not await endpoints.disable("missing", "gone")
    expected = dataclasses.replace(endpoint, disabled=True, disabled_reason="gone")
    assert await endpoints.get(endpoint.id) == expected


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


def _call_event(
    endpoint: WebhookEndpoint, call_id: str, sequence: int, at: datetime = NOW
) -> WebhookDelivery:
    event = WebhookEvent(
        id=f"evt-{call_id}-{sequence}",
        tenant_id=endpoint.tenant_id,
        type=WebhookEventType.CALL_STARTED if sequence > 1 else WebhookEventType.CALL_CREATED,
        timestamp=at,
        data={"id": call_id},
        call_id=call_id,
        sequence=sequence,
    )
    return WebhookDelivery.of(event, endpoint)


async def test_a_calls_later_event_waits_until_the_earlier_ones_first_attempt_is_answered(
    repositories: Repositories,
) -> None:
    """Due earlier (LiveKit stamps whole seconds), the started event is still not claimed
    while the created one waits for or is in its first attempt; other calls and other
    endpoints are not held back; an earlier event backing off after a failure holds nothing."""
    deliveries = repositories.webhook_deliveries
    endpoint, other_endpoint = _endpoint("tenant-1"), _endpoint("tenant-1")
    created = _call_event(endpoint, "call-1", 1)
    started = _call_event(endpoint, "call-1", 2, NOW - timedelta(seconds=1))
    ended = _call_event(endpoint, "call-1", 3)
    elsewhere = _call_event(other_endpoint, "call-1", 2)
    other_call = _call_event(endpoint, "call-2", 2)
    for delivery in (created, started, ended, elsewhere, other_call):
        await deliveries.add(delivery)

    first = await deliveries.claim_due(NOW, NOW + LEASE, 10)
    while_in_flight = await deliveries.claim_due(NOW, NOW + LEASE, 10)
    [claimed_created] = [d for d in first if d.id == created.id]
    refused = Attempt(at=NOW, latency_ms=5, status_code=503)
    backing_off = claimed_created.after_attempt(refused, RetrySchedule((60,), jitter=0))
    assert await deliveries.finish_attempt(backing_off)
    after_the_answer = await deliveries.claim_due(NOW, NOW + LEASE, 10)

    assert {d.id for d in first} == {created.id, elsewhere.id, other_call.id}
    assert while_in_flight == []
    assert [(d.id, d.call_id, d.sequence) for d in after_the_answer] == [(started.id, "call-1", 2)]
    [claimed_started] = after_the_answer
    delivered = Attempt(at=NOW, latency_ms=5, status_code=204)
    assert await deliveries.finish_attempt(
        claimed_started.after_attempt(delivered, RetrySchedule())
    )
    assert [d.id for d in await deliveries.claim_due(NOW, NOW + LEASE, 10)] == [ended.id]


async def test_a_claim_moves_its_delivery_behind_those_due_before_its_lease_ends(
    repositories: Repositories,
) -> None:
    """A delivery claimed and never finished (its sender died, or raised) is not first again
    when its lease ends: it is due again at the lease's end, behind what fell due meanwhile."""
    deliveries = repositories.webhook_deliveries
    endpoint = _endpoint("tenant-1")
    stuck = _delivery(endpoint, NOW, event_id="stuck")
    waiting = _delivery(endpoint, NOW + timedelta(seconds=1), event_id="waiting")
    await deliveries.add(stuck)
    await deliveries.add(waiting)

    [first] = await deliveries.claim_due(NOW, NOW + LEASE, 1)
    after = NOW + LEASE + timedelta(seconds=1)
    [second] = await deliveries.claim_due(after, after + LEASE, 1)
    [third] = await deliveries.claim_due(after + LEASE, after + 2 * LEASE, 1)

    assert first.id == stuck.id
    assert first.next_attempt_at == NOW + LEASE
    assert second.id == waiting.id
    assert third.id == stuck.id


async def test_claims_share_each_batch_across_tenants(repositories: Repositories) -> None:
    """One tenant's backlog, however old, takes only its share of a batch while others have
    deliveries due."""
    deliveries = repositories.webhook_deliveries
    flooding = [_endpoint("tenant-a") for _ in range(3)]
    for n in range(30):
        await deliveries.add(
            _delivery(flooding[n % 3], NOW + timedelta(milliseconds=n), event_id=f"a{n}")
        )
    later = NOW + timedelta(minutes=1)
    b, c = _endpoint("tenant-b"), _endpoint("tenant-c")
    for n in range(2):
        await deliveries.add(_delivery(b, later + timedelta(milliseconds=n), event_id=f"b{n}"))
    await deliveries.add(_delivery(c, later, event_id="c0"))
    claim_at = later + timedelta(minutes=1)

    batch = await deliveries.claim_due(claim_at, claim_at + LEASE, 6)
    rest = await deliveries.claim_due(claim_at, claim_at + LEASE, 100)

    tenants = [d.tenant_id for d in batch]
    assert sorted(tenants) == [
        "tenant-a",
        "tenant-a",
        "tenant-a",
        "tenant-b",
        "tenant-b",
        "tenant-c",
    ]
    assert [d.event_id for d in batch if d.tenant_id == "tenant-a"] == ["a0", "a1", "a2"]
    assert len(rest) == 27
    assert {d.tenant_id for d in rest} == {"tenant-a"}


async def test_endpoints_and_pending_deliveries_are_counted_up_to_a_bound(
    repositories: Repositories,
) -> None:
    mine = [_endpoint("tenant-1") for _ in range(3)]
    for endpoint in (*mine, _endpoint("tenant-2")):
        await repositories.webhook_endpoints.add(endpoint)
    deliveries = repositories.webhook_deliveries
    for n in range(3):
        await deliveries.add(_delivery(mine[0], NOW + timedelta(seconds=n), event_id=f"e{n}"))
    await deliveries.add(_delivery(mine[1], event_id="other"))
    [claimed] = await deliveries.claim_due(NOW, NOW + LEASE, 1)
    delivered = Attempt(at=NOW, latency_ms=3, status_code=204)
    await deliveries.finish_attempt(claimed.after_attempt(delivered, RetrySchedule()))
    first = mine[0] if claimed.endpoint_id == mine[0].id else mine[1]

    assert await repositories.webhook_endpoints.count_for_tenant("tenant-1", up_to=10) == 3
    assert await repositories.webhook_endpoints.count_for_tenant("tenant-1", up_to=2) == 2
    assert await repositories.webhook_endpoints.count_for_tenant("tenant-3", up_to=10) == 0
    pending_first = 2 if first is mine[0] else 3
    assert await deliveries.count_pending(mine[0].id, up_to=10) == pending_first
    assert await deliveries.count_pending(mine[0].id, up_to=1) == 1
    assert await deliveries.count_pending(mine[2].id, up_to=10) == 0
