import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import pytest
from dependency_injector import containers, providers
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import create_client
from adapters.mongo.indexes import ensure_indexes
from adapters.mongo.unreadable import UnreadableDocuments
from entrypoints.storage import MongoStorage
from tests.fakes.storage import FakeStorage
from tests.support.mongo import mongo_server

pytestmark = pytest.mark.integration


class Repositories:
    """One storage group's repositories, built: `repositories.agents` is its agents'. The
    group lists them, so a new repository joins the contract without a line here."""

    def __init__(self, storage: containers.DeclarativeContainer) -> None:
        self._storage = storage

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._storage, name)()


def _memory() -> Repositories:
    return Repositories(FakeStorage())


def _mongo(db: Any) -> Repositories:
    return Repositories(
        MongoStorage(db=providers.Object(db), unreadable=providers.Object(UnreadableDocuments()))
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


@pytest.fixture(scope="module")
def own_mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A MongoDB of the test module's own, for documents that must reach no other test's
    service (nx-27017 shares collections across database names): foreign ones on purpose."""
    with mongo_server(tmp_path_factory.mktemp("own-mongo")) as (uri, _kind):
        yield uri


@pytest.fixture
async def own_db(own_mongo_uri: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = create_client(own_mongo_uri)
    name = f"own_{uuid.uuid4().hex[:12]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()
