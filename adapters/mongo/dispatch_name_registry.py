import logging
from dataclasses import dataclass
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from adapters.mongo.client import Document
from adapters.mongo.dates import optional_datetime
from adapters.mongo.dispatch_names import MongoDispatchNames, held_by
from adapters.mongo.errors import storage_errors
from domain.agent import DISPATCH_NAME_REUSE_DELAY

logger = logging.getLogger("realtime_tokens.mongo")
_DUPLICATE_KEY = 11000


@dataclass
class _Uses:
    live: dict[str, set[str]]  # name -> tenants whose live agents use it
    deleted: dict[str, tuple[str, datetime]]  # name -> latest (tenant, deleted_at) in the delay


async def complete_dispatch_name_registry(db: AsyncDatabase[Document], now: datetime) -> list[str]:
    """Idempotent, at every start-up: each name a live agent uses gets its tenant's row (agents
    from before the registry, a restore without it); each name of an agent deleted within the
    reuse delay a released row; a name held that no live agent of its holder uses is released.
    Returns, and logs, the names left inconsistent: used by live agents of several tenants, or
    held by another tenant that cannot give it up yet."""
    with storage_errors("completing the dispatch-name registry"):
        uses = await _agent_uses(db, now)
        held = {doc["_id"]: doc async for doc in db["dispatch_names"].find({})}
        sole = {name: min(tenants) for name, tenants in uses.live.items() if len(tenants) == 1}
        await _insert_new(
            db,
            [held_by(name, tenant) for name, tenant in sole.items() if name not in held]
            + [
                held_by(name, tenant, deleted_at)
                for name, (tenant, deleted_at) in uses.deleted.items()
                if name not in uses.live and name not in held
            ],
        )
        await _release_unused(db, held, uses, now)
        conflicts = [name for name, tenants in uses.live.items() if len(tenants) > 1]
        names = MongoDispatchNames(db)
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


async def _agent_uses(db: AsyncDatabase[Document], now: datetime) -> _Uses:
    uses = _Uses(live={}, deleted={})
    projection = {"dispatch_name": 1, "tenant_id": 1, "deleted_at": 1}
    async for doc in db["agents"].find({}, projection):
        name, tenant = doc["dispatch_name"], doc["tenant_id"]
        deleted_at = optional_datetime(doc.get("deleted_at"))
        if deleted_at is None:
            uses.live.setdefault(name, set()).add(tenant)
        elif deleted_at > now - DISPATCH_NAME_REUSE_DELAY:
            latest = uses.deleted.get(name)
            if latest is None or latest[1] < deleted_at:
                uses.deleted[name] = (tenant, deleted_at)
    return uses


async def _insert_new(db: AsyncDatabase[Document], rows: list[Document]) -> None:
    if not rows:
        return
    try:
        await db["dispatch_names"].insert_many(rows, ordered=False)
    except BulkWriteError as error:  # another replica starting at once inserted some first
        errors = error.details.get("writeErrors", [])
        if any(e.get("code") != _DUPLICATE_KEY for e in errors):
            raise
