"""Concurrent PATCHes of different fields of one agent, on MongoDB: none is lost."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from adapters.caching.repositories import CachedAgentRepository
from adapters.clock import SystemClock
from adapters.mongo.agents import MongoAgentRepository
from adapters.mongo.dispatch_names import MongoDispatchNames
from adapters.mongo.indexes import ensure_indexes
from application.agents import AgentChanges, GetAgent, UpdateAgent
from domain.agent import Agent

pytestmark = pytest.mark.integration
CLOCK = SystemClock()
TRIES = 20


def _replica(db: Any) -> UpdateAgent:
    cached = CachedAgentRepository(MongoAgentRepository(db), CLOCK, timedelta(seconds=5), 100)
    return UpdateAgent(cached, MongoDispatchNames(db), CLOCK)


async def test_a_rename_and_a_metadata_change_at_the_same_time_both_stick(mongo_db: Any) -> None:
    await ensure_indexes(mongo_db)
    stored = MongoAgentRepository(mongo_db)
    agent = Agent.create("t", "Front desk", "desk", CLOCK.now(), {"try": -1})
    assert await MongoDispatchNames(mongo_db).claim(agent.dispatch_name, "t", CLOCK.now())
    await stored.add(agent)
    replica_a, replica_b = _replica(mongo_db), _replica(mongo_db)

    for attempt in range(TRIES):
        await asyncio.gather(
            replica_a("t", agent.id, AgentChanges(name=f"Desk {attempt}")),
            replica_b("t", agent.id, AgentChanges(default_metadata={"try": attempt})),
        )
        now = await GetAgent(stored)("t", agent.id)
        assert (now.name, now.default_metadata) == (f"Desk {attempt}", {"try": attempt})


async def test_a_dispatch_name_change_survives_a_concurrent_rename(mongo_db: Any) -> None:
    await ensure_indexes(mongo_db)
    stored = MongoAgentRepository(mongo_db)
    agent = Agent.create("t", "Front desk", "desk", CLOCK.now())
    assert await MongoDispatchNames(mongo_db).claim(agent.dispatch_name, "t", CLOCK.now())
    await stored.add(agent)
    replica_a, replica_b = _replica(mongo_db), _replica(mongo_db)

    for attempt in range(TRIES):
        await asyncio.gather(
            replica_a("t", agent.id, AgentChanges(dispatch_name=f"desk-{attempt}")),
            replica_b("t", agent.id, AgentChanges(name=f"Desk {attempt}")),
        )
        now = await GetAgent(stored)("t", agent.id)
        assert (now.name, now.dispatch_name) == (f"Desk {attempt}", f"desk-{attempt}")
