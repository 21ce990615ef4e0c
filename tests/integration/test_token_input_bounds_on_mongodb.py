"""What reached MongoDB as a 500 is a 400 before it (issue 20, items 4 and 5), and the largest
call a publishable key may store is bounded (item 10): on a real MongoDB, whose BSON refuses
a NUL in a key."""

import uuid
from typing import Any

import bson
import pytest
from litestar.testing import AsyncTestClient
from pymongo import AsyncMongoClient

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.runtime import running_container
from entrypoints.settings import Settings
from tests.support.http import assert_problem, bearer
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.integration
SITE = "https://shop.example.com"
FOUR_BYTES = "\U0001f600"


async def test_bad_participant_input_is_400_and_the_largest_call_is_bounded(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = Settings(
        mongodb_uri=mongo_uri,
        mongodb_database=f"bounds_{uuid.uuid4().hex[:12]}",
        livekit=TEST_LIVEKIT,
        sweep_interval_seconds=0,
        webhook_poll_seconds=0,
    )
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        agent = await seeding.create_agent()(tenant.id, "Front desk", "front-desk")
        key = await seeding.create_publishable_key()(tenant.id, [SITE])
    headers = {**bearer(key.plaintext), "origin": SITE}

    def asking(**more: Any) -> dict[str, Any]:
        dispatch: dict[str, Any] = {"agent_name": agent.dispatch_name}
        if "metadata" in more:
            dispatch["metadata"] = more.pop("metadata")
        return {"room_config": {"agents": [dispatch]}, **more}

    largest_metadata = '{"blob": "' + FOUR_BYTES * (16 * 1024 // 4 - 4) + '"}'
    async with AsyncTestClient(create_app(build_container(settings))) as client:
        nul_key = await client.post(
            "/v1/livekit/token",
            json=asking(participant_attributes={"a\x00b": "x"}),
            headers=headers,
        )
        nan = await client.post(
            "/v1/livekit/token", json=asking(metadata='{"score": NaN}'), headers=headers
        )
        largest = await client.post(
            "/v1/livekit/token",
            json=asking(
                metadata=largest_metadata,
                participant_name=FOUR_BYTES * 200,
                participant_metadata="m" * 4096,
                participant_attributes={f"{n:02d}": FOUR_BYTES * 128 for n in range(6)},
            ),
            headers=headers,
        )
    stored = await mongo_client[settings.mongodb_database]["calls"].find_one(
        {"tenant_id": tenant.id}
    )
    await mongo_client.drop_database(settings.mongodb_database)

    assert_problem(nul_key, 400, "invalid_request")
    assert_problem(nan, 400, "invalid_request")
    assert largest.status_code == 201, largest.text
    assert stored is not None
    assert stored["_id"] == largest.json()["call_id"]
    assert len(bson.encode(stored)) < 26 * 1024  # 16 KiB + 8 KiB of the caller's, and ours
