"""Managing publishable keys over HTTP with the tenant's secret key, and what a publishable key
opens elsewhere: nothing."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from domain.errors import AuthenticationFailed
from entrypoints.http.app import create_app
from tests.support.http import assert_problem, bearer
from tests.support.world import Seeded, World

KEYS = "/v1/publishable-keys"
SHOP = "https://shop.example.com"
VIEW_FIELDS = {"id", "hint", "origins", "agents", "allow_native", "description", "created_at"}


async def _create(client: httpx.AsyncClient, seeded: Seeded, **body: Any) -> httpx.Response:
    return await client.post(KEYS, json={"origins": [SHOP], **body}, headers=bearer(seeded.api_key))


async def test_a_key_is_created_and_shown_only_in_the_creation_answer(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    created = await _create(
        client,
        seeded,
        origins=[SHOP, "HTTPS://*.Example.org"],
        agents=[seeded.agent.dispatch_name],
        allow_native=True,
        description="shop front",
    )

    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    body = created.json()
    assert set(body) == VIEW_FIELDS | {"key", "revoked_at"}
    assert body["key"].startswith("rtpk_")
    assert body["origins"] == [SHOP, "https://*.example.org"]
    assert body["agents"] == [seeded.agent.dispatch_name]
    assert body["allow_native"] is True
    assert body["description"] == "shop front"
    assert body["revoked_at"] is None
    stored = world.publishable_keys.items[body["id"]]
    assert stored.tenant_id == seeded.tenant_id
    assert body["key"] not in repr(stored)


async def test_keys_are_listed_newest_first_by_cursor_without_the_key(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    created = []
    for _ in range(3):
        created.append((await _create(client, seeded)).json())
        world.clock.advance(timedelta(seconds=1))
    other = await world.seed_tenant("Globex")
    await _create(client, other)

    first = await client.get(KEYS, params={"limit": 2}, headers=bearer(seeded.api_key))
    rest = await client.get(
        KEYS,
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=bearer(seeded.api_key),
    )

    listed = first.json()["data"] + rest.json()["data"]
    assert [k["id"] for k in listed] == [k["id"] for k in reversed(created)]
    assert rest.json()["next_cursor"] is None
    assert all(set(k) == VIEW_FIELDS | {"revoked_at"} for k in listed)
    shown = first.text + rest.text
    for key in created:
        assert key["key"] not in shown
        assert key["key"][5:15] not in shown
    for stored in world.publishable_keys.items.values():
        assert stored.key_hash not in shown


async def test_a_key_is_revoked_once_and_stops_authenticating(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    key = (await _create(client, seeded)).json()
    revoked_at = world.clock.now()

    first = await client.delete(f"{KEYS}/{key['id']}", headers=bearer(seeded.api_key))
    world.clock.advance(timedelta(minutes=1))
    again = await client.delete(f"{KEYS}/{key['id']}", headers=bearer(seeded.api_key))
    listed = (await client.get(KEYS, headers=bearer(seeded.api_key))).json()["data"]

    assert (first.status_code, again.status_code) == (204, 204)
    assert world.publishable_keys.items[key["id"]].revoked_at == revoked_at
    assert listed[0]["revoked_at"] is not None
    with pytest.raises(AuthenticationFailed):
        await world.container.authenticate_publishable_key()(key["key"])


async def test_another_tenants_key_is_exactly_like_a_missing_one(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    other = await world.seed_tenant("Globex")
    theirs = (await _create(client, other)).json()

    foreign = await client.delete(f"{KEYS}/{theirs['id']}", headers=bearer(seeded.api_key))
    missing = await client.delete(f"{KEYS}/{uuid.uuid4()}", headers=bearer(seeded.api_key))

    for answer in (foreign, missing):
        assert_problem(answer, 404, "publishable_key_not_found")
    assert _without_request(foreign.json()) == _without_request(missing.json())
    assert world.publishable_keys.items[theirs["id"]].revoked_at is None


def _without_request(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k not in ("instance", "request_id")}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"origins": [SHOP, "https://*.com"]}, "origins[1]"),
        ({"origins": ["https://shop.example.com/"]}, "origins[0]"),
        ({"origins": ["*"]}, "origins[0]"),
        ({"origins": ["null"]}, "origins[0]"),
        ({"origins": []}, "origins"),
        ({}, "origins"),
    ],
)
async def test_bad_origins_are_400_naming_the_field_and_nothing_is_written(
    client: httpx.AsyncClient, seeded: Seeded, world: World, body: dict[str, Any], field: str
) -> None:
    refused = await client.post(KEYS, json=body, headers=bearer(seeded.api_key))
    problem = assert_problem(refused, 400, "invalid_origin")
    assert problem["errors"][0]["field"] == field
    assert world.publishable_keys.items == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"origins": [SHOP], "key": "rtpk_mine"}, "key"),
        ({"origins": [SHOP], "tenant_id": "someone-else"}, "tenant_id"),
        ({"origins": SHOP}, "origins"),
        ({"origins": [SHOP], "allow_native": "yes"}, "allow_native"),
        ({"origins": [SHOP] * 51}, "origins"),
        ({"origins": [SHOP], "agents": ["a"] * 51}, "agents"),
        ({"origins": [SHOP], "description": "x" * 201}, "description"),
        ({"origins": ["https://" + "a" * 400 + ".example.com"]}, "origins[0]"),
    ],
)
async def test_malformed_bodies_are_400_naming_the_field_and_nothing_is_written(
    client: httpx.AsyncClient, seeded: Seeded, world: World, body: dict[str, Any], field: str
) -> None:
    refused = await client.post(KEYS, json=body, headers=bearer(seeded.api_key))
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == field
    assert world.publishable_keys.items == {}


async def test_an_agent_the_tenant_does_not_have_is_404_and_nothing_is_written(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    other = await world.seed_tenant("Globex")
    for agent in ("no-such-agent", other.agent.dispatch_name):
        refused = await _create(client, seeded, agents=[agent])
        assert_problem(refused, 404, "agent_not_found")
    assert world.publishable_keys.items == {}


async def test_managing_keys_needs_the_secret_key(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    publishable = (await _create(client, seeded)).json()["key"]
    for credentials in ({}, bearer(publishable)):
        assert_problem(
            await client.post(KEYS, json={"origins": [SHOP]}, headers=credentials),
            401,
            "unauthenticated",
        )
        assert_problem(await client.get(KEYS, headers=credentials), 401, "unauthenticated")
    assert len(world.publishable_keys.items) == 1


async def test_a_publishable_key_opens_no_route_it_answers_like_an_unknown_key(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    """Every operation the OpenAPI document says takes a bearer key, with a path id filled in,
    but LiveKit's token endpoint (the one it opens): a live publishable key gets the very
    answer an unknown secret key gets."""
    publishable = (await _create(client, seeded)).json()["key"]
    unknown = "rtk_" + "A" * 43
    schema = (await client.get("/schema/openapi.json")).json()
    operations = [
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation.get("security") == [{"bearerAuth": []}] and path != "/v1/livekit/token"
    ]
    assert ("post", "/v1/realtime/token") in operations
    assert ("delete", "/v1/publishable-keys/{key_id}") in operations
    calls_before = dict(world.calls.items)

    for method, template in operations:
        path = template.format_map(_AnyId())
        answers = [
            await client.request(
                method, path, json={"agent_id": seeded.agent.id}, headers=bearer(key)
            )
            for key in (publishable, unknown)
        ]
        with_publishable, with_unknown = (
            assert_problem(a, 401, "unauthenticated") for a in answers
        )
        assert _without_request(with_publishable) == _without_request(with_unknown), path
        assert answers[0].headers["www-authenticate"] == answers[1].headers["www-authenticate"]
    assert world.calls.items == calls_before
    assert len(world.publishable_keys.items) == 1


class _AnyId(dict[str, str]):
    def __missing__(self, _: str) -> str:
        return str(uuid.uuid4())


async def test_publishable_keys_never_reach_the_logs(
    capfd: pytest.CaptureFixture[str], world: World, seeded: Seeded
) -> None:
    async with AsyncTestClient(create_app(world.container)) as client:
        created = (await _create(client, seeded)).json()
        await client.get(KEYS, headers=bearer(seeded.api_key))
        await client.post(
            "/v1/realtime/token",
            json={"agent_id": seeded.agent.id},
            headers=bearer(created["key"]),
        )
        await client.get(KEYS, headers=bearer(created["key"]))
    logged = "".join(capfd.readouterr())
    assert KEYS in logged, "the requests were logged"
    assert created["key"][5:] not in logged
