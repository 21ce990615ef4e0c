"""A tenant's webhook endpoint on loopback: each delivery verified with `standardwebhooks`
against the secrets of the endpoints that may have signed it, as a receiver would."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from standardwebhooks import Webhook

from tests.support.loopback_http import loopback_server


@dataclass
class TenantReceiver:
    """The tenant's endpoint: records each delivery, verified with `standardwebhooks`."""

    secrets: list[str] = field(default_factory=list)  # one per tenant's endpoint
    events: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def receive(self, headers: dict[str, str], body: str) -> None:
        for secret in self.secrets:
            try:
                self.events.append(Webhook(secret).verify(body, headers))
                return
            except Exception:  # noqa: S112 - another tenant's secret may sign it
                continue
        self.rejected.append(body[:200])  # recorded, never accepted

    def of_call(self, call_id: str) -> list[dict[str, Any]]:
        mine = [e for e in self.events if e["data"]["id"] == call_id]
        return sorted(mine, key=lambda e: e["sequence"])

    def wait_for(self, call_id: str, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.of_call(call_id)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.of_call(call_id)


@contextmanager
def receiving(receiver: TenantReceiver) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            receiver.receive({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    with loopback_server(Handler) as origin:
        yield f"{origin}/hook"
