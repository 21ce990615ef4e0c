from datetime import UTC, datetime


def stored_datetime(value: object) -> datetime:
    """A BSON date as an aware UTC datetime.

    nx-27017 (the embedded dev/test server) keeps a top-level `$set` of a date as the string
    'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC); MongoDB always returns a datetime.
    """
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    raise TypeError(f"not a stored date: {type(value).__name__}")


def optional_datetime(value: object) -> datetime | None:
    return None if value is None else stored_datetime(value)
