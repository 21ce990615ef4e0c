from collections.abc import Sequence

from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener

from adapters.mongo.client import DEFAULT_TIMEOUT_MS, create_client
from adapters.mongo.indexes import ensure_indexes


class MongoStore:
    """One client per process: the connection pool every repository shares."""

    def __init__(
        self,
        uri: str,
        database: str,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        listeners: Sequence[CommandListener] = (),
    ) -> None:
        self.client = create_client(uri, timeout_ms, listeners)
        self.db = self.client[database]

    async def start(self) -> None:
        await ensure_indexes(self.db)

    async def close(self) -> None:
        await self.client.close()

    async def check(self) -> str | None:
        try:
            await self.db.command("ping")
        except PyMongoError:
            return "MongoDB did not answer a ping"
        return None
