from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.dates import stored_datetime
from adapters.mongo.errors import storage_errors
from domain.call import Call, CallStatus, CallType


class MongoCallRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._calls = db["calls"]

    async def add(self, call: Call) -> None:
        with storage_errors("storing a call"):
            await self._calls.insert_one(
                {
                    "_id": call.id,
                    "tenant_id": call.tenant_id,
                    "agent_id": call.agent_id,
                    "type": call.type.value,
                    "status": call.status.value,
                    "room_name": call.room_name,
                    "participant_identity": call.participant_identity,
                    "metadata": dict(call.metadata),
                    "created_at": call.created_at,
                    "expires_at": call.expires_at,
                }
            )

    async def count_queued(self, tenant_id: str, now: datetime) -> int:
        with storage_errors("counting queued calls"):
            return await self._calls.count_documents(
                {"tenant_id": tenant_id, "status": "queued", "expires_at": {"$gt": now}}
            )

    async def get_for_tenant(self, tenant_id: str, call_id: str) -> Call | None:
        with storage_errors("reading a call"):
            doc = await self._calls.find_one({"_id": call_id, "tenant_id": tenant_id})
        if doc is None:
            return None
        return Call(
            id=doc["_id"],
            tenant_id=doc["tenant_id"],
            agent_id=doc["agent_id"],
            type=CallType(doc["type"]),
            status=CallStatus(doc["status"]),
            room_name=doc["room_name"],
            participant_identity=doc["participant_identity"],
            metadata=doc["metadata"],
            created_at=stored_datetime(doc["created_at"]),
            expires_at=stored_datetime(doc["expires_at"]),
        )
