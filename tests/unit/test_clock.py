import time
from datetime import UTC, datetime

import pytest

from adapters.clock import SystemClock, truncated_to_millis


def test_now_is_utc_and_whole_milliseconds_between_two_readings_of_the_system_clock() -> None:
    clock = SystemClock()
    for _ in range(2000):
        before = truncated_to_millis(datetime.now(UTC))
        now = clock.now()
        after = datetime.now(UTC)
        assert now.tzinfo is UTC
        assert now.microsecond % 1000 == 0
        assert before <= now <= after


def test_readings_within_one_millisecond_are_that_millisecond_and_the_next_one_moves_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = SystemClock()
    readings = iter(
        [1_800_000_000_123_400_000, 1_800_000_000_123_999_999, 1_800_000_000_124_000_000]
    )
    monkeypatch.setattr(time, "time_ns", lambda: next(readings))

    first, second, third = clock.now(), clock.now(), clock.now()

    assert first == second == datetime(2027, 1, 15, 8, 0, 0, 123000, tzinfo=UTC)
    assert third == datetime(2027, 1, 15, 8, 0, 0, 124000, tzinfo=UTC)
