"""A container wired to in-memory fakes of every port, with helpers to seed it."""

from dataclasses import dataclass, field

from dependency_injector import providers

from adapters.livekit.settings import LiveKitSettings
from domain.agent import Agent
from entrypoints.container import Container, build_container
from entrypoints.settings import Settings
from tests.fakes.clock import FrozenClock
from tests.fakes.dispatch_names import InMemoryDispatchNames
from tests.fakes.idempotency import InMemoryIdempotencyStore
from tests.fakes.issuer import FakeTokenIssuer
from tests.fakes.publishable_keys import InMemoryPublishableKeyRepository
from tests.fakes.repositories import (
    InMemoryAgentRepository,
    InMemoryApiKeyRepository,
    InMemoryCallRepository,
    InMemoryTenantRepository,
)
from tests.fakes.store import InMemoryStore
from tests.fakes.webhook_events import InMemoryProcessedEvents
from tests.fakes.webhooks import (
    InMemoryWebhookDeliveryRepository,
    InMemoryWebhookEndpointRepository,
    StaticResolver,
)

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
    container: Container
    clock: FrozenClock = field(default_factory=FrozenClock)
    store: InMemoryStore = field(default_factory=InMemoryStore)
    tenants: InMemoryTenantRepository = field(default_factory=InMemoryTenantRepository)
    api_keys: InMemoryApiKeyRepository = field(default_factory=InMemoryApiKeyRepository)
    agents: InMemoryAgentRepository = field(default_factory=InMemoryAgentRepository)
    calls: InMemoryCallRepository = field(default_factory=InMemoryCallRepository)
    idempotency_store: InMemoryIdempotencyStore = field(default_factory=InMemoryIdempotencyStore)
    processed_events: InMemoryProcessedEvents = field(default_factory=InMemoryProcessedEvents)
    dispatch_names: InMemoryDispatchNames = field(init=False)
    publishable_keys: InMemoryPublishableKeyRepository = field(
        default_factory=InMemoryPublishableKeyRepository
    )
    webhook_endpoints: InMemoryWebhookEndpointRepository = field(
        default_factory=InMemoryWebhookEndpointRepository
    )
    webhook_deliveries: InMemoryWebhookDeliveryRepository = field(
        default_factory=InMemoryWebhookDeliveryRepository
    )
    resolver: StaticResolver = field(default_factory=StaticResolver)

    def __post_init__(self) -> None:
        self.dispatch_names = InMemoryDispatchNames(self.agents)
        for name in (
            "clock",
            "store",
            "tenants",
            "calls",
            "idempotency_store",
            "processed_events",
            "dispatch_names",
            "webhook_endpoints",
            "webhook_deliveries",
            "resolver",
        ):
            getattr(self.container, name).override(providers.Object(getattr(self, name)))
        # The fakes stand behind the real read-through caches, as MongoDB does in production.
        self.container.stored_api_keys.override(providers.Object(self.api_keys))
        self.container.stored_agents.override(providers.Object(self.agents))
        self.container.stored_publishable_keys.override(providers.Object(self.publishable_keys))

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
