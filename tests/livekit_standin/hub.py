"""The server side of the stand-in: the `/rtc` endpoints, rooms by name, agent dispatch,
LiveKit's webhooks and the record tests read."""

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiortc import RTCPeerConnection
from livekit.protocol import models

from tests.livekit_standin.agent import ScriptedAgent
from tests.livekit_standin.room import Member, Room
from tests.livekit_standin.script import AgentScript
from tests.livekit_standin.session import ClientSession
from tests.livekit_standin.tokens import Admission, Refused, admit
from tests.livekit_standin.webhooks import WebhookSender
from tests.livekit_standin.wire import leave

log = logging.getLogger(__name__)
Reason = models.DisconnectReason
V1_MISSING = "v1 signalling is not served here"  # never "requested room does not exist"


@dataclass(frozen=True)
class IcePair:
    """The candidate pair one peer connection uses: the stand-in's address, the browser's."""

    identity: str
    target: str
    local: str
    remote: str


@dataclass
class Hub:
    api_key: str
    api_secret: str
    agents: Mapping[str, AgentScript]
    webhooks: WebhookSender
    departure_timeout: float = 0.5
    reconnect_grace: float = 5.0
    refuse_resume: bool = False
    rooms: dict[str, Room] = field(default_factory=dict)
    finished: list[str] = field(default_factory=list)
    dispatched: dict[str, list[ScriptedAgent]] = field(default_factory=dict)
    sessions: list[ClientSession] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    ice_pairs: list[IcePair] = field(default_factory=list)
    refused_candidates: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)  # identities whose every attempt fails
    resumed: list[str] = field(default_factory=list)
    left: list[tuple[str, str, int | None]] = field(default_factory=list)  # room, identity, reason
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/rtc", self._rtc), web.get("/rtc/{rest:.*}", self._rtc)]

    async def _rtc(self, request: web.Request) -> web.StreamResponse:
        self.paths.append(request.path_qs)
        try:
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            given = request.query.get("access_token") or bearer  # as livekit-server: either
            admission = admit(given, self.api_key, self.api_secret)
        except Refused as refused:
            self.refusals.append(str(refused))
            return _answer(401, str(refused))
        if admission.identity in self.unreachable:
            return _answer(503, "livekit stand-in: this participant cannot reach the server")
        if request.path.startswith("/rtc/v1"):
            return _answer(404, V1_MISSING)
        if request.path == "/rtc/validate":
            return _answer(200, "success")
        if request.path != "/rtc":
            return _answer(404, "not found")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        if request.query.get("reconnect") == "1":
            resumable = [
                s
                for s in self.sessions
                if s.sid == request.query.get("sid") and s.identity == admission.identity
            ]
            if resumable and not resumable[0].closed and not self.refuse_resume:
                await resumable[0].resume(ws)
                return ws
            # Unknown or ended: the client is sent to a full reconnect (a new join).
            await ws.send_bytes(
                leave(Reason.STATE_MISMATCH, can_reconnect=True).SerializeToString()
            )
            await ws.close()
            return ws
        await self._join(admission, ws)
        return ws

    async def _join(self, admission: Admission, ws: web.WebSocketResponse) -> None:
        room = self.rooms.get(admission.room)
        created = room is None
        if room is None:
            room = self.rooms[admission.room] = Room(admission.room)
            self.webhooks.send("room_started", room.proto())
        assert room is not None
        earlier = room.members.get(admission.identity)
        if earlier is not None:
            await earlier.disconnect(Reason.DUPLICATE_IDENTITY)
        session = ClientSession(self, room, admission, ws)
        self.sessions.append(session)
        if created:
            self._dispatch(room, admission.agent_names)
        await session.run()

    def _dispatch(self, room: Room, names: tuple[str, ...]) -> None:
        """As LiveKit: only a join that creates the room dispatches; unknown names get no one."""
        for name in names:
            script = self.agents.get(name)
            if script is None:
                continue
            agent = ScriptedAgent(self, room, name, script)
            self.dispatched.setdefault(room.name, []).append(agent)
            self._spawn(agent.run())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def participant_active(self, room: Room, member: Member) -> None:
        self.webhooks.send("participant_joined", room.proto(), member.info())

    def participant_gone(
        self, room: Room, member: Member, aborted: bool, reason: int | None
    ) -> None:
        info = member.info()
        info.state = models.ParticipantInfo.State.DISCONNECTED
        if reason is not None:
            info.disconnect_reason = reason  # type: ignore[assignment]
        self.left.append((room.name, member.identity, reason))
        event = "participant_connection_aborted" if aborted else "participant_left"
        self.webhooks.send(event, room.proto(), info)
        agent_kind = models.ParticipantInfo.Kind.AGENT
        callers = [m for m in room.members.values() if m.info().kind != agent_kind]
        if info.kind != agent_kind and not callers:
            for agent in self.dispatched.get(room.name, []):
                agent.caller_left()
        if not room.members:
            self._spawn(self._finish_if_empty(room))

    async def _finish_if_empty(self, room: Room) -> None:
        await asyncio.sleep(self.departure_timeout)
        if not room.members:
            self._finish(room)

    def _finish(self, room: Room) -> None:
        if room.closed:
            return
        room.closed = True
        if self.rooms.get(room.name) is room:
            del self.rooms[room.name]
        self.finished.append(room.name)
        self.webhooks.send("room_finished", room.proto())

    async def delete_room(self, room: Room, reason: int = Reason.ROOM_DELETED) -> None:
        """RoomService.DeleteRoom: every participant gets a leave with `reason`."""
        for member in list(room.members.values()):
            with contextlib.suppress(Exception):
                await member.disconnect(reason)
        self._finish(room)

    def record_ice(self, session: ClientSession, pc: RTCPeerConnection, target: int) -> None:
        name = "publisher" if target == 0 else "subscriber"
        for transport in pc._RTCPeerConnection__iceTransports:  # type: ignore[attr-defined]
            for pair in transport._connection._nominated.values():
                local = pair.local_candidate.host
                self.ice_pairs.append(IcePair(session.identity, name, local, pair.remote_addr[0]))


def _answer(status: int, text: str) -> web.Response:
    """livekit-client reads these with fetch() from the page's origin: CORS as livekit-server."""
    return web.Response(status=status, text=text, headers={"Access-Control-Allow-Origin": "*"})
