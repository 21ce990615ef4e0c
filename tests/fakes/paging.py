from datetime import datetime
from typing import Protocol, TypeVar

from domain.pagination import Cursor, Page, PageRequest


class Listed(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...


L = TypeVar("L", bound=Listed)


def newest_first(items: list[L]) -> list[L]:
    return sorted(items, key=lambda item: (item.created_at, item.id), reverse=True)


def page_of(ordered: list[L], page: PageRequest) -> Page[L]:
    """Keyset paging over an already newest-first list, as the MongoDB adapters do."""
    after = page.after
    remaining = (
        ordered
        if after is None
        else [i for i in ordered if (i.created_at, i.id) < (after.created_at, after.id)]
    )
    items = remaining[: page.limit]
    more = len(remaining) > page.limit
    return Page(items, Cursor(items[-1].created_at, items[-1].id) if more else None)
