import dataclasses
import ipaddress
from collections.abc import Collection
from datetime import datetime

from domain.errors import StorageError
from domain.ids import new_id
from domain.pagination import Page, PageRequest
from domain.webhook_delivery import DeliveryStatus, WebhookDelivery, delivery_id, shared_fairly
from domain.webhook_endpoint import EndpointUpdate, WebhookEndpoint, WebhookEventType
from tests.fakes.paging import newest_first, page_of


class InMemoryWebhookEndpointRepository:
    def __init__(self) -> None:
        self.items: dict[str, WebhookEndpoint] = {}

    async def add(self, endpoint: WebhookEndpoint) -> None:
        if endpoint.id in self.items:
            raise StorageError("duplicate id")
        self.items[endpoint.id] = endpoint

    async def get(self, endpoint_id: str) -> WebhookEndpoint | None:
        return self.items.get(endpoint_id)

    async def get_for_tenant(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        endpoint = self.items.get(endpoint_id)
        return endpoint if endpoint is not None and endpoint.tenant_id == tenant_id else None

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[WebhookEndpoint]:
        return page_of(newest_first(self._of(tenant_id)), page)

    async def count_for_tenant(self, tenant_id: str, up_to: int) -> int:
        return min(len(self._of(tenant_id)), up_to)

    async def subscribing_tenants(self) -> set[str]:
        return {e.tenant_id for e in self.items.values() if not e.disabled}

    async def subscribed(self, tenant_id: str, kind: WebhookEventType) -> list[WebhookEndpoint]:
        return [e for e in newest_first(self._of(tenant_id)) if not e.disabled and e.wants(kind)]

    async def update(
        self, tenant_id: str, endpoint_id: str, changes: EndpointUpdate
    ) -> WebhookEndpoint | None:
        stored = await self.get_for_tenant(tenant_id, endpoint_id)
        if stored is None:
            return None
        updated = dataclasses.replace(stored, **changes.fields())  # type: ignore[arg-type]
        self.items[endpoint_id] = updated
        return updated

    async def rotate(
        self, tenant_id: str, endpoint_id: str, from_secret: str, rotated: WebhookEndpoint
    ) -> WebhookEndpoint | None:
        stored = await self.get_for_tenant(tenant_id, endpoint_id)
        if stored is None or stored.secret != from_secret:
            return None
        updated = dataclasses.replace(
            stored,
            secret=rotated.secret,
            previous_secret=rotated.previous_secret,
            previous_secret_until=rotated.previous_secret_until,
        )
        self.items[endpoint_id] = updated
        return updated

    async def disable(self, endpoint_id: str, reason: str) -> bool:
        endpoint = self.items.get(endpoint_id)
        if endpoint is None or endpoint.disabled:
            return False
        self.items[endpoint_id] = dataclasses.replace(
            endpoint, disabled=True, disabled_reason=reason
        )
        return True

    async def note_failing(self, endpoint_id: str, since: datetime | None) -> None:
        endpoint = self.items.get(endpoint_id)
        if endpoint is not None and (since is None or endpoint.failing_since is None):
            self.items[endpoint_id] = dataclasses.replace(endpoint, failing_since=since)

    async def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        if await self.get_for_tenant(tenant_id, endpoint_id) is None:
            return False
        del self.items[endpoint_id]
        return True

    def _of(self, tenant_id: str) -> list[WebhookEndpoint]:
        return [e for e in self.items.values() if e.tenant_id == tenant_id]


class InMemoryWebhookDeliveryRepository:
    def __init__(self) -> None:
        self.items: dict[str, WebhookDelivery] = {}

    async def add(self, delivery: WebhookDelivery) -> bool:
        if delivery.id in self.items:
            return False
        self.items[delivery.id] = delivery
        return True

    async def claim_due(
        self,
        now: datetime,
        lease_until: datetime,
        limit: int,
        busy_endpoints: Collection[str] = (),
    ) -> list[WebhookDelivery]:
        due = [
            d for d in self.items.values() if _due(d, now) and d.endpoint_id not in busy_endpoints
        ]
        due.sort(key=lambda d: (d.next_attempt_at or now, d.id))
        claimed = []
        for delivery in self._in_call_order(shared_fairly(((d.tenant_id, d) for d in due), limit)):
            taken = dataclasses.replace(
                delivery, next_attempt_at=lease_until, lease_until=lease_until, claim=new_id()
            )
            self.items[delivery.id] = taken
            claimed.append(taken)
        return claimed

    def _in_call_order(self, candidates: list[WebhookDelivery]) -> list[WebhookDelivery]:
        stored = list(self.items.values())
        return [c for c in candidates if not any(c.waits_for(other) for other in stored)]

    async def finish_attempt(self, delivery: WebhookDelivery) -> bool:
        stored = self.items.get(delivery.id)
        if stored is None or stored.claim != delivery.claim:
            return False
        self.items[delivery.id] = dataclasses.replace(delivery, lease_until=None)
        return True

    async def get_for_tenant(
        self, tenant_id: str, endpoint_id: str, event_id: str
    ) -> WebhookDelivery | None:
        found = self.items.get(delivery_id(event_id, endpoint_id))
        return found if found is not None and found.tenant_id == tenant_id else None

    async def page_for_endpoint(
        self, tenant_id: str, endpoint_id: str, page: PageRequest
    ) -> Page[WebhookDelivery]:
        mine = [
            d
            for d in self.items.values()
            if d.tenant_id == tenant_id and d.endpoint_id == endpoint_id
        ]
        return page_of(newest_first(mine), page)

    async def schedule(self, delivery_id: str, at: datetime) -> bool:
        delivery = self.items.get(delivery_id)
        if delivery is None:
            return False
        self.items[delivery_id] = dataclasses.replace(
            delivery, status=DeliveryStatus.PENDING, next_attempt_at=at, lease_until=None
        )
        return True

    async def oldest_pending(self) -> datetime | None:
        pending = [d.created_at for d in self.items.values() if d.status is DeliveryStatus.PENDING]
        return min(pending, default=None)

    async def count_pending(self, endpoint_id: str, up_to: int) -> int:
        mine = [
            d
            for d in self.items.values()
            if d.endpoint_id == endpoint_id and d.status is DeliveryStatus.PENDING
        ]
        return min(len(mine), up_to)


def _due(delivery: WebhookDelivery, now: datetime) -> bool:
    return (
        delivery.status is DeliveryStatus.PENDING
        and delivery.next_attempt_at is not None
        and delivery.next_attempt_at <= now
        and (delivery.lease_until is None or delivery.lease_until <= now)
    )


class StaticResolver:
    """DNS answers a test sets per host; a literal address resolves to itself, any other
    name to one public address."""

    PUBLIC = "93.184.215.14"

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}

    async def addresses(self, host: str) -> list[str]:
        if host in self.answers:
            return list(self.answers[host])
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            return [self.PUBLIC]
