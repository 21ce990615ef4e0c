"""At start-up the dispatch-name registry is completed from the agents themselves: names of
agents from before the registry, or left out of a restore, cannot be taken by another tenant."""

import logging
from datetime import timedelta
from typing import Any

import pytest

from adapters.clock import SystemClock
from adapters.mongo.agents import MongoAgentRepository
from adapters.mongo.dispatch_name_registry import complete_dispatch_name_registry
from adapters.mongo.dispatch_names import MongoDispatchNames
from adapters.mongo.store import MongoStore
from domain.agent import DISPATCH_NAME_REUSE_DELAY, Agent

pytestmark = pytest.mark.integration
NOW = SystemClock().now()


async def _agents_without_registry(mongo_db: Any) -> None:
    agents = MongoAgentRepository(mongo_db)
    long_ago = NOW - 2 * DISPATCH_NAME_REUSE_DELAY
    for tenant, dispatch_name, deleted_at in (
        ("b", "support", None),
        ("a", "sales", None),
        ("c", "recent", NOW),
        ("d", "old", long_ago),
    ):
        agent = Agent.create(tenant, dispatch_name.title(), dispatch_name, NOW)
        await agents.add(agent)
        if deleted_at is not None:
            await agents.delete(tenant, agent.id, deleted_at)


async def _registry(mongo_db: Any) -> dict[str, tuple[str, Any]]:
    rows = mongo_db["dispatch_names"].find({})
    return {row["_id"]: (row["tenant_id"], row.get("released_at")) async for row in rows}


async def test_start_up_registers_every_name_agents_use_and_is_idempotent(
    mongo_uri: str, mongo_db: Any
) -> None:
    await _agents_without_registry(mongo_db)
    # Held since before names were released: no agent of its tenant uses it.
    await mongo_db["dispatch_names"].insert_one({"_id": "hoarded", "tenant_id": "a"})
    store = MongoStore(mongo_uri, mongo_db.name)
    try:
        await store.start()
        first = await _registry(mongo_db)
        await store.start()
        second = await _registry(mongo_db)
    finally:
        await store.close()
    names = MongoDispatchNames(mongo_db)

    assert first == second
    assert first["support"] == ("b", None)
    assert first["sales"] == ("a", None)
    assert first["recent"][0] == "c"
    assert first["recent"][1] is not None, "a recently deleted agent's name is released, not free"
    assert not await names.claim("recent", "a", NOW + timedelta(hours=1))
    assert await names.claim("old", "a", NOW)
    assert first["hoarded"][0] == "a"
    assert first["hoarded"][1] is not None, "a name no live agent of its tenant uses is released"
    assert await names.claim("hoarded", "b", SystemClock().now() + DISPATCH_NAME_REUSE_DELAY)


async def test_start_up_reports_names_that_several_tenants_dispatch_to(
    mongo_db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    agents = MongoAgentRepository(mongo_db)
    await agents.add(Agent.create("a", "Mine", "shared", NOW))
    await agents.add(Agent.create("b", "Theirs", "shared", NOW))
    await agents.add(Agent.create("b", "Fine", "fine", NOW))

    with caplog.at_level(logging.WARNING):
        conflicts = await complete_dispatch_name_registry(mongo_db, NOW)

    assert conflicts == ["shared"]
    assert "shared" in caplog.text
    assert (await _registry(mongo_db))["fine"] == ("b", None)
