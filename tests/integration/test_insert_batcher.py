"""Group commit of call inserts, against MongoDB through both drivers."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo.errors import BulkWriteError

from adapters.embedded_mongo import free_port
from adapters.mongo.client import create_client
from adapters.mongo.insert_batcher import InsertBatcher
from domain.errors import StorageError, StorageUnavailable
from tests.support.command_counter import CommandCounter

pytestmark = pytest.mark.integration


@pytest.fixture(params=["pymongo", "motor"])
async def counted(
    request: pytest.FixtureRequest, mongo_uri: str
) -> AsyncIterator[tuple[Any, CommandCounter]]:
    """A fresh collection, and the commands its client sends."""
    counter = CommandCounter()
    name = f"batcher_{uuid.uuid4().hex[:12]}"
    if request.param == "pymongo":
        client: Any = create_client(mongo_uri, listeners=[counter])
    else:
        client = AsyncIOMotorClient(mongo_uri, tz_aware=True, event_listeners=[counter])
    yield client[name]["calls"], counter
    await client.drop_database(name)
    if request.param == "pymongo":
        await client.close()
    else:
        client.close()


def _docs(count: int) -> list[dict[str, Any]]:
    return [{"_id": str(uuid.uuid4()), "n": n} for n in range(count)]


async def test_concurrent_inserts_share_commands_and_all_land(
    counted: tuple[Any, CommandCounter],
) -> None:
    collection, counter = counted
    batcher = InsertBatcher(collection, "storing a call", max_batch=16)
    docs = _docs(100)

    await asyncio.gather(*(batcher.insert(doc) for doc in docs))
    commands = list(counter.names)

    stored = await collection.find({}, {"n": 1}).to_list(None)
    assert sorted(doc["n"] for doc in stored) == list(range(100))
    assert commands == ["insert"] * 7  # ceil(100 / 16): the batch size is a hard bound


async def test_sequential_inserts_go_out_one_command_each(
    counted: tuple[Any, CommandCounter],
) -> None:
    collection, counter = counted
    batcher = InsertBatcher(collection, "storing a call")

    for doc in _docs(3):
        await batcher.insert(doc)
    commands = list(counter.names)

    assert commands == ["insert"] * 3
    assert await collection.count_documents({}) == 3


async def test_a_duplicate_fails_only_its_own_caller(counted: tuple[Any, CommandCounter]) -> None:
    collection, _ = counted
    batcher = InsertBatcher(collection, "storing a call")
    existing = {"_id": "taken", "n": -1}
    await collection.insert_one(existing)
    docs = _docs(5)
    docs.insert(2, {"_id": "taken", "n": 99})

    outcomes = await asyncio.gather(*(batcher.insert(doc) for doc in docs), return_exceptions=True)

    refused = outcomes[2]
    assert isinstance(refused, StorageError)
    assert not isinstance(refused, StorageUnavailable), "refused means not stored, not unknown"
    assert isinstance(refused.__cause__, BulkWriteError)
    assert "taken" not in str(refused)  # the driver's message stays in the cause chain
    assert [outcome for i, outcome in enumerate(outcomes) if i != 2] == [None] * 5
    assert await collection.count_documents({}) == 6
    assert (await collection.find_one({"_id": "taken"}))["n"] == -1


async def test_a_document_the_driver_cannot_encode_fails_alone(
    counted: tuple[Any, CommandCounter],
) -> None:
    collection, _ = counted
    batcher = InsertBatcher(collection, "storing a call")
    docs = _docs(4)
    docs[1]["unencodable"] = object()

    outcomes = await asyncio.gather(*(batcher.insert(doc) for doc in docs), return_exceptions=True)
    await batcher.insert({"_id": "after", "n": 4})

    assert isinstance(outcomes[1], StorageError)
    assert not isinstance(outcomes[1], StorageUnavailable)
    assert [outcomes[0], *outcomes[2:]] == [None] * 3
    assert await collection.count_documents({}) == 4
    assert await collection.count_documents({"_id": docs[1]["_id"]}) == 0


async def test_a_caller_that_gave_up_is_not_written_and_the_others_are(
    counted: tuple[Any, CommandCounter],
) -> None:
    collection, _ = counted
    batcher = InsertBatcher(collection, "storing a call")
    docs = _docs(10)
    tasks = [asyncio.create_task(batcher.insert(doc)) for doc in docs]
    await asyncio.sleep(0)  # every insert is queued; the batch has not left yet
    tasks[4].cancel()

    outcomes = await asyncio.gather(*tasks, return_exceptions=True)

    assert isinstance(outcomes[4], asyncio.CancelledError)
    assert [outcome for i, outcome in enumerate(outcomes) if i != 4] == [None] * 9
    assert await collection.count_documents({}) == 9
    assert await collection.count_documents({"_id": docs[4]["_id"]}) == 0


async def test_an_unreachable_server_fails_every_caller_as_unavailable() -> None:
    client = create_client(f"mongodb://127.0.0.1:{free_port()}/", timeout_ms=300)
    batcher = InsertBatcher(client["nowhere"]["calls"], "storing a call")

    outcomes = await asyncio.gather(
        *(batcher.insert(doc) for doc in _docs(4)), return_exceptions=True
    )
    await client.close()

    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes), outcomes
