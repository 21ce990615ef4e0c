import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from domain.errors import StorageError
from entrypoints.periodic import every

logger = logging.getLogger("realtime_tokens.sweeper")


@contextlib.asynccontextmanager
async def sweeping(expire: Callable[[], Awaitable[int]], interval: float) -> AsyncIterator[None]:
    """Run `expire` every `interval` seconds while the service runs (0 = never)."""

    async def sweep() -> None:
        try:
            if expired := await expire():
                logger.info("expired %d unjoined calls", expired)
        except StorageError as error:
            logger.warning("expiry sweep failed, will retry: %s", error)

    async with every(interval, sweep):
        yield
