"""A stand-in for a LiveKit server's signalling endpoint: it records every connection attempt
and admits none. livekit-client opens `<LIVEKIT_URL>/rtc/v1?access_token=…` (falling back to
`/rtc`), and after a failure asks `…/validate` over plain HTTP."""

import threading
import time
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

REFUSAL = "livekit stand-in: no media server here"


class SignalStandIn:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self._server: Server | None = None
        self._arrived = threading.Condition()

    def start(self) -> "SignalStandIn":
        self._server = serve(self._admit, "127.0.0.1", 0, process_request=self._record)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"

    def first_access_token(self, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while not self.paths:
                if not self._arrived.wait(deadline - time.monotonic()):
                    raise TimeoutError("no signalling connection reached the stand-in")
        return parse_qs(urlsplit(self.paths[0]).query)["access_token"][0]

    def _record(self, connection: ServerConnection, request: Request) -> Response | None:
        with self._arrived:
            self.paths.append(request.path)
            self._arrived.notify_all()
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, REFUSAL)
        return None

    def _admit(self, connection: ServerConnection) -> None:
        connection.close(1011, REFUSAL)
