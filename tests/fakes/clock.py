from datetime import UTC, datetime, timedelta

from adapters.clock import truncated_to_millis


class FrozenClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = truncated_to_millis(start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now = truncated_to_millis(self._now + by)
