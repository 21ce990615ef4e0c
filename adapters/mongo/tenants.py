from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.dates import stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.unreadable import UnreadableDocuments, reader_of
from domain.tenant import Tenant


class MongoTenantRepository:
    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._tenants = db["tenants"]
        self._read = reader_of(unreadable, "tenants", _to_tenant)

    async def add(self, tenant: Tenant) -> None:
        with storage_errors("storing a tenant"):
            await self._tenants.insert_one(
                {"_id": tenant.id, "name": tenant.name, "created_at": tenant.created_at}
            )

    async def get(self, tenant_id: str) -> Tenant | None:
        with storage_errors("reading a tenant"):
            doc = await self._tenants.find_one({"_id": tenant_id})
        return self._read.one(doc)


def _to_tenant(doc: Document) -> Tenant:
    return Tenant(id=doc["_id"], name=doc["name"], created_at=stored_datetime(doc["created_at"]))
