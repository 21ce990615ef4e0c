"""A tiny DNS server on loopback UDP: names under `answers` get their A record (one TTL for
all), AAAA questions an empty answer, names under a `silent` suffix no answer at all (a
lookup that hangs), anything else NXDOMAIN. It records every question it was asked."""

import asyncio
import contextlib
import socket
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import cast

A, AAAA = 1, 28
_NXDOMAIN, _NOERROR = 0x8183, 0x8180


@dataclass
class DnsServer:
    answers: dict[str, str]
    silent: str = ".hang.test"
    ttl: int = 60
    asked: list[tuple[str, int]] = field(default_factory=list)
    port: int = 0

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    _silenced: set[str] = field(default_factory=set)
    _enough: asyncio.Event = field(default_factory=asyncio.Event)
    _wanted: int = 0

    async def silenced(self, names: int) -> None:
        """Once `names` different names went unanswered."""
        self._wanted = names
        if len(self._silenced) < names:
            await self._enough.wait()

    def asked_for(self, name: str, qtype: int = A) -> int:
        return sum(1 for asked, kind in self.asked if asked == name and kind == qtype)

    def reply(self, query: bytes) -> bytes | None:
        query_id = struct.unpack("!H", query[:2])[0]
        labels, at = [], 12
        while query[at]:
            labels.append(query[at + 1 : at + 1 + query[at]].decode().lower())
            at += 1 + query[at]
        name = ".".join(labels)
        qtype = struct.unpack("!H", query[at + 1 : at + 3])[0]
        question = query[12 : at + 5]
        self.asked.append((name, qtype))
        if name.endswith(self.silent):
            self._silenced.add(name)
            if self._wanted and len(self._silenced) >= self._wanted:
                self._enough.set()
            return None
        if name not in self.answers:
            return struct.pack("!HHHHHH", query_id, _NXDOMAIN, 1, 0, 0, 0) + question
        record = b""
        if qtype == A:
            address = socket.inet_aton(self.answers[name])
            record = b"\xc0\x0c" + struct.pack("!HHIH", A, 1, self.ttl, 4) + address
        count = 1 if record else 0
        return struct.pack("!HHHHHH", query_id, _NOERROR, 1, count, 0, 0) + question + record


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        answer = self.server.reply(data)
        if answer is not None and self.transport is not None:
            self.transport.sendto(answer, addr)


@contextlib.asynccontextmanager
async def serving_dns(answers: dict[str, str], ttl: int = 60) -> AsyncIterator[DnsServer]:
    server = DnsServer(answers, ttl=ttl)
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: _Protocol(server), local_addr=("127.0.0.1", 0)
    )
    server.port = transport.get_extra_info("sockname")[1]
    try:
        yield server
    finally:
        transport.close()
