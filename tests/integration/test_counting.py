"""`count_matching` (the `count` command) answers what `count_documents` (an aggregation)
answers, through both drivers; it exists because nx-27017 evaluates the aggregation one
document at a time in Python and pushes `count` down to SQLite."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import AsyncMongoClient

from adapters.mongo.client import create_client
from adapters.mongo.counting import count_matching

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
QUERIES: list[dict[str, Any]] = [
    {},
    {"tenant_id": "t1"},
    {"tenant_id": "t1", "status": "queued", "expires_at": {"$gt": NOW}},
    {"tenant_id": "t1", "created_by.key_id": "k2", "status": "queued"},
    {"status": {"$in": ["queued", "ended"]}, "expires_at": {"$lte": NOW}},
    {"tenant_id": "nobody"},
]


def _documents() -> list[dict[str, Any]]:
    return [
        {
            "_id": f"c{n}",
            "tenant_id": f"t{n % 2}",
            "status": ("queued", "ended", "expired")[n % 3],
            "expires_at": NOW + timedelta(seconds=n - 20),
            "created_by": {"key_id": f"k{n % 4}", "kind": "secret"},
        }
        for n in range(40)
    ]


@pytest.fixture(params=["pymongo", "motor"])
async def collection(request: pytest.FixtureRequest, mongo_uri: str) -> Any:
    name = f"counting_{uuid.uuid4().hex[:12]}"
    client: Any = (
        create_client(mongo_uri)
        if request.param == "pymongo"
        else AsyncIOMotorClient(mongo_uri, tz_aware=True)
    )
    coll = client["counting"][name]
    await coll.insert_many(_documents())
    yield coll
    await coll.drop()
    if isinstance(client, AsyncMongoClient):
        await client.close()
    else:
        client.close()


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("limit", [0, 1, 5, 100])
async def test_the_count_command_counts_what_count_documents_counts(
    collection: Any, query: dict[str, Any], limit: int
) -> None:
    expected = await collection.count_documents(query, **({"limit": limit} if limit else {}))
    assert await count_matching(collection, query, limit) == expected


async def test_a_count_is_of_the_query_not_of_the_collection(collection: Any) -> None:
    assert await count_matching(collection, {"tenant_id": "t1", "status": "queued"}) == 7
    assert await count_matching(collection, {}) == 40
