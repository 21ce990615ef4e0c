from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from adapters.mongo.client import Document
from domain.epoch import epoch_millis, from_epoch_millis
from domain.pagination import Cursor, PageRequest

NEWEST_FIRST = [("sort_key", DESCENDING)]


def sort_key(created_at: datetime, item_id: str) -> str:
    """`<13-digit epoch ms>:<id>`: newest-first order and keyset paging on one string field.

    One range condition on one field is what every server evaluates alike; a compound
    `$or` of date and id conditions is not (nx-27017 gets it wrong).
    """
    return f"{epoch_millis(created_at):013d}:{item_id}"


def after_cursor(page: PageRequest) -> dict[str, Any]:
    if page.after is None:
        return {}
    return {"sort_key": {"$lt": sort_key(page.after.created_at, page.after.id)}}


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
    if len(docs) <= page.limit:
        return kept, None
    return kept, _position(kept[-1])


def _position(doc: dict[str, Any]) -> Cursor | None:
    """The next page starts after the sort key itself, which a document this version cannot
    read otherwise still has. Documents without one sort last and no cursor passes them."""
    key = doc.get("sort_key")
    if isinstance(key, str):
        millis, _, item_id = key.partition(":")
        if millis.isdigit() and item_id:
            return Cursor(from_epoch_millis(int(millis)), item_id)
    return None
