"""The token routes' lean path (entrypoints/http/token_path.py) answers exactly as the Litestar
routes do: one battery of good and bad requests goes to two identical worlds, one app with the
lean path and one with the router only; status, headers, problem bodies, what is stored, the
metrics and the access log fields must match, and the good requests must be the lean path's."""

import contextlib
import io
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import structlog
from dependency_injector import providers
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.testing import AsyncTestClient
from litestar.types import Receive, Scope, Send

from adapters.livekit.settings import LiveKitSettings
from domain.call import Call
from domain.errors import StorageError
from entrypoints.http.app import create_app
from entrypoints.http.token_path import TokenPath
from entrypoints.logs import configure_logging
from tests.fakes.repositories import InMemoryCallRepository
from tests.support.token_battery import BATTERY, GOOD, SITE, Case, Seeds
from tests.support.world import TEST_LIVEKIT, World, fake_world

REQUEST_ID = "equivalence-test"
VARYING = ("client_token", "participant_token", "call_id", "room_name", "participant_identity")


async def _seeds(world: World) -> Seeds:
    seeded = await world.seed_tenant()
    other = await world.seed_tenant("Other")
    minted = await world.container.create_publishable_key()(seeded.tenant_id, [SITE])
    return Seeds(
        seeded.api_key,
        seeded.agent.id,
        seeded.agent.dispatch_name,
        other.agent.id,
        minted.plaintext,
    )


class RouterCalls:
    """Counts the requests the lean path hands to the router."""

    def __init__(self, app: Litestar) -> None:
        self.count = 0
        router = app.asgi_handler

        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == ScopeType.HTTP:
                self.count += 1
            await router(scope, receive, send)

        app.asgi_handler = counted


def _normalized(response: Any) -> dict[str, Any]:
    headers = dict(response.headers.items())
    if "allow" in headers:  # Litestar lists a route's methods from a set: any order
        headers["allow"] = sorted(headers["allow"].split(", "))
    body: Any = response.content
    if response.headers.get("content-type", "").endswith("json"):
        body = response.json()
    if 200 <= response.status_code < 300:
        headers.pop("content-length", None)
        if isinstance(body, dict):
            body = {k: "…" if k in VARYING else v for k, v in body.items()}
    return {"status": response.status_code, "headers": headers, "body": body}


def _metrics(world: World) -> list[str]:
    exposition = world.container.metrics().exposition().decode()
    names = ("realtime_tokens_issued_total", "realtime_tokens_errors_total", "_count{")
    return sorted(line for line in exposition.splitlines() if any(name in line for name in names))


async def _answers(
    world: World, cases: dict[str, Case], lean: bool, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, dict[str, Any], int]]:
    seeds = await _seeds(world)
    with monkeypatch.context() as patch, _logged() as log:
        if not lean:
            patch.setattr(TokenPath, "start", lambda self: None)
        app = create_app(world.container)
        calls = RouterCalls(app)
        async with AsyncTestClient(app) as client:
            for name, case in cases.items():
                request = case(seeds)
                before, logged = calls.count, log.tell()
                response = await client.request(
                    request.method,
                    request.path,
                    headers={"x-request-id": REQUEST_ID, **request.headers},
                    content=request.content,
                )
                answer = {**_normalized(response), "log": _log_lines(log, logged)}
                yield name, answer, calls.count - before


@contextlib.contextmanager
def _logged() -> Iterator[io.StringIO]:
    """Every log line, the access log's included, as JSON into a buffer of this test's."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    output = io.StringIO()
    configure_logging("json", stream=output)
    try:
        yield output
    finally:
        root.handlers, root.level = saved
        logging.captureWarnings(False)
        structlog.reset_defaults()


def _log_lines(output: io.StringIO, since: int) -> list[dict[str, Any]]:
    """The lines a request wrote, less what differs between two worlds or two runs."""
    lines = [json.loads(line) for line in output.getvalue()[since:].splitlines()]
    varying = {"timestamp", "latency_ms", "tenant_id", "call_id"}
    return [{k: "…" if k in varying else v for k, v in line.items()} for line in lines]


async def _both(
    make_world: Callable[[], World],
    cases: dict[str, Case],
    monkeypatch: pytest.MonkeyPatch,
    prepare: Callable[[World], Awaitable[None]] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
    answers: list[dict[str, Any]] = []
    lean_answered: set[str] = set()
    worlds = []
    for lean in (True, False):
        world = make_world()
        if prepare is not None:
            await prepare(world)
        got = {}
        async for name, answer, router_calls in _answers(world, cases, lean, monkeypatch):
            got[name] = answer
            if lean and router_calls == 0:
                lean_answered.add(name)
        answers.append(got)
        worlds.append(world)
    lean_world, router_world = worlds
    assert len(lean_world.calls.items) == len(router_world.calls.items)
    assert _metrics(lean_world) == _metrics(router_world)
    return answers[0], answers[1], lean_answered


async def test_the_battery_gets_the_same_answers_both_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lean, router, lean_answered = await _both(fake_world, BATTERY, monkeypatch)
    for name in BATTERY:
        assert lean[name] == router[name], name
    assert lean_answered >= GOOD, "the good requests take the lean path"
    assert {"duplicate key", "too large", "get", "idempotency key"}.isdisjoint(lean_answered)
    assert {lean[name]["status"] for name in GOOD} <= {200, 201}


async def test_rate_limits_refuse_alike_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = {f"{n}": BATTERY["good"] for n in range(3)}
    cases |= {f"livekit {n}": BATTERY["livekit good"] for n in range(3)}
    lean, router, _ = await _both(lambda: fake_world(rate_limit=2, per_ip=1), cases, monkeypatch)
    assert lean == router
    assert [lean[name]["status"] for name in cases] == [200, 200, 429, 201, 429, 429]


async def test_failed_authentication_locks_out_alike_both_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = {f"{n}": BATTERY["unknown key"] for n in range(3)} | {"then": BATTERY["good"]}
    lean, router, _ = await _both(lambda: fake_world(auth_failures=2), cases, monkeypatch)
    assert lean == router
    assert lean["then"]["status"] == 429


async def test_an_unconfigured_issuer_is_the_same_500_both_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unset = LiveKitSettings(url=TEST_LIVEKIT.url, api_key=TEST_LIVEKIT.api_key, api_secret="")
    cases = {"good": BATTERY["good"], "livekit good": BATTERY["livekit good"]}
    lean, router, _ = await _both(lambda: fake_world(livekit=unset), cases, monkeypatch)
    assert lean == router
    assert lean["good"]["status"] == 500


class RefusingCalls(InMemoryCallRepository):
    async def add(self, call: Call) -> None:
        raise StorageError("refused")


async def test_a_refused_insert_is_the_same_problem_both_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def refusing(world: World) -> None:
        world.container.calls.override(providers.Object(RefusingCalls()))

    cases = {"good": BATTERY["good"], "livekit good": BATTERY["livekit good"]}
    lean, router, answered = await _both(fake_world, cases, monkeypatch, refusing)
    assert lean == router
    assert lean["good"]["body"]["code"] == "call_initialization_failed"
    assert answered == set(cases)
