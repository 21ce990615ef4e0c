"""A loopback TCP proxy in front of MongoDB that counts the commands a server sends it,
by name (the first key of each OP_MSG body): MongoDB round trips seen from the outside,
with no change to the process being measured."""

import asyncio
import re
import struct
import threading
from collections import Counter

OP_MSG = 2013
_HEADER = struct.Struct("<iiii")
# Driver housekeeping, not work done for a request.
HOUSEKEEPING = frozenset(
    {"hello", "ismaster", "isMaster", "ping", "endSessions", "buildInfo", "saslStart"}
)
_SINGLE_HOST_URI = re.compile(r"^mongodb://(?P<auth>[^@/]+@)?(?P<host>[^,/@]+):(?P<port>\d+)/?")


def command_name(body: bytes) -> str:
    """The command of an OP_MSG body: flagBits, then a kind-0 section holding a BSON document
    whose first element's name is the command."""
    if body[4] != 0:
        return "?"
    name_start = 4 + 1 + 4 + 1
    return body[name_start : body.index(b"\0", name_start)].decode("utf-8", "replace")


class CommandCountingProxy:
    def __init__(self, upstream_uri: str) -> None:
        match = _SINGLE_HOST_URI.match(upstream_uri)
        if match is None:
            raise ValueError("command counting needs a single-host mongodb:// URI")
        self._auth = match["auth"] or ""
        self._upstream = (match["host"], int(match["port"]))
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def uri(self) -> str:
        return f"mongodb://{self._auth}127.0.0.1:{self.port}/?directConnection=true"

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    def request_commands(self) -> int:
        return sum(n for name, n in self.counts().items() if name not in HOUSEKEEPING)

    def __enter__(self) -> "CommandCountingProxy":
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _listen(self) -> asyncio.Server:
        return await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        upstream_r, upstream_w = await asyncio.open_connection(*self._upstream)
        replies = asyncio.ensure_future(_pipe(upstream_r, client_w))
        try:
            while True:
                header = await client_r.readexactly(_HEADER.size)
                length, _, _, op_code = _HEADER.unpack(header)
                body = await client_r.readexactly(length - _HEADER.size)
                if op_code == OP_MSG:
                    with self._lock:
                        self._counts[command_name(body)] += 1
                upstream_w.write(header + body)
                await upstream_w.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            replies.cancel()
            upstream_w.close()
            client_w.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
