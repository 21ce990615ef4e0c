from datetime import UTC, datetime


def truncated_to_millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class SystemClock:
    def now(self) -> datetime:
        return truncated_to_millis(datetime.now(UTC))
