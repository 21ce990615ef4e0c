"""The call page (call_page.html and livekit-client's UMD build beside it) on an origin of its
own, with an optional backend route (`POST /backend`) answering a token the test chooses, and
the driver that holds a call on it in Chromium."""

import http.server
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.browser.conftest import DEMO_WEB
from tests.browser.drivers import run_driver
from tests.support.loopback_http import loopback_server

HERE = Path(__file__).parent
PAGE = HERE / "call_page.html"
DRIVER = HERE / "drive_call.mjs"
LIVEKIT_CLIENT = DEMO_WEB / "node_modules" / "livekit-client" / "dist" / "livekit-client.umd.js"
Backend = Callable[[], dict[str, Any]]


@contextmanager
def call_page(backend: Backend | None = None) -> Iterator[str]:
    """Yields the page's URL; `backend` answers the page's `POST /backend` (the customer's
    server asking the seed route for a token)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            if path.startswith("/livekit-client.umd.js"):
                return str(LIVEKIT_CLIENT)
            return str(PAGE)

        def do_POST(self) -> None:
            body = json.dumps(backend() if backend else {}).encode()
            self.send_response(200 if backend else 404)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    with loopback_server(Handler) as origin:
        yield f"{origin}/call.html"


def hold_call(chromium: str, page: str, plan: dict[str, Any], timeout: float = 60) -> Any:
    """Runs `plan` on the page (see drive_call.mjs); returns {log, closed, ice}."""
    return run_driver(DRIVER, chromium, page, plan, timeout)


def entries(outcome: Any, kind: str) -> list[dict[str, Any]]:
    return [e for e in outcome["log"] if e["kind"] == kind]


def agent_states(outcome: Any) -> list[str]:
    """The agent states the page saw, from the first one after `initializing`."""
    return after_initializing([e["state"] for e in entries(outcome, "agent_state")])


def after_initializing(states: list[str]) -> list[str]:
    """`states` without a first `initializing`: whether a page meets the agent before it
    leaves `initializing` depends on when it joined, and a page reports the state it meets."""
    return states[1:] if states[:1] == ["initializing"] else states
