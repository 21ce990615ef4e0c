"""A PATCH writes only the fields it sends, onto the store's current state."""

from datetime import timedelta

from adapters.caching.repositories import CachedAgentRepository
from application.agents import AgentChanges, GetAgent, UpdateAgent
from domain.agent import Agent
from tests.fakes.clock import FrozenClock
from tests.fakes.dispatch_names import InMemoryDispatchNames
from tests.fakes.repositories import InMemoryAgentRepository

CLOCK = FrozenClock()


class Replica:
    """One serve process: its own read-through cache over the shared store."""

    def __init__(self, stored: InMemoryAgentRepository, names: InMemoryDispatchNames) -> None:
        cached = CachedAgentRepository(stored, CLOCK, timedelta(seconds=5), 100)
        self.update = UpdateAgent(cached, names, CLOCK)
        self.read = GetAgent(cached)  # as a token request does, filling the cache


async def _stored_agent(stored: InMemoryAgentRepository, names: InMemoryDispatchNames) -> Agent:
    agent = Agent.create("t", "Front desk", "desk", CLOCK.now(), {"lang": "en"})
    assert await names.claim(agent.dispatch_name, "t", CLOCK.now())
    await stored.add(agent)
    return agent


async def test_a_name_only_patch_on_another_replica_keeps_a_new_dispatch_name() -> None:
    stored = InMemoryAgentRepository()
    names = InMemoryDispatchNames(stored)
    agent = await _stored_agent(stored, names)
    replica_a, replica_b = Replica(stored, names), Replica(stored, names)
    await replica_a.read(agent.tenant_id, agent.id)

    await replica_b.update(agent.tenant_id, agent.id, AgentChanges(dispatch_name="desk-v2"))
    answered = await replica_a.update(agent.tenant_id, agent.id, AgentChanges(name="Reception"))

    now = await GetAgent(stored)(agent.tenant_id, agent.id)
    assert (now.name, now.dispatch_name, now.default_metadata) == (
        "Reception",
        "desk-v2",
        {"lang": "en"},
    )
    assert answered == now


async def test_metadata_and_name_patches_from_two_replicas_both_stick() -> None:
    stored = InMemoryAgentRepository()
    names = InMemoryDispatchNames(stored)
    agent = await _stored_agent(stored, names)
    replica_a, replica_b = Replica(stored, names), Replica(stored, names)
    await replica_a.read(agent.tenant_id, agent.id)
    await replica_b.read(agent.tenant_id, agent.id)

    await replica_a.update(agent.tenant_id, agent.id, AgentChanges(name="Reception"))
    await replica_b.update(agent.tenant_id, agent.id, AgentChanges(default_metadata={"lang": "fr"}))

    now = await GetAgent(stored)(agent.tenant_id, agent.id)
    assert (now.name, now.default_metadata) == ("Reception", {"lang": "fr"})
