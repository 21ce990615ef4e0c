"""The token routes over fakes: each status they answer, and what they refuse."""

import json
import uuid
from datetime import timedelta

import httpx
import pytest
from litestar.testing import AsyncTestClient

from adapters.livekit.settings import LiveKitSettings
from entrypoints.http.app import create_app
from tests.support.http import assert_problem as _assert_problem
from tests.support.http import bearer as _auth
from tests.support.world import Seeded, World, fake_world

PATHS = ["/v1/realtime/token", "/v1/webrtc/token"]


@pytest.mark.parametrize("path", PATHS)
async def test_both_routes_issue_a_token_with_status_200(
    client: httpx.AsyncClient, seeded: Seeded, world: World, path: str
) -> None:
    response = await client.post(
        path, json={"agent_id": seeded.agent.id}, headers=_auth(seeded.api_key)
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "client_token",
        "participant_token",
        "room_name",
        "server_url",
        "call_id",
        "participant_identity",
        "expires_at",
    }
    assert body["room_name"] == f"webrtc_{body['call_id']}"
    assert body["participant_token"] == body["client_token"]
    assert body["call_id"] in world.calls.items


async def test_authentication_comes_before_body_validation(client: httpx.AsyncClient) -> None:
    response = await client.post(PATHS[0], content=b"{not json")
    body = _assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "rtk_" not in body["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer rtk_unknown"},
        {"Authorization": "Bearer rtk_" + "A" * 43},
    ],
)
async def test_missing_malformed_or_unknown_keys_are_401(
    client: httpx.AsyncClient, seeded: Seeded, world: World, headers: dict[str, str]
) -> None:
    response = await client.post(PATHS[0], json={"agent_id": seeded.agent.id}, headers=headers)
    _assert_problem(response, 401, "unauthenticated")
    assert world.calls.items == {}


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{}", "agent_id"),
        (b'{"agent_id": "not-a-uuid"}', "agent_id"),
        (b'{"agent_id": 42}', "agent_id"),
        (b"{oops", "body"),
        (b"", "body"),
        (b"[]", "body"),
        (b"null", "body"),
    ],
)
async def test_invalid_payloads_are_400_naming_the_field(
    client: httpx.AsyncClient, seeded: Seeded, world: World, content: bytes, field: str
) -> None:
    response = await client.post(
        PATHS[0],
        content=content,
        headers={**_auth(seeded.api_key), "content-type": "application/json"},
    )
    body = _assert_problem(response, 400, "invalid_request")
    assert [error["field"] for error in body["errors"]] == [field]
    assert world.calls.items == {}


@pytest.mark.parametrize("metadata", [[], "text", None, 3])
async def test_metadata_must_be_an_object(
    client: httpx.AsyncClient, seeded: Seeded, metadata: object
) -> None:
    response = await client.post(
        PATHS[0],
        json={"agent_id": seeded.agent.id, "metadata": metadata},
        headers=_auth(seeded.api_key),
    )
    body = _assert_problem(response, 400, "invalid_request")
    assert body["errors"][0]["field"] == "metadata"


async def test_unsafe_metadata_is_400_invalid_metadata(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    response = await client.post(
        PATHS[0],
        json={"agent_id": seeded.agent.id, "metadata": {"profile": {"$ne": 1}}},
        headers=_auth(seeded.api_key),
    )
    body = _assert_problem(response, 400, "invalid_metadata")
    assert body["errors"][0]["field"] == "metadata.profile"
    assert world.calls.items == {}


async def test_unknown_fields_are_refused_naming_the_field(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    response = await client.post(
        PATHS[0],
        json={"agentId": seeded.agent.id, "agent_id": seeded.agent.id},
        headers=_auth(seeded.api_key),
    )
    problem = _assert_problem(response, 400, "invalid_request")
    assert problem["errors"] == [{"field": "agentId", "message": "is not a field of this body"}]
    assert world.calls.items == {}


async def test_other_tenants_agent_gets_the_same_404_as_a_missing_one(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await world.seed_tenant("Mine")
    theirs = await world.seed_tenant("Theirs")
    foreign = await client.post(
        PATHS[0], json={"agent_id": theirs.agent.id}, headers=_auth(mine.api_key)
    )
    missing = await client.post(
        PATHS[0], json={"agent_id": str(uuid.uuid4())}, headers=_auth(mine.api_key)
    )
    foreign_body = _assert_problem(foreign, 404, "agent_not_found")
    missing_body = _assert_problem(missing, 404, "agent_not_found")
    for varying in ("request_id",):
        foreign_body.pop(varying)
        missing_body.pop(varying)
    assert foreign_body == missing_body
    assert theirs.agent.id not in foreign.text
    assert world.calls.items == {}


async def test_unconfigured_livekit_is_500_and_writes_nothing() -> None:
    world = fake_world(livekit=LiveKitSettings(url="ws://localhost:7880"))
    seeded = await world.seed_tenant()
    async with AsyncTestClient(create_app(world.container)) as client:
        response = await client.post(
            PATHS[0], json={"agent_id": seeded.agent.id}, headers=_auth(seeded.api_key)
        )
        ready = await client.get("/readyz")
    body = _assert_problem(response, 500, "livekit_not_configured")
    assert "LIVEKIT_API_SECRET" not in body["detail"]
    assert world.calls.items == {}
    assert ready.status_code == 503
    assert "LIVEKIT_API_KEY, LIVEKIT_API_SECRET not set" in ready.json()["checks"]["livekit"]


async def test_a_body_over_64_kib_is_413(client: httpx.AsyncClient, seeded: Seeded) -> None:
    padding = "x" * (64 * 1024)
    response = await client.post(
        PATHS[0],
        json={"agent_id": seeded.agent.id, "padding": padding},
        headers=_auth(seeded.api_key),
    )
    _assert_problem(response, 413, "payload_too_large")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, seeded: Seeded, world: World, content_type: str | None
) -> None:
    headers = _auth(seeded.api_key)
    if content_type:
        headers["content-type"] = content_type
    body = json.dumps({"agent_id": seeded.agent.id}).encode()
    response = await client.post(PATHS[0], content=body, headers=headers)
    _assert_problem(response, 415, "unsupported_media_type")
    assert world.calls.items == {}


async def test_json_with_a_charset_or_a_json_suffix_is_accepted(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = json.dumps({"agent_id": seeded.agent.id}).encode()
    for content_type in ("application/json; charset=utf-8", "application/merge+json"):
        headers = {**_auth(seeded.api_key), "content-type": content_type}
        assert (await client.post(PATHS[0], content=body, headers=headers)).status_code == 200


async def test_idempotency_key_replays_refuses_and_validates(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    headers = {**_auth(seeded.api_key), "Idempotency-Key": '"checkout-7"'}
    body = {"agent_id": seeded.agent.id, "metadata": {"order": 7}}

    first = await client.post(PATHS[0], json=body, headers=headers)
    retry = await client.post(PATHS[1], json=body, headers=headers)
    changed = await client.post(PATHS[0], json={**body, "metadata": {"order": 8}}, headers=headers)
    malformed = await client.post(
        PATHS[0], json=body, headers={**_auth(seeded.api_key), "Idempotency-Key": "a b"}
    )

    assert first.status_code == retry.status_code == 200
    assert "idempotent-replayed" not in first.headers
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["call_id"] == first.json()["call_id"]
    _assert_problem(changed, 422, "idempotency_key_reused")
    _assert_problem(malformed, 400, "invalid_idempotency_key")
    assert len(world.calls.items) == 1


async def test_an_idempotent_retry_after_the_join_window_is_410_call_expired() -> None:
    world = fake_world(ttl_seconds=60)
    seeded = await world.seed_tenant()
    headers = {**_auth(seeded.api_key), "Idempotency-Key": "checkout-8"}
    body = {"agent_id": seeded.agent.id}
    async with AsyncTestClient(create_app(world.container)) as client:
        first = await client.post(PATHS[0], json=body, headers=headers)
        world.clock.advance(timedelta(seconds=65))
        retry = await client.post(PATHS[0], json=body, headers=headers)

    assert first.status_code == 200
    _assert_problem(retry, 410, "call_expired")
    assert "idempotent-replayed" not in retry.headers
    assert "client_token" not in retry.json()
    assert list(world.calls.items) == [first.json()["call_id"]]


async def test_the_queued_call_cap_is_429() -> None:
    world = fake_world(max_queued_calls=1)
    seeded = await world.seed_tenant()
    async with AsyncTestClient(create_app(world.container)) as client:
        body = {"agent_id": seeded.agent.id}
        assert (await client.post(PATHS[0], json=body, headers=_auth(seeded.api_key))).is_success
        refused = await client.post(PATHS[0], json=body, headers=_auth(seeded.api_key))
    _assert_problem(refused, 429, "too_many_queued_calls")
    assert refused.headers["retry-after"]


async def test_a_body_nested_too_deeply_is_400_not_500(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    nested = b'{"agent_id": "%s", "metadata": {"x": ' % seeded.agent.id.encode()
    body = nested + b"[" * 5000 + b"]" * 5000 + b"}}"
    response = await client.post(
        PATHS[0],
        content=body,
        headers={**_auth(seeded.api_key), "content-type": "application/json"},
    )
    problem = _assert_problem(response, 400, "invalid_request")
    assert problem["errors"] == [{"field": "body", "message": "nests too deeply"}]


@pytest.mark.parametrize("route", ["/v1/realtime/token", "/v1/agents"])
async def test_a_body_that_is_not_utf8_is_400_not_500(
    client: httpx.AsyncClient, seeded: Seeded, world: World, route: str
) -> None:
    body = b'{"agent_id": "%s", "name": "A", "metadata": {"a": "caf\xe9"}}' % (
        seeded.agent.id.encode()
    )
    response = await client.post(
        route,
        content=body,
        headers={"Authorization": f"Bearer {seeded.api_key}", "content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert world.calls.items == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{{"agent_id": "{a}", "agent_id": "{b}"}}', "agent_id"),
        ('{{"agent_id": "{a}", "metadata": {{"plan": "pro", "plan": "free"}}}}', "plan"),
    ],
)
async def test_a_key_named_twice_in_a_body_is_400_naming_it_and_writes_nothing(
    client: httpx.AsyncClient, seeded: Seeded, world: World, body: str, field: str
) -> None:
    content = body.format(a=seeded.agent.id, b=uuid.uuid4()).encode()
    headers = {**_auth(seeded.api_key), "content-type": "application/json"}
    for path in PATHS:
        refused = await client.post(path, content=content, headers=headers)
        problem = _assert_problem(refused, 400, "invalid_request")
        assert problem["errors"] == [
            {"field": field, "message": "appears more than once in an object"}
        ]
    assert world.calls.items == {}


async def test_two_idempotency_key_headers_are_400_and_write_nothing(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    headers = [
        ("authorization", f"Bearer {seeded.api_key}"),
        ("idempotency-key", "first"),
        ("idempotency-key", "second"),
    ]
    refused = await client.post(PATHS[0], json={"agent_id": seeded.agent.id}, headers=headers)
    problem = _assert_problem(refused, 400, "invalid_idempotency_key")
    assert "one Idempotency-Key" in problem["errors"][0]["message"]
    assert world.calls.items == {}
    assert world.idempotency_store.items == {}


async def test_a_quoted_idempotency_key_is_bounded_by_its_own_length(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    headers = {**_auth(seeded.api_key), "Idempotency-Key": '"' + "k" * 254 + '"'}
    body = {"agent_id": seeded.agent.id}
    first = await client.post(PATHS[0], json=body, headers=headers)
    retry = await client.post(PATHS[0], json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["call_id"] == first.json()["call_id"]


async def test_a_weak_livekit_secret_is_refused_writes_nothing_and_readyz_names_it() -> None:
    weak = LiveKitSettings(url="wss://lk.example.test", api_key="APIkey", api_secret="x" * 31)
    world = fake_world(livekit=weak)
    seeded = await world.seed_tenant()
    async with AsyncTestClient(create_app(world.container)) as client:
        response = await client.post(
            PATHS[0], json={"agent_id": seeded.agent.id}, headers=_auth(seeded.api_key)
        )
        ready = await client.get("/readyz")
    _assert_problem(response, 500, "livekit_not_configured")
    assert world.calls.items == {}
    assert ready.status_code == 503
    assert ready.json()["checks"]["livekit"] == "LIVEKIT_API_SECRET is shorter than 32 bytes"
