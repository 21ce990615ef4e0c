import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from domain.errors import DomainError

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID_LENGTH = 128


class InvalidCursor(DomainError, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset position in a newest-first listing: (created_at, id) of the last item seen."""

    created_at: datetime
    id: str

    def encode(self) -> str:
        raw = json.dumps([int(self.created_at.timestamp() * 1000), self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            padded = token + "=" * (-len(token) % 4)
            millis, item_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(millis, int) or not isinstance(item_id, str):
                raise TypeError
            if len(item_id) > MAX_ID_LENGTH:
                raise ValueError
            item_id.encode()  # a lone surrogate is no id, and no store can hold it
            return cls(datetime.fromtimestamp(millis / 1000, UTC), item_id)
        except (ValueError, TypeError, binascii.Error, OverflowError, OSError):
            raise InvalidCursor("the cursor is not one this API returned") from None


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    after: Cursor | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidCursor(f"limit is 1 to {MAX_LIMIT}")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next: Cursor | None
