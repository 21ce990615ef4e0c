import logging
from dataclasses import dataclass
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from adapters.mongo.client import Document
from adapters.mongo.dates import optional_datetime
from adapters.mongo.dispatch_names import MongoDispatchNames, held_by
from adapters.mongo.errors import storage_errors
from adapters.mongo.unreadable import Reader, UnreadableDocuments, reader_of
from domain.agent import DISPATCH_NAME_REUSE_DELAY

logger = logging.getLogger("realtime_tokens.mongo")
_DUPLICATE_KEY = 11000


@dataclass
class _Uses:
    live: dict[str, set[str]]  # name -> tenants whose live agents use it
    deleted: dict[str, tuple[str, datetime]]  # name -> latest (tenant, deleted_at) in the delay


@dataclass(frozen=True, slots=True)
class _Use:
    name: str
    tenant_id: str
    deleted_at: datetime | None


async def complete_dispatch_name_registry(
    db: AsyncDatabase[Document], now: datetime, unreadable: UnreadableDocuments | None = None
) -> list[str]:
    """Idempotent, at every start-up: each name a live agent uses gets its tenant's row (agents
    from before the registry, a restore without it); each name of an agent deleted within the
    reuse delay a released row; a name held that no live agent of its holder uses is released.
    Returns, and logs, the names left inconsistent: used by live agents of several tenants, or
    held by another tenant that cannot give it up yet. An agent or a row this version cannot
    read is reported and left as it is (UnreadableDocuments)."""
    rows = reader_of(unreadable, "dispatch_names", _held_row)
    with storage_errors("completing the dispatch-name registry"):
        uses = await _agent_uses(db, now, reader_of(unreadable, "agents", _use))
        found = [doc async for doc in db["dispatch_names"].find({})]
        held = {doc["_id"]: doc for doc in found if rows.readable(doc) is not None}
        unusable = {doc["_id"] for doc in found} - held.keys()
        sole = {name: min(tenants) for name, tenants in uses.live.items() if len(tenants) == 1}
        await _insert_new(
            db,
            [held_by(name, tenant) for name, tenant in sole.items() if name not in held]
            + [
                held_by(name, tenant, deleted_at)
                for name, (tenant, deleted_at) in uses.deleted.items()
                if name not in uses.live and name not in held
            ],
            unusable,
        )
        await _release_unused(db, held, uses, now)
        conflicts = [name for name, tenants in uses.live.items() if len(tenants) > 1]
        names = MongoDispatchNames(db, unreadable)
        for name, tenant in sole.items():
            stale = name in held and held[name] != held_by(name, tenant)
            if stale and not await names.claim(name, tenant, now):
                conflicts.append(name)
    if conflicts:
        logger.warning(
            "dispatch names that more than one tenant's agents use (see docs/operations.md): %s",
            ", ".join(sorted(conflicts)),
        )
    return sorted(conflicts)


async def _release_unused(
    db: AsyncDatabase[Document], held: dict[str, Document], uses: _Uses, now: datetime
) -> None:
    for name, row in held.items():
        holder = row["tenant_id"]
        if row.get("released_at") is None and holder not in uses.live.get(name, set()):
            await db["dispatch_names"].update_one(
                {"_id": name, "tenant_id": holder, "released_at": None},
                {"$set": {"released_at": now}},
            )


def _use(doc: Document) -> _Use:
    name, tenant = doc["dispatch_name"], doc["tenant_id"]
    if not isinstance(name, str) or not isinstance(tenant, str):
        raise TypeError("dispatch_name or tenant_id")
    return _Use(name, tenant, optional_datetime(doc.get("deleted_at")))


def _held_row(doc: Document) -> Document:
    if not isinstance(doc["tenant_id"], str):
        raise TypeError("tenant_id")
    optional_datetime(doc.get("released_at"))
    return doc


async def _agent_uses(db: AsyncDatabase[Document], now: datetime, read: Reader[_Use]) -> _Uses:
    uses = _Uses(live={}, deleted={})
    projection = {"dispatch_name": 1, "tenant_id": 1, "deleted_at": 1}
    docs = [doc async for doc in db["agents"].find({}, projection)]
    for use in read.each(docs):
        name, tenant, deleted_at = use.name, use.tenant_id, use.deleted_at
        if deleted_at is None:
            uses.live.setdefault(name, set()).add(tenant)
        elif deleted_at > now - DISPATCH_NAME_REUSE_DELAY:
            latest = uses.deleted.get(name)
            if latest is None or latest[1] < deleted_at:
                uses.deleted[name] = (tenant, deleted_at)
    return uses


async def _insert_new(
    db: AsyncDatabase[Document], rows: list[Document], unusable: set[object]
) -> None:
    rows = [row for row in rows if row["_id"] not in unusable]
    if not rows:
        return
    try:
        await db["dispatch_names"].insert_many(rows, ordered=False)
    except BulkWriteError as error:  # another replica starting at once inserted some first
        errors = error.details.get("writeErrors", [])
        if any(e.get("code") != _DUPLICATE_KEY for e in errors):
            raise
