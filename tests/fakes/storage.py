"""The in-memory storage group: replaces entrypoints/storage.py's MongoStorage as a whole
(`container.storage.override(FakeStorage())`), one fake per repository."""

from dependency_injector import containers, providers

from tests.fakes.dispatch_names import InMemoryDispatchNames
from tests.fakes.idempotency import InMemoryIdempotencyStore
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
)


class FakeStorage(containers.DeclarativeContainer):
    store = providers.Singleton(InMemoryStore)
    tenants = providers.Singleton(InMemoryTenantRepository)
    api_keys = providers.Singleton(InMemoryApiKeyRepository)
    agents = providers.Singleton(InMemoryAgentRepository)
    publishable_keys = providers.Singleton(InMemoryPublishableKeyRepository)
    calls = providers.Singleton(InMemoryCallRepository)
    idempotency_store = providers.Singleton(InMemoryIdempotencyStore)
    processed_events = providers.Singleton(InMemoryProcessedEvents)
    dispatch_names = providers.Singleton(InMemoryDispatchNames, agents)
    webhook_endpoints = providers.Singleton(InMemoryWebhookEndpointRepository)
    webhook_deliveries = providers.Singleton(InMemoryWebhookDeliveryRepository)
