import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable


@contextlib.asynccontextmanager
async def every(
    seconds: float, step: Callable[[], Awaitable[object]], *, at_once: bool = False
) -> AsyncIterator[None]:
    """Run `step` every `seconds` while the block runs (0 = never), first at once when
    `at_once`, else after the first interval; on leaving, a step under way finishes.

    Stopped by an event, not by cancelling: a cancellation landing inside the driver can come
    back as a storage error, and a loop that retries those would then never end. `step`
    handles its own errors: one that escapes ends the loop.
    """
    if seconds <= 0:
        yield
        return
    stop = asyncio.Event()

    async def loop() -> None:
        if at_once and not stop.is_set():
            await step()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
                return
            await step()

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await task
