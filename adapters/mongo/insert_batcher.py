"""Group commit for inserts: under load, concurrent inserts into one collection travel as one
`insert` command (one round trip, one journal commit) instead of one command each."""

import asyncio
from collections.abc import Collection
from typing import Any

from pymongo.errors import BulkWriteError, PyMongoError

from adapters.mongo.client import Document
from adapters.mongo.errors import storage_error

DEFAULT_MAX_BATCH = 256
_Waiting = tuple[Document, "asyncio.Future[None]"]


class InsertBatcher:
    """No timer and no added wait: an insert that finds nothing in flight goes out at the next
    turn of the event loop, alone or with whatever arrived in that same turn; inserts that
    arrive while a batch is in flight go out together as soon as it is acknowledged. Each
    caller learns the fate of its own document only: `ordered=False`, so one duplicate key
    fails that document and no other."""

    def __init__(self, collection: Any, operation: str, max_batch: int = DEFAULT_MAX_BATCH) -> None:
        # `collection`: a PyMongo AsyncCollection or a Motor AsyncIOMotorCollection.
        self._collection = collection
        self._operation = operation
        self._max_batch = max_batch
        self._waiting: list[_Waiting] = []
        self._drain: asyncio.Task[None] | None = None

    async def insert(self, document: Document) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((document, future))
        if self._drain is None:
            self._drain = asyncio.create_task(self._drain_waiting())
        await future

    async def _drain_waiting(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._write(batch)
        except BaseException:  # cancelled (loop shutting down) or a bug: nobody waits forever
            _cancel(self._waiting)
            self._waiting = []
            raise
        finally:
            self._drain = None

    async def _write(self, batch: list[_Waiting]) -> None:
        try:
            await self._collection.insert_many([document for document, _ in batch], ordered=False)
        except BulkWriteError as error:
            if error.details.get("writeConcernErrors"):
                self._settle(batch, error, failed=None)  # no document is known durable
            else:
                failed = {int(each["index"]) for each in error.details.get("writeErrors", [])}
                self._settle(batch, error, failed)
        except PyMongoError as error:
            self._settle(batch, error, failed=None)
        except BaseException:
            _cancel(batch)
            raise
        else:
            self._settle(batch, None, failed=())

    def _settle(
        self, batch: list[_Waiting], cause: PyMongoError | None, failed: Collection[int] | None
    ) -> None:
        """`failed`: the indexes in `batch` that were not stored; None for all of them."""
        for index, (_, future) in enumerate(batch):
            if future.done():  # its caller was cancelled and no longer listens
                continue
            if cause is not None and (failed is None or index in failed):
                error = storage_error(self._operation, cause)
                error.__cause__ = cause
                future.set_exception(error)
            else:
                future.set_result(None)


def _cancel(waiting: list[_Waiting]) -> None:
    for _, future in waiting:
        future.cancel()
