import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from domain.errors import StorageError

logger = logging.getLogger("realtime_tokens.sweeper")


@contextlib.asynccontextmanager
async def sweeping(expire: Callable[[], Awaitable[int]], interval: float) -> AsyncIterator[None]:
    """Run `expire` every `interval` seconds while the service runs (0 = never).

    Stopped by an event, not by cancelling: a cancellation landing inside the driver can come
    back as a storage error, and a loop that retries those would then never end.
    """
    if interval <= 0:
        yield
        return
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
                return
            try:
                if expired := await expire():
                    logger.info("expired %d unjoined calls", expired)
            except StorageError as error:
                logger.warning("expiry sweep failed, will retry: %s", error)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await task
