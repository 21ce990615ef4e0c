"""`LiveKitStandIn`: the stand-in on a free loopback port, its own event loop in a thread, so
synchronous tests (which drive Chromium through node) can start it, script it and read it."""

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from aiohttp import web

from tests.livekit_standin.agent import ScriptedAgent
from tests.livekit_standin.hub import Hub, IcePair
from tests.livekit_standin.network import restrict_ice_to_loopback
from tests.livekit_standin.script import AgentScript
from tests.livekit_standin.session import ClientSession
from tests.livekit_standin.webhooks import Sent, WebhookSender

T = TypeVar("T")


class LiveKitStandIn:
    """A LiveKit server for livekit-client 2.23, on 127.0.0.1 only.

    `agents` maps dispatch names (a token's `roomConfig.agents[].agentName`) to the script
    the dispatched agent plays; `webhook_url` receives LiveKit's signed webhooks."""

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        agents: Mapping[str, AgentScript] | None = None,
        webhook_url: str | None = None,
        departure_timeout: float = 0.5,
        reconnect_grace: float = 5.0,
    ) -> None:
        """`departure_timeout`: how long an empty room lives on; `reconnect_grace`: how long
        a participant whose signalling socket closed without a leave may resume."""
        self._args = (api_key, api_secret, dict(agents or {}), webhook_url, departure_timeout)
        self._grace = reconnect_grace
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._hub: Hub | None = None
        self.port = 0

    def __enter__(self) -> "LiveKitStandIn":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """What LIVEKIT_URL is set to."""
        return f"ws://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str | None:
        return self.hub.webhooks.url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        """Where LiveKit's webhooks go (settable once the receiving service is up)."""
        self.hub.webhooks.url = url

    @property
    def hub(self) -> Hub:
        assert self._hub is not None, "start() the stand-in first"
        return self._hub

    def start(self) -> "LiveKitStandIn":
        restrict_ice_to_loopback()
        self._thread.start()
        self.run(self._serve())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self.run(self._shutdown(), timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            if not self._thread.is_alive():
                self._loop.close()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 15) -> T:
        """Runs `coroutine` on the stand-in's loop and waits for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"livekit stand-in: {what} did not happen in {timeout} s")
            time.sleep(0.05)

    # What tests read ------------------------------------------------------------------------

    def agent(self, room: str, timeout: float = 15) -> ScriptedAgent:
        """The agent dispatched to `room` (waits for its dispatch)."""
        self.wait_for(lambda: bool(self.hub.dispatched.get(room)), f"an agent in {room}", timeout)
        return self.hub.dispatched[room][0]

    def agents_in(self, room: str) -> list[ScriptedAgent]:
        return list(self.hub.dispatched.get(room, []))

    def webhooks(self, room: str | None = None) -> list[Sent]:
        return [s for s in self.hub.webhooks.sent if room is None or s.room == room]

    def wait_webhooks_delivered(self, timeout: float = 15) -> None:
        self.run(asyncio.wait_for(self.hub.webhooks.drained(), timeout), timeout + 1)

    def ice_pairs(self) -> list[IcePair]:
        return list(self.hub.ice_pairs)

    def finished(self, room: str) -> bool:
        return room in self.hub.finished

    # What tests do -------------------------------------------------------------------------

    def drop_signalling(self, identity: str) -> None:
        """Closes that participant's signalling socket with no leave (a server fault)."""
        session = self._session(identity)
        self.run(session.drop())

    def drop_for_good(self, identity: str) -> None:
        """As `drop_signalling`, and every later attempt of that participant (resume, full
        reconnect, validate) fails with 503: the network is gone, reconnecting gives up."""
        self.hub.unreachable.add(identity)
        self.drop_signalling(identity)

    def delete_room(self, room: str) -> None:
        async def delete() -> None:
            found = self.hub.rooms.get(room)
            if found is not None:
                await self.hub.delete_room(found)

        self.run(delete())

    def redeliver(self, event: str, room: str, identity: str = "") -> Sent:
        """Posts an already sent webhook again, same id and body."""
        item = next(
            s
            for s in self.webhooks(room)
            if s.event == event and (not identity or s.identity == identity)
        )

        async def again() -> Sent:
            return self.hub.webhooks.redeliver(item)

        return self.run(again())

    def _session(self, identity: str) -> ClientSession:
        live = [s for s in self.hub.sessions if s.identity == identity and not s.closed]
        assert live, f"no live session for {identity}"
        return live[-1]

    async def _serve(self) -> None:
        api_key, api_secret, agents, webhook_url, departure = self._args
        webhooks = WebhookSender(webhook_url, api_key, api_secret)
        webhooks.start()
        self._hub = Hub(api_key, api_secret, agents, webhooks, departure, self._grace)
        app = web.Application()
        app.add_routes(self._hub.routes())
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        hub = self.hub
        for room in list(hub.rooms.values()):
            await hub.delete_room(room, 3)  # SERVER_SHUTDOWN
        with_timeout = asyncio.wait_for(hub.webhooks.drained(), 10)
        with contextlib.suppress(TimeoutError):
            await with_timeout
        await hub.webhooks.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        # Whatever aiortc and the scripts left running (readers, timers): nothing outlives stop().
        rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in rest:
            task.cancel()
        await asyncio.wait_for(asyncio.gather(*rest, return_exceptions=True), 10)
