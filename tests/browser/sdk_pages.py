"""A customer's pages built on the browser SDK, on an origin of their own: `iife.html` (the
script-tag build) and `esm.html` (the ES build beside livekit-client's, by an import map),
both running sdk_page/harness.js; `POST /backend?agent=NAME` is the customer's server asking
the seed route for a token. `drive_sdk` holds calls on them in Chromium."""

import http.server
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.browser.drivers import run_driver
from tests.support.loopback_http import loopback_server

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
PAGES = HERE / "sdk_page"
SDK_DIST = ROOT / "sdk" / "web" / "dist"
LIVEKIT_ESM = (
    ROOT / "sdk" / "web" / "node_modules" / "livekit-client" / "dist" / "livekit-client.esm.mjs"
)
DRIVER = HERE / "drive_sdk.mjs"
Backend = Callable[[str], dict[str, Any]]


def _file_for(path: str) -> Path | None:
    if path.startswith("/sdk/"):
        return SDK_DIST / path.removeprefix("/sdk/")
    if path == "/livekit-client.esm.mjs":
        return LIVEKIT_ESM
    if path in ("/iife.html", "/esm.html", "/harness.js"):
        return PAGES / path.removeprefix("/")
    return None


@contextmanager
def sdk_pages(backend: Backend) -> Iterator[str]:
    """Yields the origin (`http://127.0.0.1:PORT`)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            file = _file_for(urlsplit(self.path).path)
            if file is None or not file.is_file():
                self._send(404, b"not found", "text/plain")
                return
            kind = "text/html" if file.suffix == ".html" else "text/javascript"
            self._send(200, file.read_bytes(), kind)

        def do_POST(self) -> None:
            agent = parse_qs(urlsplit(self.path).query).get("agent", [""])[0]
            self._send(200, json.dumps(backend(agent)).encode(), "application/json")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    with loopback_server(Handler) as origin:
        yield origin


def drive_sdk(chromium: str, page: str, plan: dict[str, Any], timeout: float = 90) -> Any:
    """Runs `plan` on the page (see drive_sdk.mjs and sdk_page/harness.js): {log, done, console}."""
    outcome = run_driver(DRIVER, chromium, page, plan, timeout)
    assert outcome["done"], outcome
    return outcome


def events(outcome: Any, *kinds: str) -> list[dict[str, Any]]:
    return [e for e in outcome["log"] if not kinds or e["kind"] in kinds]


def kinds(outcome: Any) -> list[str]:
    return [e["kind"] for e in outcome["log"]]
