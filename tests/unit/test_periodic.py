import asyncio

from entrypoints.periodic import every


async def test_at_once_runs_the_first_step_without_waiting_an_interval() -> None:
    ran = asyncio.Event()

    async def step() -> None:
        ran.set()

    async with every(3600, step, at_once=True):
        await ran.wait()
    assert ran.is_set()


async def test_leaving_waits_for_the_step_under_way_and_starts_no_other() -> None:
    started, finished = asyncio.Event(), asyncio.Event()
    runs: list[int] = []

    async def step() -> None:
        runs.append(1)
        started.set()
        await asyncio.sleep(0.01)
        finished.set()

    async with every(3600, step, at_once=True):
        await started.wait()
    assert finished.is_set()
    assert runs == [1]


async def test_zero_seconds_never_runs() -> None:
    async def step() -> None:
        raise AssertionError("ran")

    async with every(0, step, at_once=True):
        await asyncio.sleep(0)
