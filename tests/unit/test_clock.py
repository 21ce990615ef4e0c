from datetime import UTC, datetime

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
