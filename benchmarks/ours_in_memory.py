"""Diagnostic, not a target: ours with in-memory stores in place of MongoDB (under the same
read-through caches), holding the same keys and agents, to show what the app and the server
cost without the database."""

import os
from datetime import datetime
from pathlib import Path

from dependency_injector import providers
from litestar import Litestar

from adapters.clock import SystemClock
from benchmarks.seed import BENCH_ORIGIN
from domain.agent import Agent
from domain.api_key import ApiKey, hash_api_key
from domain.call import Call
from domain.publishable_key import PublishableKey
from entrypoints.access_log import access_flush_seconds_from_env
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging, log_format_from_env, log_level_from_env
from entrypoints.settings import Settings
from entrypoints.start_up_heap import freeze_start_up_objects
from tests.fakes.publishable_keys import InMemoryPublishableKeyRepository
from tests.fakes.repositories import InMemoryCallRepository
from tests.fakes.storage import FakeStorage

CREDENTIALS_ENV = "BENCH_CREDENTIALS"
PUBLISHABLE_CREDENTIALS_ENV = "BENCH_PUBLISHABLE_CREDENTIALS"  # optional
TENANT_ID = "bench-tenant"


class _ConstantTimeCalls(InMemoryCallRepository):
    """The test fake checks room names by scanning every stored call, which would make this
    diagnostic slow down as it runs; call ids (and so room names) are fresh UUIDs anyway."""

    async def add(self, call: Call) -> None:
        self.items[call.id] = call


def create_in_memory_app() -> Litestar:
    configure_logging(
        log_format_from_env(os.environ),
        level=log_level_from_env(os.environ),
        access_flush_seconds=access_flush_seconds_from_env(os.environ),
    )
    container = build_container(Settings.from_env(os.environ))
    storage = FakeStorage(calls=providers.Singleton(_ConstantTimeCalls))
    api_keys, agents = storage.api_keys(), storage.agents()
    now = SystemClock().now()
    for line in Path(os.environ[CREDENTIALS_ENV]).read_text().splitlines():
        plaintext, agent_id = line.split()
        key_hash = hash_api_key(plaintext)
        api_keys.items[key_hash] = ApiKey(key_hash, TENANT_ID, key_hash, "", now)
        agents.items[agent_id] = Agent(agent_id, TENANT_ID, "Bench agent", "bench-agent", now)
    _add_publishable_keys(storage.publishable_keys(), now)
    container.storage.override(storage)
    app = create_app(container)
    freeze_start_up_objects()  # as entrypoints.asgi.app_from_env does for the served app
    return app


def _add_publishable_keys(keys: InMemoryPublishableKeyRepository, now: datetime) -> None:
    """Publishable keys for the seeded origin, from "<rtpk_ key> <dispatch name>" lines."""
    path = os.environ.get(PUBLISHABLE_CREDENTIALS_ENV)
    for line in Path(path).read_text().splitlines() if path else []:
        key_hash = hash_api_key(line.split()[0])
        keys.items[key_hash] = PublishableKey(
            id=key_hash,
            tenant_id=TENANT_ID,
            key_hash=key_hash,
            hint="",
            origins=(BENCH_ORIGIN,),
            agents=(),
            allow_native=False,
            created_at=now,
        )
