"""The server's side of the subscriber connection: it offers, the client answers. A change
while an offer is out (another track to send) waits for the answer, then one more offer."""

import asyncio
from collections.abc import Callable

from aiortc import RTCPeerConnection, RTCSessionDescription
from livekit.protocol import rtc

ANSWER_TIMEOUT = 10.0


class SubscriberOffers:
    def __init__(self, pc: RTCPeerConnection, send: Callable[[rtc.SignalResponse], None]):
        self._pc, self._send = pc, send
        self._offer_id = 0
        self._answered = asyncio.Event()
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def negotiate(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._offer_while_dirty())

    async def answer(self, sdp: str) -> None:
        await self._pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))
        self._answered.set()

    def stop(self) -> None:
        self.closed = True
        if self._task is not None:
            self._task.cancel()

    async def _offer_while_dirty(self) -> None:
        while self._dirty and not self.closed:
            self._dirty = False
            self._answered = asyncio.Event()
            await self._pc.setLocalDescription(await self._pc.createOffer())
            self._offer_id += 1
            sdp = self._pc.localDescription.sdp
            offer = rtc.SessionDescription(type="offer", sdp=sdp, id=self._offer_id)
            self._send(rtc.SignalResponse(offer=offer))
            await asyncio.wait_for(self._answered.wait(), ANSWER_TIMEOUT)
