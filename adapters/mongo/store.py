import asyncio
import contextlib
import logging
from collections.abc import Sequence

from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener

from adapters.clock import SystemClock
from adapters.mongo.client import DEFAULT_TIMEOUT_MS, create_client
from adapters.mongo.dispatch_name_registry import complete_dispatch_name_registry
from adapters.mongo.indexes import ensure_indexes
from adapters.mongo.unreadable import UnreadableDocuments
from domain.errors import StorageUnavailable

logger = logging.getLogger("realtime_tokens.mongo")
INDEX_RETRY_SECONDS = 2.0


class MongoStore:
    """One client per process: the connection pool every repository shares.

    Start-up never waits on an unreachable MongoDB: the service comes up (readiness says
    why it is not ready, requests get 503) and keeps trying to create its indexes.
    """

    def __init__(
        self,
        uri: str,
        database: str,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        listeners: Sequence[CommandListener] = (),
        unreadable: UnreadableDocuments | None = None,
    ) -> None:
        self.client = create_client(uri, timeout_ms, listeners)
        self.db = self.client[database]
        self._unreadable = unreadable
        self._indexing: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await self._prepare()
        except StorageUnavailable:
            logger.warning("MongoDB unreachable at start-up; retrying index creation")
            self._indexing = asyncio.create_task(self._ensure_indexes_eventually())

    async def _ensure_indexes_eventually(self) -> None:
        task = asyncio.current_task()
        while task is None or not task.cancelling():  # the driver may swallow a cancellation
            await asyncio.sleep(INDEX_RETRY_SECONDS)
            with contextlib.suppress(StorageUnavailable):
                await self._prepare()
                logger.info("MongoDB reachable; indexes ensured")
                return

    async def _prepare(self) -> None:
        await ensure_indexes(self.db)
        await complete_dispatch_name_registry(self.db, SystemClock().now(), self._unreadable)

    async def close(self) -> None:
        if self._indexing is not None:
            self._indexing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._indexing
        await self.client.close()

    async def check(self) -> str | None:
        try:
            await self.db.command("ping")
        except PyMongoError:
            return "MongoDB did not answer a ping"
        if self._indexing is not None and not self._indexing.done():
            return "MongoDB indexes not created yet"
        return None
