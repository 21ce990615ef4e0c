"""One browser's signalling session: the WebSocket, its publisher connection (the client
offers) and its subscriber connection (the server offers), with trickle ICE both ways."""

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from aiortc import MediaStreamTrack, RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from livekit.protocol import models, rtc

from tests.livekit_standin.negotiation import SubscriberOffers
from tests.livekit_standin.network import (
    follow_ice_restart,
    loopback_candidate,
    peer_configuration,
)
from tests.livekit_standin.room import Member, Room
from tests.livekit_standin.signal_link import SignalLink
from tests.livekit_standin.tokens import Admission
from tests.livekit_standin.wire import audio_track, leave, now_ms, server_info, sid

if TYPE_CHECKING:
    from tests.livekit_standin.hub import Hub

log = logging.getLogger(__name__)
PUBLISHER, SUBSCRIBER = rtc.SignalTarget.PUBLISHER, rtc.SignalTarget.SUBSCRIBER


class ClientSession(Member):
    def __init__(self, hub: "Hub", room: Room, admission: Admission, ws: web.WebSocketResponse):
        claims = admission.claims
        self.hub, self.room = hub, room
        self.link: SignalLink | None = SignalLink(ws)
        self._held: list[bytes] = []
        self._resumed: asyncio.Event | None = None
        self.identity, self.sid, self.name = admission.identity, sid("PA"), claims.name
        self.kind = models.ParticipantInfo.Kind.AGENT if claims.kind == "agent" else 0
        self.metadata = claims.metadata
        self.attributes = dict(claims.attributes or {})
        self.joined_at = now_ms()
        self.version = 1
        self.tracks: list[models.TrackInfo] = []
        self.active = False
        self.closed = False
        self._pending: dict[str, models.TrackInfo] = {}
        self._candidates: dict[int, list[str]] = {PUBLISHER: [], SUBSCRIBER: []}
        self._publisher: RTCPeerConnection | None = None
        self._subscriber = self._peer(SUBSCRIBER)
        self._reliable = self._subscriber.createDataChannel("_reliable", ordered=True)
        self._lossy = self._subscriber.createDataChannel("_lossy", ordered=False, maxRetransmits=0)
        self._unsent: list[bytes] = []
        self._reliable.on("open", self._flush)
        self._offers = SubscriberOffers(self._subscriber, self.signal)

    def info(self) -> models.ParticipantInfo:
        state = models.ParticipantInfo.State
        return models.ParticipantInfo(
            sid=self.sid,
            identity=self.identity,
            name=self.name,
            state=state.ACTIVE if self.active else state.JOINED,
            tracks=self.tracks,
            metadata=self.metadata,
            joined_at=self.joined_at // 1000,
            joined_at_ms=self.joined_at,
            version=self.version,
            kind=self.kind,  # type: ignore[arg-type]
            attributes=self.attributes,
            is_publisher=bool(self.tracks),
            permission=models.ParticipantPermission(
                can_subscribe=True, can_publish=True, can_publish_data=True
            ),
        )

    async def run(self) -> None:
        """Until the socket closes or the session is ended by the server."""
        join = rtc.JoinResponse(
            room=self.room.proto(),
            participant=self.info(),
            other_participants=[m.info() for m in self.room.others(self)],
            server_version=server_info().version,
            subscriber_primary=True,
            ping_interval=5,
            ping_timeout=15,
            server_info=server_info(),
        )
        self.signal(rtc.SignalResponse(join=join))
        self.room.add(self)
        self._offers.negotiate()
        assert self.link is not None
        await self._serve(self.link)

    async def resume(self, ws: web.WebSocketResponse) -> None:
        """The client's resume (`reconnect=1&sid=…`) within the grace: the same session on a
        new socket, a `reconnect` response first, then whatever was held meanwhile."""
        link = self.link = SignalLink(ws)
        link.send(rtc.SignalResponse(reconnect=rtc.ReconnectResponse()).SerializeToString())
        for data in self._held:
            link.send(data)
        self._held.clear()
        self.hub.resumed.append(self.identity)
        if self._resumed is not None:
            self._resumed.set()
        await self._serve(link)

    async def _serve(self, link: SignalLink) -> None:
        await link.serve(self._handle)
        if self.closed or self.link is not link:
            return
        self.link = None
        if self.active and self.hub.reconnect_grace > 0:
            self._resumed = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._resumed.wait(), self.hub.reconnect_grace)
            if self.link is not None or self.closed:
                return
        await self._end(reason=models.DisconnectReason.SIGNAL_CLOSE, aborted=not self.active)

    def signal(self, message: rtc.SignalResponse) -> None:
        if self.closed:
            return
        if self.link is None:
            self._held.append(message.SerializeToString())
        else:
            self.link.send(message.SerializeToString())

    def deliver(self, packet: models.DataPacket) -> None:
        data = packet.SerializeToString()
        if self._reliable.readyState == "open":
            self._reliable.send(data)
        else:
            self._unsent.append(data)

    def subscribe(
        self, publisher: Member, track: models.TrackInfo, media: MediaStreamTrack
    ) -> None:
        sender = self._subscriber.addTrack(media)
        sender._stream_id = f"{publisher.sid}|{track.sid}"
        self._offers.negotiate()

    async def disconnect(self, reason: int) -> None:
        """The server ends this participant: a leave with the reason, then the socket."""
        if self.closed:
            return
        self.signal(leave(reason))
        await self._end(reason=reason, aborted=False)

    async def drop(self) -> None:
        """The signalling socket goes away with no leave (a fault, or a crashed server)."""
        self.hub.dropped.append(self.identity)
        if self.link is not None:
            await self.link.ws.close(code=1011)

    def publish_attributes(self) -> None:
        self.version += 1
        self.room.broadcast_update(self.info())

    async def _end(self, reason: int | None, aborted: bool) -> None:
        self.closed = True
        self._offers.stop()
        if self.room.remove(self):
            self.hub.participant_gone(self.room, self, aborted=aborted, reason=reason)
        for pc in (self._publisher, self._subscriber):
            if pc is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(pc.close(), 2)
        if self.link is not None:
            await self.link.close()

    async def _handle(self, request: rtc.SignalRequest) -> None:
        case = request.WhichOneof("message")
        if case == "offer":
            await self._on_offer(request.offer)
        elif case == "answer":
            await self._offers.answer(request.answer.sdp)
            await self._add_candidates(SUBSCRIBER)
        elif case == "trickle":
            self._candidates[request.trickle.target].append(request.trickle.candidateInit)
            await self._add_candidates(request.trickle.target)
        elif case == "add_track":
            self._on_add_track(request.add_track)
        elif case == "mute":
            for track in self.tracks:
                if track.sid == request.mute.sid:
                    track.muted = request.mute.muted
            self.publish_attributes()
        elif case == "ping_req":
            pong = rtc.Pong(last_ping_timestamp=request.ping_req.timestamp, timestamp=now_ms())
            self.signal(rtc.SignalResponse(pong_resp=pong))
        elif case == "ping":
            self.signal(rtc.SignalResponse(pong=now_ms()))
        elif case == "leave":
            await self._end(reason=request.leave.reason or 1, aborted=False)
        elif case == "update_metadata":
            self.attributes.update(request.update_metadata.attributes)
            self.publish_attributes()

    def _on_add_track(self, request: rtc.AddTrackRequest) -> None:
        info = audio_track(sid("TR"), request.name, request.source, request.muted)
        info.type = request.type
        self._pending[request.cid] = info
        self.tracks.append(info)
        self.signal(
            rtc.SignalResponse(
                track_published=rtc.TrackPublishedResponse(cid=request.cid, track=info)
            )
        )
        self.publish_attributes()

    async def _on_offer(self, offer: rtc.SessionDescription) -> None:
        if self._publisher is None:
            self._publisher = self._peer(PUBLISHER)
            self._publisher.on("track", self._on_track)
            self._publisher.on("datachannel", self._on_channel)
        else:
            follow_ice_restart(self._publisher, offer.sdp)
        await self._publisher.setRemoteDescription(RTCSessionDescription(offer.sdp, "offer"))
        await self._publisher.setLocalDescription(await self._publisher.createAnswer())
        sdp = self._publisher.localDescription.sdp
        answer = rtc.SessionDescription(type="answer", sdp=sdp, id=offer.id)
        self.signal(rtc.SignalResponse(answer=answer))
        await self._add_candidates(PUBLISHER)

    def _on_track(self, track: MediaStreamTrack) -> None:
        info = self._pending.pop(track.id, None)
        if info is None and self._pending:
            info = self._pending.pop(next(iter(self._pending)))
        if info is not None:
            self.room.publish(self, info, track)

    def _on_channel(self, channel: RTCDataChannel) -> None:
        def received(message: bytes | str) -> None:
            if isinstance(message, bytes):
                self.room.send_data(self, models.DataPacket.FromString(message))

        channel.on("message", received)

    def _flush(self) -> None:
        for data in self._unsent:
            self._reliable.send(data)
        self._unsent.clear()

    def _peer(self, target: int) -> RTCPeerConnection:
        pc = RTCPeerConnection(peer_configuration())

        @pc.on("connectionstatechange")
        def changed() -> None:
            if pc.connectionState == "connected":
                self.hub.record_ice(self, pc, target)
                if not self.active:
                    self.active = True
                    self.hub.participant_active(self.room, self)

        return pc

    async def _add_candidates(self, target: int) -> None:
        pc = self._publisher if target == PUBLISHER else self._subscriber
        if pc is None or pc.remoteDescription is None:
            return
        waiting, self._candidates[target] = self._candidates[target], []
        for init in waiting:
            candidate = loopback_candidate(init)
            if candidate is None:
                self.hub.refused_candidates.append(init)
            else:
                await pc.addIceCandidate(candidate)
