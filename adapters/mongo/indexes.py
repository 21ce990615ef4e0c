from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.errors import storage_errors

INDEXES: dict[str, list[IndexModel]] = {
    "api_keys": [
        IndexModel([("key_hash", ASCENDING)], name="key_hash_unique", unique=True),
        IndexModel([("tenant_id", ASCENDING)], name="tenant"),
    ],
    "agents": [
        IndexModel([("tenant_id", ASCENDING), ("_id", ASCENDING)], name="tenant_id"),
        IndexModel([("tenant_id", ASCENDING), ("created_at", DESCENDING)], name="tenant_created"),
    ],
    "calls": [
        IndexModel([("tenant_id", ASCENDING), ("created_at", DESCENDING)], name="tenant_created"),
        IndexModel([("room_name", ASCENDING)], name="room_name_unique", unique=True),
    ],
}


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    """Idempotent: creating an index that already exists with the same spec is a no-op."""
    with storage_errors("creating indexes"):
        for collection, models in INDEXES.items():
            await db[collection].create_indexes(models)
