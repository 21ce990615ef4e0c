"""Many identical retries at once, over real HTTP, against a live server and MongoDB."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from pymongo.database import Database

from tests.e2e.conftest import Tenant
from tests.support.live import LiveServer

pytestmark = pytest.mark.e2e
CONCURRENT = 24


def test_concurrent_identical_requests_store_exactly_one_call(
    server: LiveServer, acme: Tenant, db: Database[dict[str, Any]]
) -> None:
    key = f"load-{uuid.uuid4()}"
    metadata = {"idempotency_probe": key}

    async def fire() -> list[httpx.Response]:
        headers = {"Authorization": f"Bearer {acme.api_key}", "Idempotency-Key": key}
        body = {"agent_id": acme.agent_id, "metadata": metadata}
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
            return await asyncio.gather(
                *(
                    client.post("/v1/realtime/token", json=body, headers=headers)
                    for _ in range(CONCURRENT)
                )
            )

    responses = asyncio.run(fire())

    statuses = sorted({r.status_code for r in responses})
    assert set(statuses) <= {200, 409}, statuses
    succeeded = [r.json() for r in responses if r.status_code == 200]
    assert succeeded
    assert len({s["call_id"] for s in succeeded}) == 1
    assert db.calls.count_documents({"metadata.idempotency_probe": key}) == 1
    in_flight = [r for r in responses if r.status_code == 409]
    assert all(r.json()["code"] == "idempotency_key_in_flight" for r in in_flight)

    after = httpx.post(
        f"{server.base_url}/v1/realtime/token",
        json={"agent_id": acme.agent_id, "metadata": metadata},
        headers={"Authorization": f"Bearer {acme.api_key}", "Idempotency-Key": key},
    )
    assert after.status_code == 200
    assert after.json()["call_id"] == succeeded[0]["call_id"]
    assert db.calls.count_documents({"metadata.idempotency_probe": key}) == 1
