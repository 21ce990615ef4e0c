"""The dev-only demo: present with demo credentials, absent without, never leaking the secret
key; its page gets tokens from LiveKit's token endpoint with a publishable key."""

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.dev_seed import DemoCredentials
from entrypoints.http.app import create_app
from entrypoints.http.loopback_host import is_loopback_host
from tests.support.prometheus import sample
from tests.support.world import Seeded, World

DEMO_PATHS = ["/demo", "/demo/config", "/demo/static/demo.js"]
PAGE_ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
async def demo(world: World, seeded: Seeded) -> DemoCredentials:
    page_key = await world.container.create_publishable_key()(seeded.tenant_id, [PAGE_ORIGIN])
    return DemoCredentials(seeded.tenant_id, seeded.api_key, seeded.agent.id, page_key.plaintext)


@pytest.fixture
async def demo_client(world: World, demo: DemoCredentials) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(world.container, demo=demo)
    async with AsyncTestClient(app, base_url=PAGE_ORIGIN) as client:
        yield client


async def test_without_demo_credentials_the_demo_does_not_exist(
    client: httpx.AsyncClient, world: World
) -> None:
    responses = [await client.get(path) for path in DEMO_PATHS]
    assert [r.status_code for r in responses] == [404, 404, 404]
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
    assert "TokenSource" in bundle.text
    assert "/demo/config" in bundle.text
    assert "/demo/token" not in bundle.text


async def test_the_page_gets_its_publishable_key_and_the_demo_tenants_agents(
    demo_client: httpx.AsyncClient, demo: DemoCredentials, seeded: Seeded, world: World
) -> None:
    await world.seed_tenant("Someone else")
    response = await demo_client.get("/demo/config")
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "token_endpoint": "/v1/livekit/token",
        "publishable_key": demo.publishable_key,
        "agents": [
            {
                "id": seeded.agent.id,
                "name": "Acme support",
                "dispatch_name": seeded.agent.dispatch_name,
            }
        ],
    }
    assert seeded.api_key not in response.text


async def test_the_page_starts_its_call_on_the_production_path(
    demo_client: httpx.AsyncClient, demo: DemoCredentials, seeded: Seeded, world: World
) -> None:
    """What the bundle (the browser SDK, sending TokenSource.endpoint's body) posts, from the
    page's own origin."""
    body = {
        "participant_name": "Demo caller",
        "room_config": {
            "agents": [{"agent_name": seeded.agent.dispatch_name, "metadata": '{"source": "demo"}'}]
        },
    }
    headers = {"authorization": f"Bearer {demo.publishable_key}", "origin": PAGE_ORIGIN}
    response = await demo_client.post("/v1/livekit/token", json=body, headers=headers)

    assert response.status_code == 201, response.text
    call = world.calls.items[response.json()["call_id"]]
    assert call.tenant_id == seeded.tenant_id
    assert call.metadata == {"source": "demo", "type": "webrtc"}
    metrics = (await demo_client.get("/metrics")).text
    assert sample(metrics, "realtime_tokens_issued_total", route="/v1/livekit/token") == 1


async def test_the_old_demo_token_route_is_gone(
    demo_client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    response = await demo_client.post("/demo/token", json={"agent_id": seeded.agent.id})
    assert response.status_code in (404, 405)
    assert world.calls.items == {}


async def test_the_demo_stays_out_of_the_api_schema(demo_client: httpx.AsyncClient) -> None:
    schema = (await demo_client.get("/schema/openapi.json")).json()
    assert not [path for path in schema["paths"] if path.startswith("/demo")]


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

    for response in reads:
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
