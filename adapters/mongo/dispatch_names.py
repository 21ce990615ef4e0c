from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from adapters.mongo.client import Document
from adapters.mongo.errors import storage_errors


class MongoDispatchNames:
    """`_id` is the name: the first tenant to insert it owns it, atomically."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._names = db["dispatch_names"]

    async def claim(self, name: str, tenant_id: str) -> bool:
        with storage_errors("claiming a dispatch name"):
            try:
                await self._names.insert_one({"_id": name, "tenant_id": tenant_id})
            except DuplicateKeyError:
                owner = await self._names.find_one({"_id": name})
                return owner is not None and owner["tenant_id"] == tenant_id
        return True
