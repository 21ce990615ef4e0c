from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from adapters.mongo.client import Document
from adapters.mongo.errors import storage_errors


class MongoProcessedEvents:
    """Webhook event ids seen, kept a week (TTL index): LiveKit redelivers for far less."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._events = db["webhook_events"]

    async def record(self, event_id: str, at: datetime) -> bool:
        with storage_errors("recording a webhook event"):
            try:
                await self._events.insert_one({"_id": event_id, "received_at": at})
            except DuplicateKeyError:
                return False
        return True
