"""What the error table logs about a failure: classes and codes, never a driver's documents
(issue 10, item 11)."""

import logging

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from pymongo.errors import BulkWriteError

from domain.call import Call
from domain.errors import StorageError
from entrypoints.http.app import create_app
from tests.fakes.repositories import InMemoryCallRepository
from tests.support.http import assert_problem, bearer
from tests.support.world import Seeded, World

PERSONAL = "Ada Lovelace, +44 20 7946 0000"


class RefusingCalls(InMemoryCallRepository):
    """The driver refuses the insert and, as PyMongo does, keeps the refused document."""

    async def add(self, call: Call) -> None:
        refused = {"writeErrors": [{"index": 0, "code": 11000, "op": {"metadata": call.metadata}}]}
        try:
            raise BulkWriteError(refused)
        except BulkWriteError as error:
            raise StorageError("inserting a call failed") from error


async def test_a_refused_insert_logs_classes_and_codes_not_the_callers_metadata(
    world: World, seeded: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    world.container.calls.override(providers.Object(RefusingCalls()))
    caplog.set_level(logging.INFO)
    async with AsyncTestClient(create_app(world.container)) as client:
        response: httpx.Response = await client.post(
            "/v1/realtime/token",
            json={"agent_id": seeded.agent.id, "metadata": {"caller": PERSONAL}},
            headers=bearer(seeded.api_key),
        )

    assert_problem(response, 500, "call_initialization_failed")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "caused by StorageError, caused by BulkWriteError code=65" in logged
    assert "Ada Lovelace" not in logged
    assert "writeErrors" not in logged
