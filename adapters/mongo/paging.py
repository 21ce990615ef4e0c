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


async def newest_first_page(
    collection: AsyncCollection[Document], conditions: list[dict[str, Any]], page: PageRequest
) -> tuple[list[Document], Cursor | None]:
    """One query of limit + 1 documents; the extra one only says whether there is more."""
    filters = [c for c in (*conditions, after_cursor(page)) if c]
    cursor = collection.find({"$and": filters} if filters else {}).sort(NEWEST_FIRST)
    docs = [doc async for doc in cursor.limit(page.limit + 1)]
    kept = docs[: page.limit]
    more = len(docs) > page.limit
    return kept, Cursor(kept[-1]["created_at"], kept[-1]["_id"]) if more else None
