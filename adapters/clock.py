import time
from datetime import UTC, datetime


def truncated_to_millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class SystemClock:
    """The whole milliseconds since the epoch: what truncated_to_millis(datetime.now(UTC))
    gives, for half its cost. Exact: a whole number of ms over 1000 is within a µs of its
    float, and fromtimestamp rounds to the µs. A token request reads the clock about five
    times within the same millisecond, so the moment last made is kept and given again while
    the millisecond lasts (datetimes are immutable)."""

    def __init__(self) -> None:
        self._last: tuple[int, datetime | None] = (-1, None)

    def now(self) -> datetime:
        millis = time.time_ns() // 1_000_000
        last_millis, last = self._last  # one tuple, replaced whole: safe across threads
        if millis == last_millis and last is not None:
            return last
        moment = datetime.fromtimestamp(millis / 1000, UTC)
        self._last = (millis, moment)
        return moment
