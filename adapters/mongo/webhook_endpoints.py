from datetime import datetime

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.counting import count_matching
from adapters.mongo.dates import optional_datetime, stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.paging import newest_first_page, sort_key
from adapters.mongo.unreadable import UnreadableDocuments, reader_of
from domain.pagination import Page, PageRequest
from domain.webhook_endpoint import EndpointUpdate, WebhookEndpoint, WebhookEventType


class MongoWebhookEndpointRepository:
    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._endpoints = db["webhook_endpoints"]
        self._read = reader_of(unreadable, "webhook_endpoints", _to_endpoint)
        self._read_tenant = reader_of(unreadable, "webhook_endpoints", _tenant_of)

    async def add(self, endpoint: WebhookEndpoint) -> None:
        with storage_errors("storing a webhook endpoint"):
            await self._endpoints.insert_one(_to_document(endpoint))

    async def get(self, endpoint_id: str) -> WebhookEndpoint | None:
        with storage_errors("reading a webhook endpoint"):
            doc = await self._endpoints.find_one({"_id": endpoint_id})
        return self._read.one(doc)

    async def get_for_tenant(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        with storage_errors("reading a webhook endpoint"):
            doc = await self._endpoints.find_one({"_id": endpoint_id, "tenant_id": tenant_id})
        return self._read.one(doc)

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[WebhookEndpoint]:
        with storage_errors("listing webhook endpoints"):
            docs, following = await newest_first_page(
                self._endpoints, [{"tenant_id": tenant_id}], page
            )
        return Page(self._read.each(docs), following)

    async def count_for_tenant(self, tenant_id: str, up_to: int) -> int:
        with storage_errors("counting webhook endpoints"):
            return await count_matching(self._endpoints, {"tenant_id": tenant_id}, up_to)

    async def subscribing_tenants(self) -> set[str]:
        with storage_errors("listing webhook subscribers"):
            cursor = self._endpoints.find({"disabled": False}, {"tenant_id": 1})
            docs = [doc async for doc in cursor]
        return set(self._read_tenant.each(docs))

    async def subscribed(self, tenant_id: str, kind: WebhookEventType) -> list[WebhookEndpoint]:
        # Filtered here: an empty list (all events) is not matched alike by every server.
        with storage_errors("listing webhook endpoints"):
            cursor = self._endpoints.find({"tenant_id": tenant_id, "disabled": False})
            found = self._read.each([doc async for doc in cursor.sort("sort_key", -1)])
        return [endpoint for endpoint in found if endpoint.wants(kind)]

    async def update(
        self, tenant_id: str, endpoint_id: str, changes: EndpointUpdate
    ) -> WebhookEndpoint | None:
        fields = changes.fields()
        if "events" in fields and changes.events is not None:
            fields["events"] = [kind.value for kind in changes.events]
        if not fields:
            return await self.get_for_tenant(tenant_id, endpoint_id)
        with storage_errors("updating a webhook endpoint"):
            after = await self._endpoints.find_one_and_update(
                {"_id": endpoint_id, "tenant_id": tenant_id},
                {"$set": fields},
                return_document=ReturnDocument.AFTER,
            )
        return self._read.one(after)

    async def rotate(
        self, tenant_id: str, endpoint_id: str, from_secret: str, rotated: WebhookEndpoint
    ) -> WebhookEndpoint | None:
        with storage_errors("rotating a webhook endpoint's secret"):
            after = await self._endpoints.find_one_and_update(
                {"_id": endpoint_id, "tenant_id": tenant_id, "secret": from_secret},
                {
                    "$set": {
                        "secret": rotated.secret,
                        "previous_secret": rotated.previous_secret,
                        "previous_secret_until": rotated.previous_secret_until,
                    }
                },
                return_document=ReturnDocument.AFTER,
            )
        return self._read.one(after)

    async def disable(self, endpoint_id: str, reason: str) -> bool:
        with storage_errors("disabling a webhook endpoint"):
            result = await self._endpoints.update_one(
                {"_id": endpoint_id, "disabled": False},
                {"$set": {"disabled": True, "disabled_reason": reason}},
            )
        return result.modified_count == 1

    async def note_failing(self, endpoint_id: str, since: datetime | None) -> None:
        running = {"$ne": None} if since is None else None
        with storage_errors("recording a webhook endpoint's failures"):
            await self._endpoints.update_one(
                {"_id": endpoint_id, "failing_since": running}, {"$set": {"failing_since": since}}
            )

    async def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        with storage_errors("deleting a webhook endpoint"):
            result = await self._endpoints.delete_one({"_id": endpoint_id, "tenant_id": tenant_id})
        return result.deleted_count == 1


def _to_document(endpoint: WebhookEndpoint) -> Document:
    return {
        "_id": endpoint.id,
        "tenant_id": endpoint.tenant_id,
        "url": endpoint.url,
        "events": [kind.value for kind in endpoint.events],
        "secret": endpoint.secret,
        "created_at": endpoint.created_at,
        "sort_key": sort_key(endpoint.created_at, endpoint.id),
        "description": endpoint.description,
        "disabled": endpoint.disabled,
        "disabled_reason": endpoint.disabled_reason,
        "previous_secret": endpoint.previous_secret,
        "previous_secret_until": endpoint.previous_secret_until,
        "failing_since": endpoint.failing_since,
    }


def _tenant_of(doc: Document) -> str:
    tenant_id = doc["tenant_id"]
    if not isinstance(tenant_id, str):
        raise TypeError("tenant_id")
    return tenant_id


def _to_endpoint(doc: Document) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        url=doc["url"],
        events=tuple(WebhookEventType(kind) for kind in doc["events"]),
        secret=doc["secret"],
        created_at=stored_datetime(doc["created_at"]),
        description=doc.get("description"),
        disabled=bool(doc.get("disabled")),
        disabled_reason=doc.get("disabled_reason"),
        previous_secret=doc.get("previous_secret"),
        previous_secret_until=optional_datetime(doc.get("previous_secret_until")),
        failing_since=optional_datetime(doc.get("failing_since")),
    )
