import asyncio

from domain.errors import StorageError
from entrypoints.sweeper import sweeping


async def test_the_sweeper_runs_repeatedly_survives_store_errors_and_stops() -> None:
    runs: list[int] = []
    fourth = asyncio.Event()

    async def expire() -> int:
        runs.append(1)
        if len(runs) == 2:
            raise StorageError("unreachable for a moment")
        if len(runs) == 4:
            fourth.set()
        return 0

    async with sweeping(expire, interval=0.01):
        await fourth.wait()
    stopped_at = len(runs)
    await asyncio.sleep(0.05)
    assert len(runs) == stopped_at, "no sweep after the service stopped"


async def test_a_sweep_in_progress_finishes_before_the_service_stops() -> None:
    started, finished = asyncio.Event(), asyncio.Event()

    async def slow_expire() -> int:
        started.set()
        await asyncio.sleep(0.05)
        finished.set()
        return 1

    async with sweeping(slow_expire, interval=0.01):
        await started.wait()
    assert finished.is_set()


async def test_an_interval_of_zero_never_sweeps() -> None:
    async def expire() -> int:
        raise AssertionError("swept")

    async with sweeping(expire, interval=0):
        await asyncio.sleep(0.02)
