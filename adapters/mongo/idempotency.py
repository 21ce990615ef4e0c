from collections.abc import Callable

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from adapters.mongo.client import Document
from adapters.mongo.dates import stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.unreadable import UnreadableDocuments
from domain.idempotency import IdempotencyRecord


def _id(record: IdempotencyRecord) -> str:
    return f"{record.tenant_id}:{record.key}"


class MongoIdempotencyStore:
    """The unique `_id` (tenant:key) makes one claim win; a TTL index on `expires_at` purges."""

    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._records = db["idempotency_keys"]
        self._unreadable = unreadable or UnreadableDocuments()

    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        with storage_errors("claiming an idempotency key"):
            try:
                await self._records.insert_one(
                    {
                        "_id": _id(record),
                        "tenant_id": record.tenant_id,
                        "fingerprint": record.fingerprint,
                        "call_id": record.call_id,
                        "claim_id": record.claim_id,
                        "created_at": record.created_at,
                        "expires_at": record.expires_at,
                        "completed": False,
                    }
                )
            except DuplicateKeyError:
                held = await self._records.find_one({"_id": _id(record)})
            else:
                return None
        if held is None:  # released between our insert attempt and our read: try again
            return await self.claim(record)
        return self._unreadable.reader("idempotency_keys", _held_under(record.key)).one(held)

    async def complete(self, record: IdempotencyRecord) -> None:
        with storage_errors("completing an idempotency key"):
            await self._records.update_one(
                {"_id": _id(record), "claim_id": record.claim_id}, {"$set": {"completed": True}}
            )

    async def release(self, record: IdempotencyRecord) -> None:
        with storage_errors("releasing an idempotency key"):
            await self._records.delete_one({"_id": _id(record), "claim_id": record.claim_id})


def _held_under(key: str) -> Callable[[Document], IdempotencyRecord]:
    def decode(held: Document) -> IdempotencyRecord:
        return IdempotencyRecord(
            tenant_id=held["tenant_id"],
            key=key,
            fingerprint=held["fingerprint"],
            call_id=held["call_id"],
            created_at=stored_datetime(held["created_at"]),
            expires_at=stored_datetime(held["expires_at"]),
            completed=bool(held["completed"]),
            claim_id=str(held.get("claim_id") or held["call_id"]),  # claims from before claim_id
        )

    return decode
