"""The hot path's cost in MongoDB commands, counted by PyMongo's command monitoring."""

import uuid
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from pymongo import AsyncMongoClient

from adapters.mongo.store import MongoStore
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.runtime import running_container
from entrypoints.settings import Settings
from tests.support.command_counter import CommandCounter
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.integration


async def test_a_warm_token_request_costs_one_insert(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = Settings(
        mongodb_uri=mongo_uri,
        mongodb_database=f"trips_{uuid.uuid4().hex[:12]}",
        livekit=TEST_LIVEKIT,
    )
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        key = (await seeding.create_api_key()(tenant.id)).plaintext
        agent = await seeding.create_agent()(tenant.id, "Agent", None)
    counter = CommandCounter()
    container = build_container(settings)
    container.store.override(
        providers.Singleton(MongoStore, mongo_uri, settings.mongodb_database, listeners=[counter])
    )
    request = {"agent_id": agent.id}
    headers = {"Authorization": f"Bearer {key}"}

    async with AsyncTestClient(create_app(container)) as client:
        cold = await client.post("/v1/realtime/token", json=request, headers=headers)
        counter.names.clear()
        warm = [
            await client.post("/v1/realtime/token", json=request, headers=headers) for _ in range(5)
        ]

    await mongo_client.drop_database(settings.mongodb_database)
    assert cold.status_code == 200
    assert [response.status_code for response in warm] == [200] * 5
    assert counter.names[:5] == ["insert"] * 5
