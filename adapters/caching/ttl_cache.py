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
        self._generation = 0

    @property
    def generation(self) -> int:
        """Changes with every discard. A read-through fill takes it before reading the store
        and passes it to `put`, so a value read before a discard is not cached after it."""
        return self._generation

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

    def put(
        self, key: K, value: V, valid_until: datetime | None = None, read_at: int | None = None
    ) -> None:
        if read_at is not None and read_at != self._generation:
            return
        limit = self._clock.now() + self._ttl
        self._entries[key] = (min(limit, valid_until) if valid_until else limit, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def discard(self, key: K) -> None:
        self._generation += 1
        self._entries.pop(key, None)

    def discard_where(self, predicate: Callable[[K, V], bool]) -> None:
        self._generation += 1
        for key in [k for k, (_, v) in self._entries.items() if predicate(k, v)]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
