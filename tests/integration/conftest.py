import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import AsyncMongoClient

from adapters.mongo.agents import MongoAgentRepository
from adapters.mongo.api_keys import MongoApiKeyRepository
from adapters.mongo.calls import MongoCallRepository
from adapters.mongo.client import create_client
from adapters.mongo.idempotency import MongoIdempotencyStore
from adapters.mongo.indexes import ensure_indexes
from adapters.mongo.publishable_keys import MongoPublishableKeyRepository
from adapters.mongo.tenants import MongoTenantRepository
from adapters.mongo.webhook_deliveries import MongoWebhookDeliveryRepository
from adapters.mongo.webhook_endpoints import MongoWebhookEndpointRepository
from adapters.mongo.webhook_events import MongoProcessedEvents
from domain.ports import (
    AgentRepository,
    ApiKeyRepository,
    CallRepository,
    IdempotencyStore,
    ProcessedEvents,
    PublishableKeyRepository,
    TenantRepository,
    WebhookDeliveryRepository,
    WebhookEndpointRepository,
)
from tests.fakes.idempotency import InMemoryIdempotencyStore
from tests.fakes.publishable_keys import InMemoryPublishableKeyRepository
from tests.fakes.repositories import (
    InMemoryAgentRepository,
    InMemoryApiKeyRepository,
    InMemoryCallRepository,
    InMemoryTenantRepository,
)
from tests.fakes.webhook_events import InMemoryProcessedEvents
from tests.fakes.webhooks import (
    InMemoryWebhookDeliveryRepository,
    InMemoryWebhookEndpointRepository,
)

pytestmark = pytest.mark.integration


@dataclass
class Repositories:
    tenants: TenantRepository
    api_keys: ApiKeyRepository
    agents: AgentRepository
    calls: CallRepository
    idempotency: IdempotencyStore
    processed_events: ProcessedEvents
    publishable_keys: PublishableKeyRepository
    webhook_endpoints: WebhookEndpointRepository
    webhook_deliveries: WebhookDeliveryRepository


def _memory() -> Repositories:
    return Repositories(
        InMemoryTenantRepository(),
        InMemoryApiKeyRepository(),
        InMemoryAgentRepository(),
        InMemoryCallRepository(),
        InMemoryIdempotencyStore(),
        InMemoryProcessedEvents(),
        InMemoryPublishableKeyRepository(),
        InMemoryWebhookEndpointRepository(),
        InMemoryWebhookDeliveryRepository(),
    )


def _mongo(db: Any) -> Repositories:
    return Repositories(
        MongoTenantRepository(db),
        MongoApiKeyRepository(db),
        MongoAgentRepository(db),
        MongoCallRepository(db),
        MongoIdempotencyStore(db),
        MongoProcessedEvents(db),
        MongoPublishableKeyRepository(db),
        MongoWebhookEndpointRepository(db),
        MongoWebhookDeliveryRepository(db),
    )


@pytest.fixture(params=["memory", "pymongo", "motor"])
async def repositories(
    request: pytest.FixtureRequest,
    mongo_uri: str,
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> AsyncIterator[Repositories]:
    """The same contract, run against the fakes and against MongoDB through both drivers."""
    if request.param == "memory":
        yield _memory()
        return
    name = f"contract_{uuid.uuid4().hex[:12]}"
    if request.param == "pymongo":
        # A client of its own, as Motor's below: nothing another test left on a pooled
        # connection (nx-27017 keeps a SQLite connection per socket) reaches this one.
        client = create_client(mongo_uri)
        db: Any = client[name]
        await ensure_indexes(db)
        yield _mongo(db)
        await client.close()
    else:
        motor: Any = AsyncIOMotorClient(mongo_uri, tz_aware=True)
        db = motor[name]
        await ensure_indexes(cast(Any, db))
        yield _mongo(db)
        motor.close()
    await mongo_client.drop_database(name)
