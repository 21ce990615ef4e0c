from domain.ports import CallRepository, Clock

DEFAULT_BATCH = 500


class ExpireUnjoinedCalls:
    """Queued calls whose caller never joined within the join window become `expired`, in
    bounded batches; every write re-checks the status, so replicas may all run it."""

    def __init__(self, calls: CallRepository, clock: Clock, batch: int = DEFAULT_BATCH) -> None:
        self._calls = calls
        self._clock = clock
        self._batch = batch

    async def __call__(self) -> int:
        return await self._calls.expire_due(self._clock.now(), self._batch)
