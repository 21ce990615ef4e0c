from datetime import datetime

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.dates import optional_datetime, stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.unreadable import UnreadableDocuments, reader_of
from domain.api_key import ApiKey


class MongoApiKeyRepository:
    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._keys = db["api_keys"]
        self._read = reader_of(unreadable, "api_keys", _to_key)

    async def add(self, key: ApiKey) -> None:
        with storage_errors("storing an API key"):
            await self._keys.insert_one(
                {
                    "_id": key.id,
                    "tenant_id": key.tenant_id,
                    "key_hash": key.key_hash,
                    "hint": key.hint,
                    "created_at": key.created_at,
                    "revoked_at": key.revoked_at,
                    "expires_at": key.expires_at,
                    "last_used_at": key.last_used_at,
                }
            )

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        with storage_errors("reading an API key"):
            doc = await self._keys.find_one({"key_hash": key_hash})
        return self._read.one(doc)

    async def revoke(self, key_id: str, when: datetime) -> ApiKey | None:
        with storage_errors("revoking an API key"):
            await self._keys.update_one(
                {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": when}}
            )
            doc = await self._keys.find_one({"_id": key_id})
        return self._read.one(doc)

    async def record_use(self, key_id: str, when: datetime) -> None:
        with storage_errors("recording API key use"):
            await self._keys.update_one({"_id": key_id}, {"$set": {"last_used_at": when}})

    async def list_for_tenant(self, tenant_id: str) -> list[ApiKey]:
        with storage_errors("listing API keys"):
            cursor = self._keys.find({"tenant_id": tenant_id}).sort(
                [("created_at", DESCENDING), ("_id", DESCENDING)]
            )
            docs = [doc async for doc in cursor]
        return self._read.each(docs)


def _to_key(doc: Document) -> ApiKey:
    return ApiKey(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        key_hash=doc["key_hash"],
        hint=doc["hint"],
        created_at=stored_datetime(doc["created_at"]),
        revoked_at=optional_datetime(doc.get("revoked_at")),
        expires_at=optional_datetime(doc.get("expires_at")),
        last_used_at=optional_datetime(doc.get("last_used_at")),
    )
