"""The agent LiveKit would dispatch for a token's `roomConfig.agents`, played by a script: a
participant of kind AGENT with `lk.agent.state`, a tone for a voice, ears on the caller's
microphone, transcripts and RPC the way LiveKit Agents sends them."""

import asyncio
import contextlib
import logging
import uuid
from typing import TYPE_CHECKING

from aiortc import MediaStreamTrack
from livekit.protocol import models

from tests.livekit_standin import script as s
from tests.livekit_standin.media import Hearing, ToneTrack, listen
from tests.livekit_standin.room import Member, Room
from tests.livekit_standin.wire import (
    TRANSCRIPTION,
    audio_track,
    now_ms,
    rpc_ack,
    rpc_request,
    rpc_response,
    sid,
    text_stream,
)

if TYPE_CHECKING:
    from tests.livekit_standin.hub import Hub

log = logging.getLogger(__name__)
STATE = "lk.agent.state"
Kind = models.ParticipantInfo.Kind


class ScriptedAgent(Member):
    def __init__(self, hub: "Hub", room: Room, dispatch_name: str, script: s.AgentScript):
        self.hub, self.room, self.script = hub, room, script
        self.dispatch_name = dispatch_name
        self.sid = sid("PA")
        self.identity = f"agent-{sid('AJ')}"
        self.attributes = {STATE: "initializing"}
        self.version = 1
        self.joined_at = now_ms()
        self.voice = ToneTrack(script.tone_hz)
        self.track = audio_track(sid("TR"), "agent_voice", models.TrackSource.MICROPHONE)
        self.hearing: dict[str, Hearing] = {}
        self.heard = asyncio.Event()
        self.states: list[str] = ["initializing"]
        self.rpc_received: list[tuple[str, str, str]] = []  # (caller, method, payload)
        self.rpc_answers: dict[str, str] = {}
        self.error: str | None = None
        self.finished = asyncio.Event()
        self.left = False
        self._pending: dict[str, asyncio.Future[str]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._heard_tracks: dict[str, str] = {}
        self._run: asyncio.Task[object] | None = None

    def info(self) -> models.ParticipantInfo:
        return models.ParticipantInfo(
            sid=self.sid,
            identity=self.identity,
            name=self.dispatch_name,
            state=models.ParticipantInfo.State.ACTIVE,
            tracks=[self.track],
            joined_at=self.joined_at // 1000,
            joined_at_ms=self.joined_at,
            version=self.version,
            kind=Kind.AGENT,
            attributes=self.attributes,
            is_publisher=True,
        )

    async def run(self) -> None:
        self._run = asyncio.current_task()
        try:
            await asyncio.sleep(self.script.join_delay)
            if self.room.closed:
                return
            self.room.add(self)
            self.room.broadcast_update(self.info(), skip=self)
            self.hub.participant_active(self.room, self)
            self.room.publish(self, self.track, self.voice)
            for step in self.script.steps:
                if self.left:
                    return
                await self._do(step)
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
            log.warning("scripted agent failed: %s", self.error)
        finally:
            self.finished.set()

    async def _do(self, step: s.Step) -> None:
        if isinstance(step, s.State):
            self.set_state(step.value)
        elif isinstance(step, s.Wait):
            await asyncio.sleep(step.seconds)
        elif isinstance(step, s.WaitForAudio):
            await asyncio.wait_for(self.heard.wait(), step.timeout)
        elif isinstance(step, s.Say):
            self._say(step)
        elif isinstance(step, s.Hear):
            self._hear(step)
        elif isinstance(step, s.CallRpc):
            await self._call(step)
        elif isinstance(step, s.Leave):
            await self.disconnect(models.DisconnectReason.CLIENT_INITIATED)
        elif isinstance(step, s.DeleteRoom):
            await self.hub.delete_room(self.room, step.reason)

    def set_state(self, value: str) -> None:
        self.attributes = {**self.attributes, STATE: value}
        self.states.append(value)
        self.version += 1
        self.room.broadcast_update(self.info(), skip=self)

    def _caller(self) -> Member | None:
        return next((m for m in self.room.others(self) if m.info().kind != Kind.AGENT), None)

    def _say(self, step: s.Say) -> None:
        words = step.text.split(" ")
        size = max(1, -(-len(words) // max(1, step.chunks)))
        pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
        pieces = [p + (" " if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]
        # As LiveKit Agents' delta stream: final "false" and the ids in the header, final
        # "true" (and the track again) in the trailer.
        track = {"lk.transcribed_track_id": self.track.sid}
        attributes = {"lk.transcription_final": "false", **track}
        attributes["lk.segment_id"] = f"SG_{uuid.uuid4().hex[:12]}"
        trailer = {"lk.transcription_final": "true", **track}
        for packet in text_stream(self.identity, pieces, TRANSCRIPTION, attributes, trailer):
            self.room.send_data(self, packet)

    def _hear(self, step: s.Hear) -> None:
        caller = self._caller()
        if caller is None:
            return
        tracks = caller.info().tracks
        segment = f"SG_{uuid.uuid4().hex[:12]}"
        base = {
            "lk.segment_id": segment,
            "lk.transcribed_track_id": tracks[0].sid if tracks else "",
        }
        texts = [(t, "false") for t in step.interim] + [(step.final, "true")]
        for text, final in texts:
            attributes = {**base, "lk.transcription_final": final}
            for packet in text_stream(caller.identity, [text], TRANSCRIPTION, attributes):
                self.room.send_data(self, packet, on_behalf_of=caller)

    async def _call(self, step: s.CallRpc) -> None:
        caller = self._caller()
        if caller is None:
            raise RuntimeError("no caller to call")
        request_id = str(uuid.uuid4())
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = answer
        timeout_ms = int(step.timeout * 1000)
        packet = rpc_request(
            self.identity, caller.identity, request_id, step.method, step.payload, timeout_ms
        )
        self.room.send_data(self, packet)
        try:
            self.rpc_answers[step.method] = await asyncio.wait_for(answer, step.timeout)
        except TimeoutError:
            self.rpc_answers[step.method] = "error: timed out"
        finally:
            self._pending.pop(request_id, None)

    def signal(self, message: object) -> None:
        return

    def deliver(self, packet: models.DataPacket) -> None:
        case = packet.WhichOneof("value")
        if case == "rpc_request":
            self._answer(packet.participant_identity, packet.rpc_request)
        elif case == "rpc_response":
            response = packet.rpc_response
            future = self._pending.get(response.request_id)
            if future is not None and not future.done():
                which = response.WhichOneof("value")
                text = (
                    response.payload if which == "payload" else f"error: {response.error.message}"
                )
                future.set_result(text)

    def _answer(self, caller: str, request: models.RpcRequest) -> None:
        self.rpc_received.append((caller, request.method, request.payload))
        sender = self.room.members.get(caller)
        if sender is None:
            return
        self.room.send_data(self, rpc_ack(self.identity, caller, request.id))
        answer = self.script.rpc_methods.get(request.method)
        if answer is None:
            packet = rpc_response(self.identity, caller, request.id, None, "Method not supported")
        else:
            text = answer(request.payload) if callable(answer) else answer
            packet = rpc_response(self.identity, caller, request.id, text, None)
        self.room.send_data(self, packet)

    def hearing_track(self, identity: str) -> str:
        """The sid of the track the agent listened to from `identity`."""
        return self._heard_tracks[identity]

    def subscribe(
        self, publisher: Member, track: models.TrackInfo, media: MediaStreamTrack
    ) -> None:
        hearing = self.hearing.setdefault(publisher.identity, Hearing())
        self._heard_tracks[publisher.identity] = track.sid
        task = asyncio.create_task(listen(media, hearing, self.heard))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def caller_left(self) -> None:
        if self.script.leave_with_caller and not self.left:
            task = asyncio.create_task(self.disconnect(models.DisconnectReason.CLIENT_INITIATED))
            self._tasks.add(task)

    async def disconnect(self, reason: int) -> None:
        if self.left:
            return
        self.left = True
        self.voice.stop()
        if self._run is not None and self._run is not asyncio.current_task():
            self._run.cancel()
        for task in list(self._tasks):
            if task is not asyncio.current_task():
                task.cancel()
        with contextlib.suppress(Exception):
            if self.room.remove(self):
                self.hub.participant_gone(self.room, self, aborted=False, reason=reason)
