from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.dates import stored_datetime
from adapters.mongo.errors import storage_errors
from domain.agent import Agent


class MongoAgentRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._agents = db["agents"]

    async def add(self, agent: Agent) -> None:
        with storage_errors("storing an agent"):
            await self._agents.insert_one(
                {
                    "_id": agent.id,
                    "tenant_id": agent.tenant_id,
                    "name": agent.name,
                    "dispatch_name": agent.dispatch_name,
                    "created_at": agent.created_at,
                }
            )

    async def get_for_tenant(self, tenant_id: str, agent_id: str) -> Agent | None:
        with storage_errors("reading an agent"):
            doc = await self._agents.find_one({"_id": agent_id, "tenant_id": tenant_id})
        return None if doc is None else _to_agent(doc)

    async def list_for_tenant(self, tenant_id: str) -> list[Agent]:
        with storage_errors("listing agents"):
            cursor = self._agents.find({"tenant_id": tenant_id}).sort(
                [("created_at", DESCENDING), ("_id", DESCENDING)]
            )
            return [_to_agent(doc) async for doc in cursor]


def _to_agent(doc: Document) -> Agent:
    return Agent(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        name=doc["name"],
        dispatch_name=doc["dispatch_name"],
        created_at=stored_datetime(doc["created_at"]),
    )
