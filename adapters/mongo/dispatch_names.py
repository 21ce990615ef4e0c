from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from adapters.mongo.client import Document
from adapters.mongo.dates import optional_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.unreadable import UnreadableDocuments, reader_of
from domain.agent import DISPATCH_NAME_REUSE_DELAY


class MongoDispatchNames:
    """The registry `dispatch_names`: `_id` is the name, `tenant_id` its holder and
    `released_at` when the holder gave it up (None while held). Inserting the name is the
    atomic first claim; taking over a released name is one conditional update."""

    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._names = db["dispatch_names"]
        self._agents = db["agents"]
        self._dispatch_name = reader_of(unreadable, "agents", dispatch_name_of)

    async def claim(self, name: str, tenant_id: str, now: datetime) -> bool:
        with storage_errors("claiming a dispatch name"):
            others = _live_agents_using(name, {"$ne": tenant_id})
            if await self._agents.find_one(others, {"_id": 1}) is not None:
                return False
            try:
                await self._names.insert_one(held_by(name, tenant_id))
                return True
            except DuplicateKeyError:
                pass
            mine = await self._names.update_one(
                {"_id": name, "tenant_id": tenant_id}, {"$set": {"released_at": None}}
            )
            if mine.matched_count == 1:
                return True
            return await self._take_over(name, tenant_id, now)

    async def _take_over(self, name: str, tenant_id: str, now: datetime) -> bool:
        row = await self._names.find_one({"_id": name})
        if row is None or not _reusable(row, now):
            return False
        released = row["released_at"]
        # Compare-and-set on the row as read: nx-27017 keeps a `$set` date as a string, so
        # the reuse delay is checked here rather than by a date comparison in the query.
        unchanged = {"_id": name, "tenant_id": row.get("tenant_id"), "released_at": released}
        taken_over = await self._names.update_one(
            unchanged, {"$set": {"tenant_id": tenant_id, "released_at": None}}
        )
        return taken_over.matched_count == 1

    async def release_unused(self, tenant_id: str, now: datetime) -> None:
        with storage_errors("releasing dispatch names"):
            live = self._agents.find(
                {"tenant_id": tenant_id, "deleted_at": None}, {"dispatch_name": 1}
            )
            used = sorted(set(self._dispatch_name.each([doc async for doc in live])))
            held = {"tenant_id": tenant_id, "released_at": None}
            unused = {**held, "_id": {"$nin": used}} if used else held  # nx-27017: no `$nin: []`
            await self._names.update_many(unused, {"$set": {"released_at": now}})


def _reusable(row: Document, now: datetime) -> bool:
    """A row this version cannot read (no holder, no date) is nobody's to take over: the
    name stays unavailable until the row is fixed or removed (docs/operations.md)."""
    try:
        released_at = optional_datetime(row.get("released_at"))
    except (TypeError, ValueError):
        return False
    return (
        isinstance(row.get("tenant_id"), str)
        and released_at is not None
        and released_at + DISPATCH_NAME_REUSE_DELAY <= now
    )


def dispatch_name_of(doc: Document) -> str:
    name = doc["dispatch_name"]
    if not isinstance(name, str):
        raise TypeError("dispatch_name")
    return name


def _live_agents_using(name: str, tenant_id: Any) -> Document:
    return {"dispatch_name": name, "tenant_id": tenant_id, "deleted_at": None}


def held_by(name: str, tenant_id: str, released_at: datetime | None = None) -> Document:
    return {"_id": name, "tenant_id": tenant_id, "released_at": released_at}
