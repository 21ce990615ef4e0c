from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.dates import optional_datetime, stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.paging import newest_first_page, sort_key
from adapters.mongo.unreadable import UnreadableDocuments, reader_of
from domain.pagination import Page, PageRequest
from domain.publishable_key import PublishableKey


class MongoPublishableKeyRepository:
    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._keys = db["publishable_keys"]
        self._read = reader_of(unreadable, "publishable_keys", _to_key)

    async def add(self, key: PublishableKey) -> None:
        with storage_errors("storing a publishable key"):
            await self._keys.insert_one(
                {
                    "_id": key.id,
                    "tenant_id": key.tenant_id,
                    "key_hash": key.key_hash,
                    "hint": key.hint,
                    "origins": list(key.origins),
                    "agents": list(key.agents),
                    "allow_native": key.allow_native,
                    "description": key.description,
                    "created_at": key.created_at,
                    "sort_key": sort_key(key.created_at, key.id),
                    "revoked_at": key.revoked_at,
                }
            )

    async def find_by_hash(self, key_hash: str) -> PublishableKey | None:
        with storage_errors("reading a publishable key"):
            doc = await self._keys.find_one({"key_hash": key_hash})
        return self._read.one(doc)

    async def get_for_tenant(self, tenant_id: str, key_id: str) -> PublishableKey | None:
        with storage_errors("reading a publishable key"):
            doc = await self._keys.find_one({"_id": key_id, "tenant_id": tenant_id})
        return self._read.one(doc)

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[PublishableKey]:
        with storage_errors("listing publishable keys"):
            docs, following = await newest_first_page(self._keys, [{"tenant_id": tenant_id}], page)
        return Page(self._read.each(docs), following)

    async def revoke(self, key_id: str, when: datetime) -> PublishableKey | None:
        with storage_errors("revoking a publishable key"):
            await self._keys.update_one(
                {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": when}}
            )
            doc = await self._keys.find_one({"_id": key_id})
        return self._read.one(doc)


def _to_key(doc: Document) -> PublishableKey:
    return PublishableKey(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        key_hash=doc["key_hash"],
        hint=doc["hint"],
        origins=tuple(doc["origins"]),
        agents=tuple(doc["agents"]),
        allow_native=bool(doc["allow_native"]),
        created_at=stored_datetime(doc["created_at"]),
        revoked_at=optional_datetime(doc.get("revoked_at")),
        description=doc.get("description"),
    )
