import dataclasses
from datetime import datetime

from domain.errors import StorageError
from domain.pagination import Page, PageRequest
from domain.publishable_key import PublishableKey
from tests.fakes.paging import newest_first, page_of


class InMemoryPublishableKeyRepository:
    def __init__(self) -> None:
        self.items: dict[str, PublishableKey] = {}

    async def add(self, key: PublishableKey) -> None:
        if key.id in self.items or await self.find_by_hash(key.key_hash) is not None:
            raise StorageError("duplicate id or key hash")
        self.items[key.id] = key

    async def find_by_hash(self, key_hash: str) -> PublishableKey | None:
        return next((k for k in self.items.values() if k.key_hash == key_hash), None)

    async def get_for_tenant(self, tenant_id: str, key_id: str) -> PublishableKey | None:
        key = self.items.get(key_id)
        return key if key is not None and key.tenant_id == tenant_id else None

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[PublishableKey]:
        return page_of(
            newest_first([k for k in self.items.values() if k.tenant_id == tenant_id]), page
        )

    async def revoke(self, key_id: str, when: datetime) -> PublishableKey | None:
        key = self.items.get(key_id)
        if key is None or key.revoked_at is not None:
            return key
        self.items[key_id] = dataclasses.replace(key, revoked_at=when)
        return self.items[key_id]
