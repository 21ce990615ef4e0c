"""A service on a real MongoDB holding two of every record, for tests that spoil the second
(tests/integration/test_unreadable_*.py)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import httpx
from dependency_injector import providers
from pymongo.asynchronous.database import AsyncDatabase

from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.support.http import bearer
from tests.support.world import TEST_LIVEKIT

SITE = "https://app.example"
HOOK = "http://127.0.0.1:9/hook"  # never sent to: tests attempt only the unreadable one


@dataclass
class Seeded:
    tenant_id: str
    key: str
    ids: dict[str, tuple[str, str]]  # collection -> (readable one's _id, the other's)
    secret_key: str  # the victim api key's and publishable key's plaintexts
    publishable: str
    victim_event: str


def service_container(uri: str, database: str, clock: Any = None) -> Container:
    container = build_container(
        Settings(
            mongodb_uri=uri,
            mongodb_database=database,
            livekit=TEST_LIVEKIT,
            sweep_interval_seconds=0,
            webhook_poll_seconds=0,
            webhook_allow_private_targets=True,
        )
    )
    if clock is not None:
        container.clock.override(providers.Object(clock))
    return container


@asynccontextmanager
async def serving(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """The app on this test's event loop (its MongoDB client is bound to it), started and
    stopped as a server would (its lifespan: indexes, the dispatch-name registry)."""
    app = create_app(container)
    transport = httpx.ASGITransport(app=cast(Any, app))
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def seed_two_of_everything(uri: str, db: AsyncDatabase[dict[str, Any]]) -> Seeded:
    """Two of everything, through the service itself: the second is made unreadable."""
    container = service_container(uri, db.name)
    async with serving(container) as client:
        tenant = await container.create_tenant()("Acme")
        keys = [await container.create_api_key()(tenant.id) for _ in range(2)]
        agents = [await container.create_agent()(tenant.id, f"Agent {n}", None) for n in "ab"]
        publishable = [
            await container.create_publishable_key()(
                tenant.id, [SITE], agents=[agents[0].dispatch_name]
            )
            for _ in range(2)
        ]
        endpoints = [await container.create_webhook_endpoint()(tenant.id, HOOK) for _ in "ab"]
        first = await token_for(client, keys[0].plaintext, agents[0].id)
        await container.announce_call_events()()  # the first call's deliveries, one each
        second = await token_for(client, keys[0].plaintext, agents[0].id)  # left to relay
    deliveries = {d["endpoint_id"]: d async for d in db["webhook_deliveries"].find({})}
    return Seeded(
        tenant_id=tenant.id,
        key=keys[0].plaintext,
        ids={
            "agents": (agents[0].id, agents[1].id),
            "api_keys": (keys[0].key.id, keys[1].key.id),
            "publishable_keys": (publishable[0].key.id, publishable[1].key.id),
            "webhook_endpoints": (endpoints[0].id, endpoints[1].id),
            "calls": (first, second),
            "webhook_deliveries": (
                deliveries[endpoints[0].id]["_id"],
                deliveries[endpoints[1].id]["_id"],
            ),
        },
        secret_key=keys[1].plaintext,
        publishable=publishable[1].plaintext,
        victim_event=deliveries[endpoints[1].id]["event_id"],
    )


async def token_for(client: httpx.AsyncClient, key: str, agent_id: str) -> str:
    issued = await client.post(
        "/v1/realtime/token", json={"agent_id": agent_id}, headers=bearer(key)
    )
    assert issued.status_code == 200, issued.text
    call_id: str = issued.json()["call_id"]
    return call_id
