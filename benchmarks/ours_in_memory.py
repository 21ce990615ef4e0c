"""Diagnostic, not a target: ours with in-memory repositories in place of MongoDB, holding the
same keys and agents, to show what the app and the server cost without the database."""

import os
from pathlib import Path

from dependency_injector import providers
from litestar import Litestar

from adapters.clock import SystemClock
from adapters.memory.repositories import (
    InMemoryAgentRepository,
    InMemoryApiKeyRepository,
    InMemoryCallRepository,
)
from adapters.memory.store import InMemoryStore
from domain.agent import Agent
from domain.tenant import ApiKey, hash_api_key
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

CREDENTIALS_ENV = "BENCH_CREDENTIALS"
TENANT_ID = "bench-tenant"


def create_in_memory_app() -> Litestar:
    container = build_container(Settings.from_env(os.environ))
    api_keys, agents = InMemoryApiKeyRepository(), InMemoryAgentRepository()
    now = SystemClock().now()
    for line in Path(os.environ[CREDENTIALS_ENV]).read_text().splitlines():
        plaintext, agent_id = line.split()
        key_hash = hash_api_key(plaintext)
        api_keys.items[key_hash] = ApiKey(key_hash, TENANT_ID, key_hash, "", now)
        agents.items[agent_id] = Agent(agent_id, TENANT_ID, "Bench agent", "bench-agent", now)
    container.store.override(providers.Object(InMemoryStore()))
    container.api_keys.override(providers.Object(api_keys))
    container.agents.override(providers.Object(agents))
    container.calls.override(providers.Object(InMemoryCallRepository()))
    return create_app(container)
