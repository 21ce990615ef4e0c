"""A container wired to in-memory fakes of every port, with helpers to seed it."""

from dataclasses import dataclass, field
from typing import Any

from dependency_injector import providers

from adapters.livekit.settings import LiveKitSettings
from domain.agent import Agent
from entrypoints.container import Container, build_container
from entrypoints.settings import Settings
from tests.fakes.clock import FrozenClock
from tests.fakes.issuer import FakeTokenIssuer
from tests.fakes.storage import FakeStorage
from tests.fakes.webhooks import StaticResolver

TEST_LIVEKIT = LiveKitSettings(
    url="wss://livekit.example.test",
    api_key="APItestkey",
    api_secret="a-test-secret-that-is-long-enough-for-hs256",
)


@dataclass
class Seeded:
    tenant_id: str
    api_key: str
    api_key_id: str
    agent: Agent


@dataclass
class World:
    """`world.calls`, `world.agents`, …: the in-memory repositories of its storage group
    (behind the container's caches, as MongoDB is in production)."""

    container: Container
    clock: FrozenClock = field(default_factory=FrozenClock)
    storage: FakeStorage = field(default_factory=FakeStorage)
    resolver: StaticResolver = field(default_factory=StaticResolver)

    def __post_init__(self) -> None:
        self.container.storage.override(self.storage)
        self.container.clock.override(providers.Object(self.clock))
        self.container.resolver.override(providers.Object(self.resolver))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in FakeStorage.providers:
            raise AttributeError(name)
        return getattr(self.storage, name)()

    async def seed_tenant(self, name: str = "Acme") -> Seeded:
        tenant = await self.container.create_tenant()(name)
        minted = await self.container.create_api_key()(tenant.id)
        agent = await self.container.create_agent()(tenant.id, f"{name} support", None)
        return Seeded(tenant.id, minted.plaintext, minted.key.id, agent)


def fake_world(
    livekit: LiveKitSettings = TEST_LIVEKIT,
    ttl_seconds: int = 600,
    rate_limit: int = 600,
    max_queued_calls: int = 0,
    auth_failures: int = 1000,  # tests fail authentication on purpose, all from one client
    per_ip: int = 1000,
    max_queued_per_key: int = 0,
) -> World:
    settings = Settings(
        mongodb_uri="mongodb://unused.invalid",
        livekit=livekit,
        token_ttl_seconds=ttl_seconds,
        rate_limit_per_minute=rate_limit,
        max_queued_calls_per_tenant=max_queued_calls,
        auth_failures_per_minute=auth_failures,
        publishable_key_rate_limit_per_ip=per_ip,
        max_queued_calls_per_publishable_key=max_queued_per_key,
        webhook_poll_seconds=0,  # tests run the relay and the dispatcher themselves
    )
    return World(container=build_container(settings))


def with_fake_issuer(world: World, issuer: FakeTokenIssuer) -> World:
    world.container.token_issuer.override(providers.Object(issuer))
    return world
