"""The batcher's answers when MongoDB fails in ways a live server will not fail on request:
an outage with callers queued behind the failing batch, and an unmet write concern."""

import asyncio
from typing import Any

from pymongo.errors import BulkWriteError, ServerSelectionTimeoutError

from adapters.mongo.insert_batcher import InsertBatcher
from domain.errors import StorageUnavailable


class FailingCollection:
    """Stands in for a collection whose every insert_many fails with `error`."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.batches: list[list[dict[str, Any]]] = []

    async def insert_many(self, documents: list[dict[str, Any]], ordered: bool) -> None:
        assert ordered is False
        self.batches.append(documents)
        await asyncio.sleep(0)
        raise self.error


async def _insert_all(batcher: InsertBatcher, count: int) -> list[BaseException | None]:
    return await asyncio.gather(
        *(batcher.insert({"_id": str(n)}) for n in range(count)), return_exceptions=True
    )


async def test_an_outage_fails_the_queue_behind_the_batch_without_sending_it() -> None:
    collection = FailingCollection(ServerSelectionTimeoutError("no servers"))
    batcher = InsertBatcher(collection, "storing a call", max_batch=2)

    outcomes = await _insert_all(batcher, 6)

    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes), outcomes
    assert len(collection.batches) == 1, "callers queued behind it must not wait a timeout each"
    assert len({id(outcome) for outcome in outcomes}) == 6, "each caller has its own error"
    assert all(
        o is not None and isinstance(o.__cause__, ServerSelectionTimeoutError) for o in outcomes[:2]
    )


async def test_after_an_outage_new_inserts_are_tried_again() -> None:
    collection = FailingCollection(ServerSelectionTimeoutError("no servers"))
    batcher = InsertBatcher(collection, "storing a call")
    await _insert_all(batcher, 3)

    outcomes = await _insert_all(batcher, 2)

    assert len(collection.batches) == 2
    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes)


async def test_an_unmet_write_concern_leaves_every_outcome_unknown() -> None:
    details = {"writeErrors": [], "writeConcernErrors": [{"code": 64, "errmsg": "waiting"}]}
    collection = FailingCollection(BulkWriteError(details))
    batcher = InsertBatcher(collection, "storing a call")

    outcomes = await _insert_all(batcher, 3)

    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes), outcomes
