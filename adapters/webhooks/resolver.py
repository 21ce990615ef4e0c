"""Name lookups for webhook targets on c-ares (aiodns): queries run on the event loop, not in
a thread pool, so a name whose server never answers ties up nothing but its own query,
bounded by the timeout; no tenant's hung names can delay another tenant's lookups."""

import asyncio
import ipaddress
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

import aiodns

RESOLVE_TIMEOUT_SECONDS = 5.0
CACHE_ENTRIES = 4096
MAX_TTL_SECONDS = 300.0
NEGATIVE_TTL_SECONDS = 5.0


class DnsResolver:
    """`nameservers` ("ip" or "ip:port") default to /etc/resolv.conf's; /etc/hosts is read
    first, as the system resolver does. An answer is cached for its TTL (at most
    MAX_TTL_SECONDS), no answer (unknown name, timeout) for NEGATIVE_TTL_SECONDS, in at most
    `cache_entries` names, the least recently used dropped first; concurrent lookups of one
    name share one query."""

    def __init__(
        self,
        nameservers: Sequence[str] = (),
        timeout_seconds: float = RESOLVE_TIMEOUT_SECONDS,
        cache_entries: int = CACHE_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._nameservers = list(nameservers)
        self._timeout = timeout_seconds
        self._entries = cache_entries
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()
        self._pending: dict[str, asyncio.Task[list[str]]] = {}
        self._channel: aiodns.DNSResolver | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def addresses(self, host: str) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        name = host.rstrip(".").lower()
        cached = self._cache.get(name)
        if cached is not None and cached[0] > self._clock():
            self._cache.move_to_end(name)
            return list(cached[1])
        if name not in self._pending:
            task = asyncio.create_task(self._lookup(name))
            self._pending[name] = task
            task.add_done_callback(lambda _: self._pending.pop(name, None))
        return list(await asyncio.shield(self._pending[name]))

    async def _lookup(self, name: str) -> list[str]:
        try:
            async with asyncio.timeout(self._timeout):
                result = await self._resolver().getaddrinfo(
                    name, family=socket.AF_UNSPEC, type=socket.SOCK_STREAM
                )
        except (aiodns.error.DNSError, TimeoutError, UnicodeError, ValueError):
            self._remember(name, [], NEGATIVE_TTL_SECONDS)
            return []
        found = list(dict.fromkeys(_text(node.addr[0]) for node in result.nodes))
        ttl = min((node.ttl for node in result.nodes), default=0)
        self._remember(name, found, min(float(ttl), MAX_TTL_SECONDS))
        return found

    def _remember(self, name: str, found: list[str], ttl: float) -> None:
        if ttl <= 0:
            return
        self._cache[name] = (self._clock() + ttl, found)
        self._cache.move_to_end(name)
        while len(self._cache) > self._entries:
            self._cache.popitem(last=False)

    def _resolver(self) -> aiodns.DNSResolver:
        loop = asyncio.get_running_loop()
        if self._channel is None or self._loop is not loop:
            self._channel = aiodns.DNSResolver(
                nameservers=self._nameservers or None,
                timeout=self._timeout,
                tries=1,
                loop=loop,
            )
            self._loop = loop
        return self._channel

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = None


def _text(address: bytes | str) -> str:
    return address.decode() if isinstance(address, bytes) else address
