import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import create_client
from tests.support.mongo import mongo_server

# Property tests check what the code decides, not how fast Hypothesis builds recursive JSON:
# on a busy 2-core CI machine, generation alone can trip `too_slow`, and any deadline is
# timing. CI (a clean clone, no example database) also runs a fixed, repeatable sequence.
settings.register_profile(
    "default",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with mongo_server(tmp_path_factory.mktemp("mongo")) as (uri, _kind):
        yield uri


@pytest.fixture(scope="session")
async def mongo_client(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client = create_client(mongo_uri)
    yield client
    await client.close()


@pytest.fixture
async def mongo_db(
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """A fresh database per test, dropped afterwards. On the embedded nx-27017, database names
    do not separate anything (one set of collections serves them all, and a drop empties
    them): tests there must not rely on other tests' data being absent, nor keep their own."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield mongo_client[name]
    await mongo_client.drop_database(name)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    return tmp_path
