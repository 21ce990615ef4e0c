"""A real HTTP receiver on loopback that answers from a script: one status per request (the
last one repeats), optionally after a delay, and records what it was sent."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    at: float


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in head[1:] if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            index = min(len(self.requests), len(self.statuses) - 1)
            status = self.statuses[index]
            loop = asyncio.get_running_loop()
            self.requests.append(Received(headers, body.decode(), loop.time()))
            if self.delay:
                await asyncio.sleep(self.delay)
            answer = f"HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
            writer.write(answer.encode())
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.requests]


@contextlib.asynccontextmanager
async def receiving(
    statuses: list[int] | None = None, delay: float = 0.0, port: int = 0
) -> AsyncIterator[Receiver]:
    """Listening until the block ends; `port` 0 picks a free one."""
    receiver = Receiver(statuses or [200], delay)
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", port)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 1)
