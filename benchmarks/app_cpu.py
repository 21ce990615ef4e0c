"""Micro-benchmark: the app's own CPU per token request, with no server, socket or database.
`python -m benchmarks.app_cpu` (`make app-cpu`).

It drives the ASGI callable of the in-memory diagnostic (`ours_in_memory.py`: the production
app, caches and middleware over in-memory stores) directly, one request after another, and
reports the best and the median of 10 batches in process CPU time (`time.process_time`).
It leaves out the MongoDB adapter (the insert and its batching) and the server. On a shared
or throttled machine the best batch is the stable number: compare it before and after a
change, in the same minute.
"""

import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from benchmarks.ours_in_memory import (
    CREDENTIALS_ENV,
    PUBLISHABLE_CREDENTIALS_ENV,
    create_in_memory_app,
)
from benchmarks.seed import BENCH_ORIGIN, Credential, write_credentials
from benchmarks.signing import SETTINGS as LIVEKIT
from benchmarks.targets import LIVEKIT_TOKEN_PATH, TOKEN_PATH

Message = dict[str, Any]
App = Callable[
    [Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Coroutine[Any, Any, None],
]
BATCHES = 10
ROUTES_ENV = "APP_CPU_ROUTES"  # a comma-separated subset, e.g. for a profile of one route


def _scope(path: str, api_key: str, body: bytes) -> Message:
    origin = [(b"origin", BENCH_ORIGIN.encode())] if path == LIVEKIT_TOKEN_PATH else []
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {api_key}".encode()),
            (b"content-length", str(len(body)).encode()),
            *origin,
        ],
    }


def _body(path: str, credential: Credential) -> bytes:
    """The body each route's callers send: the seed route's, or LiveKit's TokenSource's."""
    if path == LIVEKIT_TOKEN_PATH:
        return (
            b'{"participant_name":"Bench","room_config":{"agents":[{"agent_name":"%s",'
            b'"metadata":"{\\"source\\":\\"bench\\"}"}]}}' % credential.agent_id.encode()
        )
    return b'{"agent_id":"%s","metadata":{"source":"bench"}}' % credential.agent_id.encode()


async def _request(app: App, path: str, credential: Credential) -> int:
    body = _body(path, credential)
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> Message:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(_scope(path, credential.api_key, body), receive, send)
    return statuses[0]


async def _started(app: App) -> asyncio.Task[None]:
    started = asyncio.Event()

    async def receive() -> Message:
        if not started.is_set():
            return {"type": "lifespan.startup"}
        await asyncio.Event().wait()
        raise AssertionError

    async def send(message: Message) -> None:
        started.set()

    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    )
    await started.wait()
    return lifespan


async def measure(routes: dict[str, list[Credential]], requests: int) -> dict[str, Any]:
    """Per route: the best and the median of BATCHES batches, in CPU microseconds a request."""
    app: App = create_in_memory_app()  # type: ignore[assignment]
    lifespan = await _started(app)
    results: dict[str, Any] = {}
    try:
        for path, credentials in routes.items():
            for n in range(500):  # warm the caches and the interpreter
                assert 200 <= await _request(app, path, credentials[n % len(credentials)]) < 300
            per_batch = requests // BATCHES
            batches = []
            for _ in range(BATCHES):
                started = time.process_time()
                for n in range(per_batch):
                    await _request(app, path, credentials[n % len(credentials)])
                batches.append((time.process_time() - started) / per_batch * 1e6)
            results[path] = {
                "best_us": round(min(batches), 1),
                "median_us": round(statistics.median(batches), 1),
            }
    finally:
        lifespan.cancel()
    return results


def main(requests: int = int(os.environ.get("APP_CPU_REQUESTS", 5_000)), pairs: int = 4) -> None:
    secret = [
        Credential(f"rtk_{secrets.token_urlsafe(32)}", str(uuid.uuid4())) for _ in range(pairs)
    ]
    publishable = [Credential(f"rtpk_{secrets.token_urlsafe(32)}", "bench-agent") for _ in secret]
    with tempfile.TemporaryDirectory() as scratch, open(os.devnull, "w") as access_log:
        os.environ.update(
            {
                CREDENTIALS_ENV: str(write_credentials(secret, Path(scratch) / "secret.txt")),
                PUBLISHABLE_CREDENTIALS_ENV: str(
                    write_credentials(publishable, Path(scratch) / "publishable.txt")
                ),
                "LIVEKIT_URL": LIVEKIT.url,
                "LIVEKIT_API_KEY": LIVEKIT.api_key,
                "LIVEKIT_API_SECRET": LIVEKIT.api_secret,
                "RATE_LIMIT_PER_MINUTE": str(10**9),
                "PUBLISHABLE_KEY_RATE_LIMIT_PER_IP": str(10**9),
                "MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY": str(10**9),  # counted, never 429
            }
        )
        report, sys.stdout = sys.stdout, access_log  # one log line a request, not measured
        try:
            routes = {TOKEN_PATH: secret, LIVEKIT_TOKEN_PATH: publishable}
            if chosen := os.environ.get(ROUTES_ENV):
                routes = {path: routes[path] for path in chosen.split(",")}
            result = asyncio.run(measure(routes, requests))
        finally:
            sys.stdout = report
    print(json.dumps(result))


if __name__ == "__main__":
    main()
