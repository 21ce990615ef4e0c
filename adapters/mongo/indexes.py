from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.errors import storage_errors

INDEXES: dict[str, list[IndexModel]] = {
    "api_keys": [
        IndexModel([("key_hash", ASCENDING)], name="key_hash_unique", unique=True),
        IndexModel([("tenant_id", ASCENDING), ("created_at", DESCENDING)], name="tenant_created"),
    ],
    "publishable_keys": [
        IndexModel([("key_hash", ASCENDING)], name="key_hash_unique", unique=True),
        IndexModel([("tenant_id", ASCENDING), ("sort_key", DESCENDING)], name="tenant_newest"),
    ],
    "agents": [
        IndexModel([("tenant_id", ASCENDING), ("_id", ASCENDING)], name="tenant_id"),
        IndexModel([("tenant_id", ASCENDING), ("sort_key", DESCENDING)], name="tenant_newest"),
        IndexModel(
            [("dispatch_name", ASCENDING), ("tenant_id", ASCENDING)], name="dispatch_name_tenant"
        ),
    ],
    "dispatch_names": [
        IndexModel([("tenant_id", ASCENDING), ("released_at", ASCENDING)], name="tenant_released"),
    ],
    "calls": [
        IndexModel([("tenant_id", ASCENDING), ("sort_key", DESCENDING)], name="tenant_newest"),
        IndexModel([("room_name", ASCENDING)], name="room_name_unique", unique=True),
        IndexModel(
            [("tenant_id", ASCENDING), ("status", ASCENDING), ("expires_at", ASCENDING)],
            name="tenant_status_expiry",
        ),
        IndexModel(
            [("tenant_id", ASCENDING), ("agent_id", ASCENDING), ("sort_key", DESCENDING)],
            name="tenant_agent_newest",
        ),
        IndexModel([("status", ASCENDING), ("expires_at", ASCENDING)], name="sweep"),
        IndexModel([("outbox_n", ASCENDING)], name="outbox", sparse=True),
    ],
    "webhook_endpoints": [
        IndexModel([("tenant_id", ASCENDING), ("sort_key", DESCENDING)], name="tenant_newest"),
    ],
    "webhook_deliveries": [
        IndexModel([("status", ASCENDING), ("due_ms", ASCENDING)], name="due"),
        IndexModel([("status", ASCENDING), ("created_ms", ASCENDING)], name="backlog"),
        IndexModel([("endpoint_id", ASCENDING), ("status", ASCENDING)], name="endpoint_pending"),
        IndexModel(
            [("tenant_id", ASCENDING), ("endpoint_id", ASCENDING), ("sort_key", DESCENDING)],
            name="endpoint_newest",
        ),
        IndexModel(
            [("call_id", ASCENDING), ("endpoint_id", ASCENDING), ("sequence", ASCENDING)],
            name="call_order",
        ),
    ],
    "webhook_events": [
        IndexModel(
            [("received_at", ASCENDING)], name="received_ttl", expireAfterSeconds=7 * 86_400
        ),
    ],
    "idempotency_keys": [
        # TTL purge; nx-27017 accepts but never applies it, so expiry is also checked in code.
        IndexModel([("expires_at", ASCENDING)], name="expiry_ttl", expireAfterSeconds=0),
    ],
}


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    """Idempotent: creating an index that already exists with the same spec is a no-op."""
    with storage_errors("creating indexes"):
        embedded = await is_embedded_server(db)
        for collection, models in INDEXES.items():
            usable = [m for m in models if not (embedded and _compound_with_id(m))]
            await db[collection].create_indexes(usable)


async def is_embedded_server(db: AsyncDatabase[Document]) -> bool:
    """nx-27017 (dev/test) says so in buildInfo; MongoDB servers have no `process` there."""
    info = await db.client.admin.command("buildInfo")
    return info.get("process") == "nx_27017"


def _compound_with_id(model: IndexModel) -> bool:
    # nx-27017 accepts such an index but then rejects every insert ("JSON path error near _id").
    keys = model.document["key"]
    return len(keys) > 1 and "_id" in keys
