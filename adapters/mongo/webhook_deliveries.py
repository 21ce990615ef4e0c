"""Deliveries, the outbox's queue. Times the queue compares (due, lease) are integer epoch
milliseconds: nx-27017 may keep a `$set` date as a string, which no longer compares."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from adapters.mongo.client import Document
from adapters.mongo.dates import stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.paging import newest_first_page, sort_key
from domain.epoch import epoch_millis as millis
from domain.epoch import from_epoch_millis as from_millis
from domain.ids import new_id
from domain.pagination import Page, PageRequest
from domain.webhook_delivery import Attempt, DeliveryStatus, WebhookDelivery, delivery_id
from domain.webhook_endpoint import WebhookEventType

_NEVER = 0
_PENDING = DeliveryStatus.PENDING.value


class MongoWebhookDeliveryRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._deliveries = db["webhook_deliveries"]

    async def add(self, delivery: WebhookDelivery) -> bool:
        with storage_errors("storing a webhook delivery"):
            try:
                await self._deliveries.insert_one(_to_document(delivery))
            except DuplicateKeyError:
                return False
        return True

    async def claim_due(
        self,
        now: datetime,
        lease_until: datetime,
        limit: int,
        busy_endpoints: Collection[str] = (),
    ) -> list[WebhookDelivery]:
        due = _due(millis(now))
        wanted = {**due, "endpoint_id": {"$nin": list(busy_endpoints)}} if busy_endpoints else due
        with storage_errors("claiming webhook deliveries"):
            cursor = self._deliveries.find(wanted, {"_id": 1}).sort("due_ms", 1).limit(limit)
            candidates = [doc["_id"] async for doc in cursor]
            claimed = []
            for delivery_id in candidates:
                claim = new_id()
                taken = await self._deliveries.update_one(
                    {"_id": delivery_id, **due},
                    {"$set": {"lease_ms": millis(lease_until), "claim": claim}},
                )
                if taken.modified_count == 1:
                    doc = await self._deliveries.find_one({"_id": delivery_id, "claim": claim})
                    if doc is not None:
                        claimed.append(_to_delivery(doc))
        return claimed

    async def finish_attempt(self, delivery: WebhookDelivery) -> bool:
        with storage_errors("recording a webhook attempt"):
            result = await self._deliveries.update_one(
                {"_id": delivery.id, "claim": delivery.claim},
                {"$set": _progress(delivery)},
            )
        return result.modified_count == 1

    async def get_for_tenant(
        self, tenant_id: str, endpoint_id: str, event_id: str
    ) -> WebhookDelivery | None:
        with storage_errors("reading a webhook delivery"):
            doc = await self._deliveries.find_one(
                {"_id": delivery_id(event_id, endpoint_id), "tenant_id": tenant_id}
            )
        return None if doc is None else _to_delivery(doc)

    async def page_for_endpoint(
        self, tenant_id: str, endpoint_id: str, page: PageRequest
    ) -> Page[WebhookDelivery]:
        mine = {"tenant_id": tenant_id, "endpoint_id": endpoint_id}
        with storage_errors("listing webhook deliveries"):
            docs, following = await newest_first_page(self._deliveries, [mine], page)
        return Page([_to_delivery(doc) for doc in docs], following)

    async def schedule(self, delivery_id: str, at: datetime) -> bool:
        with storage_errors("scheduling a webhook delivery"):
            result = await self._deliveries.update_one(
                {"_id": delivery_id},
                {"$set": {"status": _PENDING, "due_ms": millis(at), "lease_ms": _NEVER}},
            )
        return result.matched_count == 1

    async def oldest_pending(self) -> datetime | None:
        with storage_errors("reading the webhook backlog"):
            doc = await self._deliveries.find_one(
                {"status": _PENDING}, {"created_ms": 1}, sort=[("created_ms", 1)]
            )
        return None if doc is None else from_millis(doc["created_ms"])


def _due(now_ms: int) -> dict[str, Any]:
    return {"status": _PENDING, "due_ms": {"$lte": now_ms}, "lease_ms": {"$lte": now_ms}}


def _progress(delivery: WebhookDelivery) -> Document:
    due = delivery.next_attempt_at
    return {
        "status": delivery.status.value,
        "due_ms": None if due is None else millis(due),
        "lease_ms": _NEVER,
        "attempts": [_attempt_document(a) for a in delivery.attempts],
    }


def _to_document(delivery: WebhookDelivery) -> Document:
    return {
        "_id": delivery.id,
        "event_id": delivery.event_id,
        "endpoint_id": delivery.endpoint_id,
        "tenant_id": delivery.tenant_id,
        "event_type": delivery.event_type.value,
        "body": delivery.body,
        "created_at": delivery.created_at,
        "created_ms": millis(delivery.created_at),
        "sort_key": sort_key(delivery.created_at, delivery.id),
        "claim": delivery.claim,
        **_progress(delivery),
    }


def _attempt_document(attempt: Attempt) -> Document:
    return {
        "at_ms": millis(attempt.at),
        "latency_ms": attempt.latency_ms,
        "status_code": attempt.status_code,
        "error": attempt.error,
    }


def _to_delivery(doc: Document) -> WebhookDelivery:
    lease = doc.get("lease_ms") or _NEVER
    due = doc.get("due_ms")
    return WebhookDelivery(
        id=doc["_id"],
        event_id=doc["event_id"],
        endpoint_id=doc["endpoint_id"],
        tenant_id=doc["tenant_id"],
        event_type=WebhookEventType(doc["event_type"]),
        body=doc["body"],
        created_at=stored_datetime(doc["created_at"]),
        status=DeliveryStatus(doc["status"]),
        next_attempt_at=None if due is None else from_millis(due),
        attempts=tuple(
            Attempt(
                at=from_millis(a["at_ms"]),
                latency_ms=a["latency_ms"],
                status_code=a.get("status_code"),
                error=a.get("error"),
            )
            for a in doc.get("attempts", [])
        ),
        lease_until=None if lease == _NEVER else from_millis(lease),
        claim=doc.get("claim"),
    )
