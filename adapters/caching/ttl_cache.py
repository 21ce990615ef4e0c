from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from domain.ports import Clock

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Least-recently-used, bounded, each entry valid for at most `ttl` on the given clock."""

    def __init__(self, clock: Clock, ttl: timedelta, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("a cache holds at least one entry")
        self._clock = clock
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: OrderedDict[K, tuple[datetime, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        valid_until, value = entry
        if self._clock.now() >= valid_until:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V, valid_until: datetime | None = None) -> None:
        limit = self._clock.now() + self._ttl
        self._entries[key] = (min(limit, valid_until) if valid_until else limit, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def discard(self, key: K) -> None:
        self._entries.pop(key, None)

    def discard_where(self, predicate: Callable[[K, V], bool]) -> None:
        for key in [k for k, (_, v) in self._entries.items() if predicate(k, v)]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
