"""uvicorn's httptools protocol with each connection's writes of one event-loop turn sent as
one: uvicorn writes a response's status line and headers, then its body, each straight to the
socket, so a small JSON answer cost two `send` calls (and two TCP segments for the client to
read). Held until the end of the turn, they leave together, in order. Nothing else changes:
parsing, keep-alive, flow control, 100-continue and the upgrade path are uvicorn's own."""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PROTOCOL = "entrypoints.combined_writes:CombinedWritesHttpToolsProtocol"


class CombinedWrites:
    """A transport whose writes wait for the end of the current event-loop turn (or for a
    close, a flush or an EOF) and then go to the real transport in one write. Everything else
    is the real transport's."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        held = self._held
        if not held:
            return
        self._held = []
        if self._transport.is_closing():  # as the transport itself drops a late write
            return
        self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held = []
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._held))

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading…
        return getattr(self._transport, name)


class CombinedWritesHttpToolsProtocol(HttpToolsProtocol):
    """`http="httptools"`, writing through `CombinedWrites`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        combined = CombinedWrites(transport, self.loop)
        super().connection_made(combined)  # type: ignore[arg-type]
