import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from pymongo.database import Database

from tests.support.live import LiveServer, base_env, cli_json
from tests.support.mongo import mongo_server
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.e2e
CACHE_TTL_SECONDS = 1.0


@dataclass(frozen=True)
class Tenant:
    id: str
    api_key: str
    api_key_id: str
    agent_id: str
    dispatch_name: str


@pytest.fixture(scope="package")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A MongoDB of the e2e package's own, stopped with its live servers when the package ends.
    On the embedded nx-27017 every database name shares one set of collections, so a live
    server still running later (its webhook relay, its sweeper) would work on other tests'
    documents."""
    with mongo_server(tmp_path_factory.mktemp("e2e-mongo")) as (uri, _kind):
        yield uri


@pytest.fixture(scope="package")
def database_name() -> str:
    return f"e2e_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="package")
def env(
    mongo_uri: str, database_name: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    return base_env(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=database_name,
        LIVEKIT_URL=TEST_LIVEKIT.url,
        LIVEKIT_API_KEY=TEST_LIVEKIT.api_key,
        LIVEKIT_API_SECRET=TEST_LIVEKIT.api_secret,
        TOKEN_TTL_SECONDS="300",
        CACHE_TTL_SECONDS=str(CACHE_TTL_SECONDS),
        RATE_LIMIT_PER_MINUTE="100000",
        AUTH_FAILURES_PER_MINUTE="100000",  # the suite fails auth on purpose, from one address
        SWEEP_INTERVAL_SECONDS="0.5",
        REALTIME_TOKENS_HOME=str(tmp_path_factory.mktemp("home")),
    )


@pytest.fixture(scope="package")
def db(mongo_uri: str, database_name: str) -> Iterator[Database[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri, tz_aware=True)
    yield client[database_name]
    client.drop_database(database_name)
    client.close()


@pytest.fixture(scope="package")
def server(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(env, tmp_path_factory.mktemp("logs") / "server.log").start()
    yield live
    live.stop()


@pytest.fixture(scope="package")
def unconfigured_server(
    env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    bare = {k: v for k, v in env.items() if not k.startswith("LIVEKIT_")}
    live = LiveServer(bare, tmp_path_factory.mktemp("logs") / "bare.log").start()
    yield live
    live.stop()


def _tenant(env: dict[str, str], name: str) -> Tenant:
    tenant = cli_json(env, "tenants", "create", name)
    key = cli_json(env, "api-keys", "create", tenant["id"])
    dispatch = f"{name.lower()}-agent"
    agent = cli_json(
        env, "agents", "create", tenant["id"], f"{name} agent", "--dispatch-name", dispatch
    )
    return Tenant(tenant["id"], key["key"], key["id"], agent["id"], dispatch)


@pytest.fixture(scope="package")
def acme(env: dict[str, str], server: LiveServer) -> Tenant:
    return _tenant(env, "Acme")


@pytest.fixture(scope="package")
def globex(env: dict[str, str], server: LiveServer) -> Tenant:
    return _tenant(env, "Globex")


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client
