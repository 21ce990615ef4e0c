"""The token routes' lean path (entrypoints/http/token_path.py) answers exactly as the Litestar
routes do: one battery of good and bad requests goes to two identical worlds, one app with the
lean path and one with the router only; status, headers, problem bodies, what is stored, the
metrics and the access log fields must match, and the good requests must be the lean path's."""

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.types import Receive, Scope, Send

from adapters.livekit.settings import LiveKitSettings
from domain.call import Call
from domain.errors import StorageError
from entrypoints.http.app import MAX_BODY_BYTES, create_app
from entrypoints.http.token_path import TokenPath
from tests.fakes.repositories import InMemoryCallRepository
from tests.support.world import TEST_LIVEKIT, World, fake_world

SITE = "https://shop.example.com"
REQUEST_ID = "equivalence-test"


@dataclass
class Seeds:
    key: str
    agent_id: str
    dispatch_name: str
    other_agent_id: str
    publishable: str


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    content: bytes = b""


Case = Callable[[Seeds], Request]


def _post(path: str, body: Any, key: str | None, **headers: str) -> Request:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    auth = {"authorization": f"Bearer {key}"} if key is not None else {}
    return Request("POST", path, {"content-type": "application/json", **auth, **headers}, content)


def _realtime(body: Callable[[Seeds], Any], key: str | None = "", **headers: str) -> Case:
    def case(s: Seeds) -> Request:
        return _post("/v1/realtime/token", body(s), s.key if key == "" else key, **headers)

    return case


def _livekit(body: Callable[[Seeds], Any], secret: bool = False, **headers: str) -> Case:
    def case(s: Seeds) -> Request:
        key = s.key if secret else s.publishable
        return _post("/v1/livekit/token", body(s), key, **{"origin": SITE, **headers})

    return case


def _sdk(s: Seeds, **more: Any) -> dict[str, Any]:
    return {"room_config": {"agents": [{"agent_name": s.dispatch_name}]}, **more}


BATTERY: dict[str, Case] = {
    "good": _realtime(lambda s: {"agent_id": s.agent_id}),
    "good, metadata": _realtime(lambda s: {"agent_id": s.agent_id, "metadata": {"a": "b:c"}}),
    "good, alias": lambda s: replace(
        _realtime(lambda s: {"agent_id": s.agent_id})(s), path="/v1/webrtc/token"
    ),
    "no key": _realtime(lambda s: {"agent_id": s.agent_id}, key=None),
    "unknown key": _realtime(lambda s: {"agent_id": s.agent_id}, key="rtk_" + "x" * 43),
    "not a bearer": lambda s: replace(
        _realtime(lambda s: {"agent_id": s.agent_id})(s),
        headers={"content-type": "application/json", "authorization": "Basic abc"},
    ),
    "missing agent": _realtime(lambda s: {"agent_id": "00000000-0000-4000-8000-000000000000"}),
    "another tenant's agent": _realtime(lambda s: {"agent_id": s.other_agent_id}),
    "unknown field": _realtime(lambda s: {"agent_id": s.agent_id, "agentId": s.agent_id}),
    "wrong type": _realtime(lambda s: {"agent_id": 7}),
    "no agent_id": _realtime(lambda s: {"metadata": {}}),
    "not JSON": _realtime(lambda s: b'{"agent_id": '),
    "not an object": _realtime(lambda s: b"[]"),
    "duplicate key": _realtime(
        lambda s: b'{"agent_id": "%s", "agent_id": "%s"}' % ((s.agent_id.encode(),) * 2)
    ),
    "nested duplicate": _realtime(
        lambda s: b'{"agent_id": "%s", "metadata": {"a": 1, "a": 2}}' % s.agent_id.encode()
    ),
    "escaped colon": _realtime(
        lambda s: b'{"agent_id": "%s", "metadata": {"\\u003a": 1}}' % s.agent_id.encode()
    ),
    "NaN": _realtime(lambda s: b'{"agent_id": "%s", "metadata": {"x": NaN}}' % s.agent_id.encode()),
    "huge number": _realtime(
        lambda s: b'{"agent_id": "%s", "metadata": {"x": 1e999}}' % s.agent_id.encode()
    ),
    "reserved metadata key": _realtime(lambda s: {"agent_id": s.agent_id, "metadata": {"$x": 1}}),
    "too deep": _realtime(
        lambda s: (
            b'{"agent_id": "%s", "metadata": ' % s.agent_id.encode()
            + b'{"a":' * 5000
            + b"1"
            + b"}" * 5001
        )
    ),
    "too large": _realtime(
        lambda s: {"agent_id": s.agent_id, "metadata": {"x": "y" * (MAX_BODY_BYTES + 1)}}
    ),
    "text/plain": _realtime(lambda s: {"agent_id": s.agent_id}, **{"content-type": "text/plain"}),
    "json with charset": _realtime(
        lambda s: {"agent_id": s.agent_id}, **{"content-type": "application/json; charset=utf-8"}
    ),
    "idempotency key": _realtime(lambda s: {"agent_id": s.agent_id}, **{"idempotency-key": "k-1"}),
    "bad idempotency key": _realtime(
        lambda s: {"agent_id": s.agent_id}, **{"idempotency-key": "a b"}
    ),
    "bad content-length": _realtime(
        lambda s: {"agent_id": s.agent_id}, **{"content-length": str(MAX_BODY_BYTES + 1)}
    ),
    "get": lambda s: Request("GET", "/v1/realtime/token", {"authorization": f"Bearer {s.key}"}),
    "trailing slash": lambda s: replace(
        _realtime(lambda s: {"agent_id": s.agent_id})(s), path="/v1/realtime/token/"
    ),
    "livekit good": _livekit(lambda s: _sdk(s, participant_name="Ada")),
    "livekit good, metadata": _livekit(
        lambda s: {
            "room_config": {"agents": [{"agent_name": s.dispatch_name, "metadata": '{"p":1}'}]}
        }
    ),
    "livekit secret key": _livekit(lambda s: _sdk(s), secret=True),
    "livekit other origin": _livekit(lambda s: _sdk(s), origin="https://evil.example.net"),
    "livekit no origin": lambda s: _post("/v1/livekit/token", _sdk(s), s.publishable),
    "livekit bad key": lambda s: _post("/v1/livekit/token", _sdk(s), "rtpk_nope", origin=SITE),
    "livekit room name": _livekit(lambda s: _sdk(s, room_name="mine")),
    "livekit unknown field": _livekit(lambda s: _sdk(s, roomName="mine")),
    "livekit unknown agent": _livekit(
        lambda s: {"room_config": {"agents": [{"agent_name": "nobody"}]}}
    ),
    "livekit bad metadata": _livekit(
        lambda s: {"room_config": {"agents": [{"agent_name": s.dispatch_name, "metadata": "[1"}]}}
    ),
    "livekit two agents": _livekit(
        lambda s: {"room_config": {"agents": [{"agent_name": "a"}, {"agent_name": "b"}]}}
    ),
    "livekit identity": _livekit(lambda s: _sdk(s, participant_identity="me")),
    "livekit preflight": lambda s: Request(
        "OPTIONS",
        "/v1/livekit/token",
        {"origin": SITE, "access-control-request-method": "POST"},
    ),
}
GOOD = {"good", "good, metadata", "good, alias", "livekit good", "livekit good, metadata"}
GOOD |= {"livekit secret key"}
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
        token_path = app.asgi_handler._app  # type: ignore[attr-defined]
        assert isinstance(token_path, TokenPath)
        self.count = 0
        router = token_path._router

        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            self.count += 1
            await router(scope, receive, send)

        token_path._router = counted


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
    with monkeypatch.context() as patch:
        if not lean:
            patch.setattr(TokenPath, "start", lambda self: None)
        app = create_app(world.container)
        calls = RouterCalls(app)
        async with AsyncTestClient(app) as client:
            for name, case in cases.items():
                request = case(seeds)
                before = calls.count
                response = await client.request(
                    request.method,
                    request.path,
                    headers={"x-request-id": REQUEST_ID, **request.headers},
                    content=request.content,
                )
                yield name, _normalized(response), calls.count - before


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
