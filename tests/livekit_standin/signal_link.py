"""One signalling WebSocket: responses out in order, requests in to a handler."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web
from livekit.protocol import rtc

Handler = Callable[[rtc.SignalRequest], Awaitable[None]]


class SignalLink:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self._outbox: asyncio.Queue[bytes | None] = asyncio.Queue()

    def send(self, data: bytes) -> None:
        self._outbox.put_nowait(data)

    async def serve(self, handle: Handler) -> None:
        """Until the socket closes (the client's close, a drop, or `close`)."""
        writer = asyncio.create_task(self._write())
        try:
            async for message in self.ws:
                if message.type is WSMsgType.BINARY:
                    await handle(rtc.SignalRequest.FromString(message.data))
                elif message.type is WSMsgType.ERROR:
                    break
        finally:
            self._outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, 2)

    async def close(self, code: int = 1000) -> None:
        """After what is queued has been written (a leave goes out before the close)."""
        self._outbox.put_nowait(None)
        await asyncio.sleep(0.05)
        with contextlib.suppress(Exception):
            await self.ws.close(code=code)

    async def _write(self) -> None:
        while (data := await self._outbox.get()) is not None:
            if self.ws.closed:
                return
            try:
                await self.ws.send_bytes(data)
            except ConnectionError:
                return
