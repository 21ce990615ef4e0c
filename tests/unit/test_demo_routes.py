"""The dev-only demo: present with demo credentials, absent without, and never leaking the key."""

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.dev_seed import DemoCredentials
from entrypoints.http.app import create_app
from entrypoints.http.loopback_host import is_loopback_host
from tests.support.prometheus import sample
from tests.support.world import Seeded, World

DEMO_PATHS = ["/demo", "/demo/agents", "/demo/static/demo.js"]


@pytest.fixture
async def demo_client(world: World, seeded: Seeded) -> AsyncIterator[httpx.AsyncClient]:
    demo = DemoCredentials(tenant_id=seeded.tenant_id, api_key=seeded.api_key, agent_id="")
    app = create_app(world.container, demo=demo)
    async with AsyncTestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


async def test_without_demo_credentials_the_demo_does_not_exist(
    client: httpx.AsyncClient, world: World
) -> None:
    responses = [await client.get(path) for path in DEMO_PATHS]
    token = await client.post("/demo/token", json={"agent_id": str(uuid.uuid4())})
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert token.status_code == 404
    assert world.calls.items == {}


async def test_the_page_loads_its_bundle_and_has_a_start_button(
    demo_client: httpx.AsyncClient,
) -> None:
    page = await demo_client.get("/demo")
    bundle = await demo_client.get("/demo/static/demo.js")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'src="/demo/static/demo.js"' in page.text
    assert ">Start call</button>" in page.text
    assert bundle.status_code == 200
    assert "javascript" in bundle.headers["content-type"]
    assert "/demo/token" in bundle.text


async def test_the_demo_tenants_agents_are_listed(
    demo_client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    await world.seed_tenant("Someone else")
    response = await demo_client.get("/demo/agents")
    assert response.json() == [
        {"id": seeded.agent.id, "name": "Acme support", "dispatch_name": seeded.agent.dispatch_name}
    ]


async def test_the_demo_token_route_issues_for_the_demo_tenant_without_the_key(
    demo_client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    response = await demo_client.post("/demo/token", json={"agent_id": seeded.agent.id})

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    call = world.calls.items[body["call_id"]]
    assert call.tenant_id == seeded.tenant_id
    assert call.metadata == {"source": "demo", "type": "webrtc"}
    assert body["room_name"] == call.room_name
    assert seeded.api_key not in response.text
    assert "rtk_" not in response.text
    metrics = (await demo_client.get("/metrics")).text
    assert sample(metrics, "realtime_tokens_issued_total", route="/demo/token") == 1


async def test_another_tenants_agent_is_not_the_demos_to_call(
    demo_client: httpx.AsyncClient, world: World
) -> None:
    other = await world.seed_tenant("Other")
    response = await demo_client.post("/demo/token", json={"agent_id": other.agent.id})
    assert response.status_code == 404
    assert response.json()["code"] == "agent_not_found"
    assert world.calls.items == {}


async def test_the_demo_stays_out_of_the_api_schema(demo_client: httpx.AsyncClient) -> None:
    schema = (await demo_client.get("/schema/openapi.json")).json()
    assert not [path for path in schema["paths"] if path.startswith("/demo")]


async def test_the_demo_token_route_wants_json_like_the_api(
    demo_client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    """A cross-site HTML form can post text/plain without a preflight; it gets nothing."""
    body = json.dumps({"agent_id": seeded.agent.id})
    response = await demo_client.post(
        "/demo/token", content=body, headers={"content-type": "text/plain"}
    )

    assert response.status_code == 415
    assert world.calls.items == {}


@pytest.mark.parametrize(
    "host",
    [
        "rebound.attacker.example",
        "rebound.attacker.example:8000",
        "localhost.attacker.example",
        "127.0.0.1.nip.io:8000",
        "192.168.1.20:8000",
        "0.0.0.0:8000",
        "[::1]x",
        "",
    ],
)
async def test_the_demo_refuses_host_names_that_are_not_loopback(
    demo_client: httpx.AsyncClient, seeded: Seeded, world: World, host: str
) -> None:
    """A DNS-rebinding page reaches 127.0.0.1 under its own host name: it must get nothing."""
    headers = {"host": host}
    reads = [await demo_client.get(path, headers=headers) for path in DEMO_PATHS]
    token = await demo_client.post(
        "/demo/token", json={"agent_id": seeded.agent.id}, headers=headers
    )

    for response in [*reads, token]:
        assert response.status_code == 421
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "host_not_allowed"
    assert world.calls.items == {}


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8000", "LocalHost:8000", "127.0.0.1:8000", "127.0.0.2", "[::1]:8000"],
)
async def test_the_demo_answers_loopback_host_names(
    demo_client: httpx.AsyncClient, host: str
) -> None:
    assert (await demo_client.get("/demo", headers={"host": host})).status_code == 200


def test_a_port_that_is_not_a_number_does_not_make_a_loopback_host() -> None:
    assert not is_loopback_host("localhost:http")
    assert not is_loopback_host("localhost:8000:1")
    assert is_loopback_host("localhost:8000")
