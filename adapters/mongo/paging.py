from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from adapters.mongo.client import Document
from domain.pagination import Cursor, PageRequest

NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]


def after_cursor(page: PageRequest) -> dict[str, Any]:
    """Keyset condition: strictly older than the cursor, ties broken by id."""
    if page.after is None:
        return {}
    at, last_id = page.after.created_at, page.after.id
    return {"$or": [{"created_at": {"$lt": at}}, {"created_at": at, "_id": {"$lt": last_id}}]}


def combined(filters: list[dict[str, Any]]) -> dict[str, Any]:
    """One flat filter when the parts share no key, `$and` only when they must: nx-27017
    stops matching explicit nulls (`deleted_at: None`) inside `$and`."""
    merged: dict[str, Any] = {}
    for part in filters:
        if merged.keys() & part.keys():
            return {"$and": [f for f in filters if f]}
        merged.update(part)
    return merged


async def newest_first_page(
    collection: AsyncCollection[Document], conditions: list[dict[str, Any]], page: PageRequest
) -> tuple[list[Document], Cursor | None]:
    """One query of limit + 1 documents; the extra one only says whether there is more."""
    cursor = collection.find(combined([*conditions, after_cursor(page)])).sort(NEWEST_FIRST)
    docs = [doc async for doc in cursor.limit(page.limit + 1)]
    kept = docs[: page.limit]
    more = len(docs) > page.limit
    return kept, Cursor(kept[-1]["created_at"], kept[-1]["_id"]) if more else None
