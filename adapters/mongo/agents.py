from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.dates import optional_datetime, stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.paging import NEWEST_FIRST, newest_first_page, sort_key
from adapters.mongo.unreadable import UnreadableDocuments, reader_of
from domain.agent import Agent
from domain.caller_permissions import CallerPermissions
from domain.pagination import Page, PageRequest


class MongoAgentRepository:
    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._agents = db["agents"]
        self._read = reader_of(unreadable, "agents", _to_agent)

    async def add(self, agent: Agent) -> None:
        with storage_errors("storing an agent"):
            await self._agents.insert_one(
                {
                    "_id": agent.id,
                    "tenant_id": agent.tenant_id,
                    "created_at": agent.created_at,
                    "sort_key": sort_key(agent.created_at, agent.id),
                    "deleted_at": None,
                    **_editable(agent),
                }
            )

    async def get_for_tenant(self, tenant_id: str, agent_id: str) -> Agent | None:
        with storage_errors("reading an agent"):
            doc = await self._agents.find_one(_live(tenant_id, _id=agent_id))
        return self._read.one(doc)

    async def get_by_dispatch_name(self, tenant_id: str, dispatch_name: str) -> Agent | None:
        with storage_errors("reading an agent"):
            doc = await self._agents.find_one(
                _live(tenant_id, dispatch_name=dispatch_name), sort=NEWEST_FIRST
            )
        return self._read.one(doc)

    async def list_for_tenant(self, tenant_id: str) -> list[Agent]:
        with storage_errors("listing agents"):
            cursor = self._agents.find(_live(tenant_id)).sort(NEWEST_FIRST)
            docs = [doc async for doc in cursor]
        return self._read.each(docs)

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[Agent]:
        with storage_errors("listing agents"):
            docs, following = await newest_first_page(self._agents, [_live(tenant_id)], page)
        return Page(self._read.each(docs), following)

    async def update(self, agent: Agent, fields: frozenset[str]) -> Agent | None:
        changed = {k: v for k, v in _editable(agent).items() if k in fields or k == "updated_at"}
        with storage_errors("updating an agent"):
            before = await self._agents.find_one_and_update(
                _live(agent.tenant_id, _id=agent.id), {"$set": changed}
            )
        return self._read.one(before)

    async def delete(self, tenant_id: str, agent_id: str, when: datetime) -> bool:
        with storage_errors("deleting an agent"):
            result = await self._agents.update_one(
                _live(tenant_id, _id=agent_id), {"$set": {"deleted_at": when}}
            )
        return result.matched_count == 1


def _live(tenant_id: str, **more: str) -> Document:
    return {**more, "tenant_id": tenant_id, "deleted_at": None}


def _editable(agent: Agent) -> Document:
    return {
        "name": agent.name,
        "dispatch_name": agent.dispatch_name,
        "default_metadata": dict(agent.default_metadata),
        "updated_at": agent.updated_at,
        "caller_permissions": {
            "can_publish_sources": list(agent.caller_permissions.can_publish_sources),
            "can_publish_data": agent.caller_permissions.can_publish_data,
        },
    }


def _to_agent(doc: Document) -> Agent:
    return Agent(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        name=doc["name"],
        dispatch_name=doc["dispatch_name"],
        created_at=stored_datetime(doc["created_at"]),
        default_metadata=doc.get("default_metadata") or {},
        updated_at=optional_datetime(doc.get("updated_at")),
        deleted_at=optional_datetime(doc.get("deleted_at")),
        caller_permissions=_caller_permissions(doc.get("caller_permissions")),
    )


def _caller_permissions(stored: Document | None) -> CallerPermissions:
    """Agents stored before the setting existed take the safe default (a microphone only)."""
    if not stored:
        return CallerPermissions()
    return CallerPermissions.of(stored["can_publish_sources"], bool(stored.get("can_publish_data")))
