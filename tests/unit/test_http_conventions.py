"""What every answer shares: readiness, request ids, problems for unknown routes, security
headers, rate-limit headers, the lifespan, and logs without secrets."""

from dataclasses import replace

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.rate_limit.in_process import InProcessRateLimiter
from domain.rate_limit import RateLimitPolicy
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.fakes.issuer import FakeTokenIssuer
from tests.support.http import assert_problem as _assert_problem
from tests.support.http import bearer as _auth
from tests.support.world import Seeded, World, fake_world

TOKEN = "/v1/realtime/token"


async def test_readiness_follows_the_store(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get("/readyz")).json() == {
        "status": "ready",
        "checks": {"mongodb": "ok", "livekit": "ok"},
        "database": "external",
    }
    world.store.down = True
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert (await client.get("/healthz")).status_code == 200


async def test_readyz_says_when_it_runs_on_the_embedded_database() -> None:
    settings = replace(fake_world().container.settings(), mongodb_embedded=True)
    world = World(container=build_container(settings))
    async with AsyncTestClient(create_app(world.container)) as client:
        ready = await client.get("/readyz")
    assert ready.json()["database"] == "embedded nx-27017"


async def test_a_sane_request_id_is_echoed_and_a_hostile_one_replaced(
    client: httpx.AsyncClient,
) -> None:
    kept = await client.post(TOKEN, headers={"x-request-id": "trace-123"})
    assert kept.headers["x-request-id"] == "trace-123"
    assert kept.json()["request_id"] == "trace-123"
    replaced = await client.post(TOKEN, headers={"x-request-id": "<script>"})
    assert replaced.headers["x-request-id"] != "<script>"


async def test_unknown_routes_and_methods_are_problems_too(client: httpx.AsyncClient) -> None:
    _assert_problem(await client.get("/v1/nothing-here"), 404, "not_found")
    _assert_problem(await client.get(TOKEN), 405, "method_not_allowed")


async def test_the_lifespan_starts_and_closes_the_store(world: World) -> None:
    async with AsyncTestClient(create_app(world.container)):
        assert world.store.started
    assert world.store.closed


async def test_security_headers_are_on_every_answer(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    ok = await client.post(TOKEN, json={"agent_id": seeded.agent.id}, headers=_auth(seeded.api_key))
    denied = await client.post(TOKEN, json={})
    for response in (ok, denied, await client.get("/healthz")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_each_key_is_rate_limited_with_standard_headers() -> None:
    world = fake_world(rate_limit=2)
    seeded = await world.seed_tenant()
    other_key = (await world.container.create_api_key()(seeded.tenant_id)).plaintext
    body = {"agent_id": seeded.agent.id}
    async with AsyncTestClient(create_app(world.container)) as client:
        allowed = [
            await client.post(TOKEN, json=body, headers=_auth(seeded.api_key)) for _ in range(2)
        ]
        refused = await client.post(TOKEN, json=body, headers=_auth(seeded.api_key))
        other = await client.post(TOKEN, json=body, headers=_auth(other_key))

    assert [r.status_code for r in allowed] == [200, 200]
    assert [r.headers["ratelimit-remaining"] for r in allowed] == ["1", "0"]
    assert allowed[0].headers["ratelimit-limit"] == "2"
    assert allowed[0].headers["ratelimit-policy"] == "2;w=60"
    _assert_problem(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    assert other.status_code == 200
    assert len(world.calls.items) == 3


async def test_keys_and_tokens_never_reach_the_logs(
    capfd: pytest.CaptureFixture[str], world: World, seeded: Seeded
) -> None:
    world.store.down = True
    body = {"agent_id": seeded.agent.id}
    async with AsyncTestClient(create_app(world.container)) as client:
        issued = await client.post(TOKEN, json=body, headers=_auth(seeded.api_key))
        await client.post(TOKEN, json=body, headers=_auth(seeded.api_key[:-1] + "x"))
        await client.post(TOKEN, content=b"{", headers=_auth(seeded.api_key))
        await client.get("/readyz")
    logged = "".join(capfd.readouterr())
    token = issued.json()["client_token"]
    assert "/v1/realtime/token" in logged, "the requests were logged"
    assert seeded.api_key[4:-1] not in logged
    assert token not in logged
    assert "eyJ" not in logged


async def test_an_override_after_create_app_reaches_the_routes_and_the_middleware(
    world: World, seeded: Seeded
) -> None:
    app = create_app(world.container)
    body, headers = {"agent_id": seeded.agent.id}, _auth(seeded.api_key)
    world.container.token_issuer.override(
        providers.Object(FakeTokenIssuer(server_url="wss://overridden.test"))
    )
    one_a_minute = InProcessRateLimiter(RateLimitPolicy(limit=1), world.clock)
    world.container.rate_limiter.override(providers.Object(one_a_minute))
    async with AsyncTestClient(app) as client:
        issued = await client.post(TOKEN, json=body, headers=headers)
        limited = await client.post(TOKEN, json=body, headers=headers)

    assert issued.json()["server_url"] == "wss://overridden.test"
    _assert_problem(limited, 429, "rate_limited")


async def test_a_host_header_with_a_bad_port_gets_a_problem_not_a_500(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/nothing-here", headers={"host": "localhost:http"})
    _assert_problem(response, 404, "not_found")
