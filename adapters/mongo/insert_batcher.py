"""Group commit for inserts: under load, concurrent inserts into one collection travel as one
`insert` command (one round trip, one journal commit) instead of one command each."""

import asyncio
import contextvars
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pymongo.errors import BulkWriteError, PyMongoError

from adapters.mongo.client import Document
from adapters.mongo.errors import outcome_unknown, refused, unavailable
from domain.errors import DomainError

DEFAULT_MAX_BATCH = 256
DUPLICATE_KEY = 11000
Failure = Callable[[], DomainError]


@dataclass(slots=True)
class _Waiting:
    document: Document
    outcome: "asyncio.Future[None]" = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class InsertBatcher:
    """No timer and no added wait: an insert that finds nothing in flight goes out at the next
    turn of the event loop, alone or with whatever arrived in that same turn; inserts that
    arrive while a batch is in flight go out together as soon as it is answered.

    Each caller learns the fate of its own document: `ordered=False`, so a document the server
    refuses (a duplicate key) fails its own caller only (StorageError: not stored). When the
    outcome is unknown (MongoDB unreachable or timed out, or the write concern not met), the
    batch's callers get StorageUnavailable, and so do those already waiting behind it: they
    have waited one timeout already, and a queue must not grow through an outage. A caller
    that gave up (cancelled) before its batch left is not written at all.
    """

    def __init__(
        self,
        collection: Any,
        operation: str,
        max_batch: int = DEFAULT_MAX_BATCH,
        duplicate: Failure | None = None,
    ) -> None:
        """`duplicate`: the error for a document refused on a unique key (else StorageError).
        `collection`: a PyMongo AsyncCollection or a Motor AsyncIOMotorCollection."""
        self._collection = collection
        self._unavailable: Failure = partial(unavailable, operation)
        self._refused: Failure = partial(refused, operation)
        self._duplicate = duplicate or self._refused
        self._max_batch = max_batch
        self._waiting: deque[_Waiting] = deque()
        self._drain: asyncio.Task[None] | None = None

    async def insert(self, document: Document) -> None:
        waiting = _Waiting(document)
        self._waiting.append(waiting)
        if self._drain is None:
            # A context of its own: not the first caller's request id on the driver's logs.
            self._drain = asyncio.create_task(self._drain_waiting(), context=contextvars.Context())
        await waiting.outcome

    async def _drain_waiting(self) -> None:
        try:
            while batch := self._next_batch():
                if not await self._write(batch):
                    self._settle(list(self._waiting), self._unavailable)
                    self._waiting.clear()
        except BaseException:  # cancelled with the event loop: nobody may wait forever
            for waiting in self._waiting:
                waiting.outcome.cancel()
            self._waiting.clear()
            raise
        finally:
            self._drain = None

    def _next_batch(self) -> list[_Waiting]:
        batch: list[_Waiting] = []
        while self._waiting and len(batch) < self._max_batch:
            waiting = self._waiting.popleft()
            if not waiting.outcome.done():
                batch.append(waiting)
        return batch

    async def _write(self, batch: list[_Waiting]) -> bool:
        """Settles every caller in `batch`; False when MongoDB could not be reached."""
        try:
            await self._collection.insert_many([w.document for w in batch], ordered=False)
        except BulkWriteError as error:
            if error.details.get("writeConcernErrors"):
                self._settle(batch, self._unavailable, error)
            else:
                refused = {e["index"]: e.get("code") for e in error.details.get("writeErrors", [])}
                for index, waiting in enumerate(batch):
                    code = refused.get(index)
                    failure = self._duplicate if code == DUPLICATE_KEY else self._refused
                    self._settle([waiting], None if index not in refused else failure, error)
        except PyMongoError as error:
            unavailable = outcome_unknown(error)
            self._settle(batch, self._unavailable if unavailable else self._refused, error)
            return not unavailable
        except Exception as error:  # raised before sending (a document BSON cannot encode)
            if len(batch) == 1:
                self._settle(batch, self._refused, error)
                return True
            for index, waiting in enumerate(batch):  # find the culprit; the others get written
                if not await self._write([waiting]):
                    self._settle(batch[index + 1 :], self._unavailable)
                    return False
        except BaseException:  # cancelled with the event loop
            for waiting in batch:
                waiting.outcome.cancel()
            raise
        else:
            self._settle(batch, None)
        return True

    @staticmethod
    def _settle(
        batch: list[_Waiting],
        failure: Failure | None,
        cause: BaseException | None = None,
    ) -> None:
        """Each caller gets its own exception (`failure()`), with the driver's in its chain."""
        for waiting in batch:
            if waiting.outcome.done():  # its caller was cancelled and no longer listens
                continue
            if failure is None:
                waiting.outcome.set_result(None)
            else:
                error = failure()
                error.__cause__ = cause
                waiting.outcome.set_exception(error)
