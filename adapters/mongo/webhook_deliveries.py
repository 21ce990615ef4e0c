"""Deliveries, the outbox's queue. Times the queue compares (due, lease) are integer epoch
milliseconds: nx-27017 may keep a `$set` date as a string, which no longer compares."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from adapters.mongo.client import Document
from adapters.mongo.counting import count_matching
from adapters.mongo.dates import stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.paging import newest_first_page, sort_key
from adapters.mongo.unreadable import UnreadableDocuments, reader_of
from domain.epoch import epoch_millis as millis
from domain.epoch import from_epoch_millis as from_millis
from domain.ids import new_id
from domain.pagination import Page, PageRequest
from domain.webhook_delivery import (
    Attempt,
    DeliveryStatus,
    WebhookDelivery,
    delivery_id,
    shared_fairly,
)
from domain.webhook_endpoint import WebhookEventType

_NEVER = 0
_PENDING = DeliveryStatus.PENDING.value
_FAILED = DeliveryStatus.FAILED.value
_LAST = 2**63
_ORDERED_BY = {"_id": 1, "endpoint_id": 1, "call_id": 1, "sequence": 1}
_CLAIM_FIELDS = {**_ORDERED_BY, "tenant_id": 1}


class MongoWebhookDeliveryRepository:
    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._deliveries = db["webhook_deliveries"]
        self._read = reader_of(unreadable, "webhook_deliveries", _to_delivery)

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
        lease_ms = millis(lease_until)
        with storage_errors("claiming webhook deliveries"):
            fair = await self._fair_candidates(due, limit, busy_endpoints)
            candidates = await self._in_call_order(fair)
            claimed = []
            for delivery_id in candidates:
                claim = new_id()
                taken = await self._deliveries.update_one(
                    {"_id": delivery_id, **due},
                    {"$set": {"lease_ms": lease_ms, "due_ms": lease_ms, "claim": claim}},
                )
                if taken.modified_count == 1:
                    doc = await self._deliveries.find_one({"_id": delivery_id, "claim": claim})
                    if doc is None:
                        continue
                    if (delivery := self._read.readable(doc)) is not None:
                        claimed.append(delivery)
                    else:  # failed for good: no replica claims it again, lease after lease
                        await self._deliveries.update_one(
                            {"_id": delivery_id, "claim": claim},
                            {"$set": {"status": _FAILED, "due_ms": None, "lease_ms": _NEVER}},
                        )
        return claimed

    async def _in_call_order(self, candidates: list[Document]) -> list[str]:
        """The candidates' ids but those waiting for an earlier event of their call to their
        endpoint (`WebhookDelivery.waits_for`): one more find, only when a candidate is a
        call's later event."""
        later = [c for c in candidates if c.get("call_id") and _sequence(c) > 1]
        if not later:
            return [c["_id"] for c in candidates]
        waiting = self._deliveries.find(
            {
                "call_id": {"$in": list({c["call_id"] for c in later})},
                "endpoint_id": {"$in": list({c.get("endpoint_id") for c in later})},
                "sequence": {"$lt": max(_sequence(c) for c in later)},
                "status": _PENDING,
                "attempts_n": 0,
            },
            _ORDERED_BY,
        )
        earliest: dict[tuple[object, object], int] = {}
        async for doc in waiting:
            key, sequence = (doc.get("call_id"), doc.get("endpoint_id")), _sequence(doc)
            earliest[key] = min(earliest.get(key, sequence), sequence)
        return [
            c["_id"]
            for c in candidates
            if earliest.get((c.get("call_id"), c.get("endpoint_id")), _LAST) >= _sequence(c)
        ]

    async def _fair_candidates(
        self, due: Document, limit: int, busy_endpoints: Collection[str]
    ) -> list[Document]:
        """The oldest due of each tenant, shared across tenants: each read leaves out the
        tenants already seen, until a read comes back short or `limit` tenants are seen, so
        one tenant's backlog costs one read, not the batch (at most `limit` reads). One with no
        tenant (a document this version did not write) is a tenant of its own, claimed once to
        be read, reported and failed."""
        wanted = {**due, "endpoint_id": {"$nin": list(busy_endpoints)}} if busy_endpoints else due
        found: dict[object, tuple[str, Document]] = {}
        tenants: set[str] = set()
        while len(tenants) < limit:
            query = {**wanted, "tenant_id": {"$nin": sorted(tenants)}} if tenants else wanted
            cursor = self._deliveries.find(query, _CLAIM_FIELDS)
            docs = [doc async for doc in cursor.sort("due_ms", 1).limit(limit)]
            seen = len(tenants)
            for doc in docs:
                tenant = doc.get("tenant_id")
                found.setdefault(doc["_id"], (tenant if isinstance(tenant, str) else "", doc))
                if isinstance(tenant, str):
                    tenants.add(tenant)
            if len(docs) < limit or len(tenants) == seen:
                break
        return shared_fairly(found.values(), limit)

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
        return self._read.one(doc)

    async def page_for_endpoint(
        self, tenant_id: str, endpoint_id: str, page: PageRequest
    ) -> Page[WebhookDelivery]:
        mine = {"tenant_id": tenant_id, "endpoint_id": endpoint_id}
        with storage_errors("listing webhook deliveries"):
            docs, following = await newest_first_page(self._deliveries, [mine], page)
        return Page(self._read.each(docs), following)

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
                {"status": _PENDING, "created_ms": {"$gte": 0}},
                {"created_ms": 1},
                sort=[("created_ms", 1)],
            )
        return None if doc is None else from_millis(doc["created_ms"])

    async def count_pending(self, endpoint_id: str, up_to: int) -> int:
        with storage_errors("counting pending webhook deliveries"):
            return await count_matching(
                self._deliveries, {"endpoint_id": endpoint_id, "status": _PENDING}, up_to
            )


def _sequence(doc: Document) -> int:
    sequence = doc.get("sequence")
    return sequence if isinstance(sequence, int) else 0


def _due(now_ms: int) -> dict[str, Any]:
    return {"status": _PENDING, "due_ms": {"$lte": now_ms}, "lease_ms": {"$lte": now_ms}}


def _progress(delivery: WebhookDelivery) -> Document:
    due = delivery.next_attempt_at
    return {
        "status": delivery.status.value,
        "due_ms": None if due is None else millis(due),
        "lease_ms": _NEVER,
        "attempts": [_attempt_document(a) for a in delivery.attempts],
        "attempts_n": len(delivery.attempts),  # nx-27017 cannot match an empty array
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
        "call_id": delivery.call_id,
        "sequence": delivery.sequence,
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
        call_id=doc.get("call_id"),
        sequence=doc.get("sequence"),
    )
