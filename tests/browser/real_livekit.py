"""A real livekit-server as the LiveKit under test (issue 17.10). LiveKit dispatches agents
to registered workers only, so the agent is played here: a Python `livekit` rtc participant
with an agent grant (kind `agent`) joins each new room whose dispatch names a script, and
plays it as the stand-in's agent does. livekit-server's own config decides where its
webhooks go: point them at http://127.0.0.1:$LIVEKIT_TEST_SERVICE_PORT/v1/livekit/webhook."""

import asyncio
import contextlib
import math
import os
import threading
import uuid
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from livekit import api, rtc

from tests.browser.livekit_under_test import REAL_KEY, REAL_SECRET, REAL_SERVICE_PORT
from tests.livekit_standin import script as s
from tests.livekit_standin.media import SILENCE

STATE = "lk.agent.state"
RATE, FRAME = 48_000, 480


class RtcAgent:
    """One room's agent, played with livekit rtc on the watcher's loop."""

    def __init__(self, real: "RealLiveKit", room_name: str, script: s.AgentScript) -> None:
        self._real, self.room_name, self.script = real, room_name, script
        self.identity = f"agent-AJ_{uuid.uuid4().hex[:12]}"
        self.room = rtc.Room()
        self.heard = asyncio.Event()
        self.error: str | None = None
        self._voice: rtc.LocalAudioTrack | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def heard_caller(self) -> bool:
        return self.heard.is_set()

    def failure(self) -> str | None:
        return self.error

    async def play(self) -> None:
        try:
            await asyncio.sleep(self.script.join_delay)
            await self._join()
            for step in self.script.steps:
                await self._do(step)
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
        finally:
            with contextlib.suppress(Exception):
                await self.room.disconnect()

    async def _join(self) -> None:
        token = (
            api.AccessToken(self._real.api_key, self._real.api_secret)
            .with_identity(self.identity)
            .with_kind("agent")
            .with_attributes({STATE: "initializing"})
            .with_grants(api.VideoGrants(room_join=True, room=self.room_name, agent=True))
            .to_jwt()
        )
        self.room.on("track_subscribed", self._on_track)
        for name, answer in self.script.rpc_methods.items():
            self.room.local_participant.register_rpc_method(name, _responder(answer))
        await self.room.connect(self._real.url, token)
        source = rtc.AudioSource(RATE, 1)
        self._voice = rtc.LocalAudioTrack.create_audio_track("agent_voice", source)
        options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        await self.room.local_participant.publish_track(self._voice, options)
        self._spawn(_tone(source, self.script.tone_hz))

    async def _do(self, step: s.Step) -> None:
        participant = self.room.local_participant
        if isinstance(step, s.State):
            await participant.set_attributes({STATE: step.value})
        elif isinstance(step, s.Wait):
            await asyncio.sleep(step.seconds)
        elif isinstance(step, s.WaitForAudio):
            await asyncio.wait_for(self.heard.wait(), step.timeout)
        elif isinstance(step, s.Say):
            await self._say(step.text)
        elif isinstance(step, s.Hear):
            await self._hear(step)
        elif isinstance(step, s.CallRpc):
            caller = self._caller()
            await participant.perform_rpc(
                destination_identity=caller.identity, method=step.method, payload=step.payload
            )
        elif isinstance(step, s.Leave):
            await self.room.disconnect()
        elif isinstance(step, s.DeleteRoom):
            async with self._real.client() as lk:
                await lk.room.delete_room(api.DeleteRoomRequest(room=self.room_name))

    def _caller(self) -> rtc.RemoteParticipant:
        return next(p for p in self.room.remote_participants.values() if p.kind != 4)

    async def _say(self, text: str) -> None:
        assert self._voice is not None
        track = {"lk.transcribed_track_id": self._voice.sid}
        attributes = {"lk.transcription_final": "false", **track}
        attributes["lk.segment_id"] = f"SG_{uuid.uuid4().hex[:12]}"
        writer = await self.room.local_participant.stream_text(
            topic="lk.transcription", attributes=attributes
        )
        for word in text.split(" "):
            await writer.write(word if word == text.split(" ")[-1] else f"{word} ")
        await writer.aclose(attributes={"lk.transcription_final": "true", **track})

    async def _hear(self, step: s.Hear) -> None:
        caller = self._caller()
        tracks = list(caller.track_publications)
        segment = f"SG_{uuid.uuid4().hex[:12]}"
        texts = [(t, "false") for t in step.interim] + [(step.final, "true")]
        for text, final in texts:
            attributes = {"lk.segment_id": segment, "lk.transcription_final": final}
            attributes["lk.transcribed_track_id"] = tracks[0] if tracks else ""
            writer = await self.room.local_participant.stream_text(
                topic="lk.transcription", attributes=attributes, sender_identity=caller.identity
            )
            await writer.write(text)
            await writer.aclose()

    def _on_track(self, track: rtc.Track, *_: Any) -> None:
        if track.kind == rtc.TrackKind.KIND_AUDIO:
            self._spawn(self._listen(track))

    async def _listen(self, track: rtc.Track) -> None:
        async for event in rtc.AudioStream(track, sample_rate=RATE, num_channels=1):
            samples = np.frombuffer(event.frame.data, dtype=np.int16) / 32768.0
            if samples.size and math.sqrt(float(np.mean(samples**2))) > SILENCE:
                self.heard.set()

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _responder(answer: s.Answer) -> Any:
    def respond(data: rtc.RpcInvocationData) -> str:
        return answer(data.payload) if callable(answer) else answer

    return respond


async def _tone(source: rtc.AudioSource, frequency: float) -> None:
    sent = 0
    while True:
        t = (np.arange(FRAME) + sent) / RATE
        samples = (0.3 * np.sin(2 * math.pi * frequency * t) * 32767).astype(np.int16)
        await source.capture_frame(rtc.AudioFrame(samples.tobytes(), RATE, 1, FRAME))
        sent += FRAME


class RealLiveKit:
    """`LiveKitUnderTest` for a real server; a watcher joins an `RtcAgent` to each room
    created while it runs whose dispatch (`roomConfig.agents`) names a script."""

    def __init__(self, url: str, agents: Mapping[str, s.AgentScript]) -> None:
        port = os.environ.get(REAL_SERVICE_PORT)
        if not port:
            pytest.skip(f"{REAL_SERVICE_PORT}: the port livekit-server posts webhooks to")
        self.url = url
        self.api_key = os.environ.get(REAL_KEY, "devkey")
        self.api_secret = os.environ.get(REAL_SECRET, "secret")
        self.service_port: int | None = int(port)
        self._scripts = dict(agents)
        self._agents: dict[str, RtcAgent] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._watching: asyncio.Future[None] | None = None

    def __enter__(self) -> "RealLiveKit":
        self._thread.start()
        self._watching = asyncio.run_coroutine_threadsafe(self._watch(), self._loop)  # type: ignore[assignment]
        return self

    def __exit__(self, *_: object) -> None:
        if self._watching is not None:
            self._watching.cancel()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def client(self) -> api.LiveKitAPI:
        http = self.url.replace("ws://", "http://").replace("wss://", "https://")
        return api.LiveKitAPI(http, self.api_key, self.api_secret)

    def send_webhooks_to(self, url: str) -> None:
        assert f":{self.service_port}/" in url, "livekit-server's config fixes this URL"

    def agent_in(self, room: str, timeout: float = 15) -> RtcAgent:
        deadline = self._loop.time() + timeout
        while room not in self._agents:
            assert self._loop.time() < deadline, f"no agent joined {room}"
            threading.Event().wait(0.05)
        return self._agents[room]

    async def _watch(self) -> None:
        async with self.client() as lk:
            while True:
                rooms = await lk.room.list_rooms(api.ListRoomsRequest())
                for room in rooms.rooms:
                    if room.name not in self._agents:
                        await self._dispatch(lk, room.name)
                await asyncio.sleep(0.2)

    async def _dispatch(self, lk: api.LiveKitAPI, room: str) -> None:
        for dispatch in await lk.agent_dispatch.list_dispatch(room):
            script = self._scripts.get(dispatch.agent_name)
            if script is not None:
                agent = self._agents[room] = RtcAgent(self, room, script)
                agent._spawn(agent.play())
                return
