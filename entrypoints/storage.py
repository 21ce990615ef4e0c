"""Where the service keeps what it stores: one group of providers, one repository per
collection, all on one MongoDB. The container holds it as `storage`; tests swap the whole
group for tests/fakes/storage.py's in-memory one. A new collection is one line here and one
there (a test holds the two groups to the same names)."""

from dependency_injector import containers, providers

from adapters.mongo.agents import MongoAgentRepository
from adapters.mongo.api_keys import MongoApiKeyRepository
from adapters.mongo.calls import MongoCallRepository
from adapters.mongo.dispatch_names import MongoDispatchNames
from adapters.mongo.idempotency import MongoIdempotencyStore
from adapters.mongo.monitoring import CommandTimer
from adapters.mongo.publishable_keys import MongoPublishableKeyRepository
from adapters.mongo.store import MongoStore
from adapters.mongo.tenants import MongoTenantRepository
from adapters.mongo.unreadable import UnreadableDocuments
from adapters.mongo.webhook_deliveries import MongoWebhookDeliveryRepository
from adapters.mongo.webhook_endpoints import MongoWebhookEndpointRepository
from adapters.mongo.webhook_events import MongoProcessedEvents
from entrypoints.metrics import Metrics
from entrypoints.settings import Settings


class MongoStorage(containers.DeclarativeContainer):
    """`db` alone may be overridden (the repository contract runs on a database of its own);
    the API keys, agents and publishable keys here are the stored ones, which the container
    puts behind its read-through caches."""

    settings = providers.Dependency(instance_of=Settings)
    metrics = providers.Dependency(instance_of=Metrics)

    # Documents this version cannot read: each repository reports them here, counted once.
    unreadable = providers.Singleton(
        UnreadableDocuments, metrics.provided.count_unreadable_document
    )
    store = providers.Singleton(
        MongoStore,
        uri=settings.provided.mongodb_uri,
        database=settings.provided.mongodb_database,
        timeout_ms=settings.provided.mongodb_timeout_ms,
        listeners=providers.List(
            providers.Singleton(CommandTimer, metrics.provided.observe_mongodb_command)
        ),
        unreadable=unreadable,
    )
    db = store.provided.db

    tenants = providers.Singleton(MongoTenantRepository, db, unreadable)
    api_keys = providers.Singleton(MongoApiKeyRepository, db, unreadable)
    agents = providers.Singleton(MongoAgentRepository, db, unreadable)
    publishable_keys = providers.Singleton(MongoPublishableKeyRepository, db, unreadable)
    calls = providers.Singleton(MongoCallRepository, db, unreadable)
    idempotency_store = providers.Singleton(MongoIdempotencyStore, db, unreadable)
    processed_events = providers.Singleton(MongoProcessedEvents, db)
    dispatch_names = providers.Singleton(MongoDispatchNames, db, unreadable)
    webhook_endpoints = providers.Singleton(MongoWebhookEndpointRepository, db, unreadable)
    webhook_deliveries = providers.Singleton(MongoWebhookDeliveryRepository, db, unreadable)
