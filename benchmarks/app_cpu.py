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

from benchmarks.ours_in_memory import CREDENTIALS_ENV, create_in_memory_app
from benchmarks.seed import Credential, write_credentials
from benchmarks.signing import SETTINGS as LIVEKIT
from benchmarks.targets import TOKEN_PATH

Message = dict[str, Any]
App = Callable[
    [Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Coroutine[Any, Any, None],
]
BATCHES = 10


def _scope(api_key: str, body: bytes) -> Message:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": TOKEN_PATH,
        "raw_path": TOKEN_PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {api_key}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }


async def _request(app: App, credential: Credential) -> int:
    body = b'{"agent_id":"%s","metadata":{"source":"bench"}}' % credential.agent_id.encode()
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

    await app(_scope(credential.api_key, body), receive, send)
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


async def measure(credentials: list[Credential], requests: int) -> dict[str, float]:
    app: App = create_in_memory_app()  # type: ignore[assignment]
    lifespan = await _started(app)
    try:
        for n in range(500):  # warm the caches and the interpreter
            assert await _request(app, credentials[n % len(credentials)]) == 200
        per_batch = requests // BATCHES
        batches = []
        for _ in range(BATCHES):
            started = time.process_time()
            for n in range(per_batch):
                await _request(app, credentials[n % len(credentials)])
            batches.append((time.process_time() - started) / per_batch * 1e6)
    finally:
        lifespan.cancel()
    return {"best_us": round(min(batches), 1), "median_us": round(statistics.median(batches), 1)}


def main(requests: int = 5_000, pairs: int = 4) -> None:
    credentials = [
        Credential(f"rtk_{secrets.token_urlsafe(32)}", str(uuid.uuid4())) for _ in range(pairs)
    ]
    with tempfile.TemporaryDirectory() as scratch, open(os.devnull, "w") as access_log:
        path = write_credentials(credentials, Path(scratch) / "credentials.txt")
        os.environ.update(
            {
                CREDENTIALS_ENV: str(path),
                "LIVEKIT_URL": LIVEKIT.url,
                "LIVEKIT_API_KEY": LIVEKIT.api_key,
                "LIVEKIT_API_SECRET": LIVEKIT.api_secret,
                "RATE_LIMIT_PER_MINUTE": str(10**9),
            }
        )
        report, sys.stdout = sys.stdout, access_log  # one log line a request, not measured
        try:
            result = asyncio.run(measure(credentials, requests))
        finally:
            sys.stdout = report
    print(json.dumps(result))


if __name__ == "__main__":
    main()
