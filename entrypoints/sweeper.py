import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from domain.errors import StorageError

logger = logging.getLogger("realtime_tokens.sweeper")


@contextlib.asynccontextmanager
async def sweeping(expire: Callable[[], Awaitable[int]], interval: float) -> AsyncIterator[None]:
    """Run `expire` every `interval` seconds while the service runs (0 = never)."""
    if interval <= 0:
        yield
        return

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                if expired := await expire():
                    logger.info("expired %d unjoined calls", expired)
            except StorageError as error:
                logger.warning("expiry sweep failed, will retry: %s", error)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
