"""A real MongoDB that goes away and comes back: readiness follows, requests get a bounded
503 with no token meanwhile, and the service recovers without a restart."""

import asyncio
import time
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.embedded_mongo import EmbeddedMongo
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.runtime import running_container
from entrypoints.settings import Settings
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.integration
RECOVERY_BOUND_SECONDS = 10


async def test_an_outage_is_503_with_retry_after_and_readiness_fails(tmp_path: Path) -> None:
    embedded = EmbeddedMongo(tmp_path / "mongo").start()
    restarted = EmbeddedMongo(tmp_path / "mongo", port=embedded.port)
    settings = Settings(mongodb_uri=embedded.uri, mongodb_timeout_ms=300, livekit=TEST_LIVEKIT)
    try:
        async with running_container(settings) as seeding:
            tenant = await seeding.create_tenant()("Acme")
            key = (await seeding.create_api_key()(tenant.id)).plaintext
            agent = await seeding.create_agent()(tenant.id, "Agent", None)
        async with AsyncTestClient(create_app(build_container(settings))) as client:
            headers = {"Authorization": f"Bearer {key}"}
            body = {"agent_id": agent.id}
            assert (await client.post("/v1/realtime/token", json=body, headers=headers)).is_success

            embedded.stop()

            ready = await client.get("/readyz")
            response = await client.post("/v1/realtime/token", json=body, headers=headers)

            restarted.start()  # the same address, as a failed-over replica set would keep
            # The driver re-checks a lost server at most every 500 ms (minHeartbeatFrequencyMS),
            # so the first requests after the restart may still fail fast; then it recovers.
            deadline = time.monotonic() + RECOVERY_BOUND_SECONDS
            while True:
                recovered = await client.post("/v1/realtime/token", json=body, headers=headers)
                if recovered.status_code != 503 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)
            ready_again = await client.get("/readyz")
    finally:
        embedded.stop()
        restarted.stop()

    assert ready.status_code == 503
    assert ready.json()["checks"]["mongodb"] == "MongoDB did not answer a ping"
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    problem = response.json()
    assert problem["code"] == "storage_unavailable"
    assert "client_token" not in problem
    assert "127.0.0.1" not in response.text
    assert "pymongo" not in response.text.lower()
    assert recovered.status_code == 200, "the service recovers without a restart"
    assert ready_again.status_code == 200
