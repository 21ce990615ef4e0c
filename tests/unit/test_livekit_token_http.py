"""LiveKit's standard token endpoint over fakes: publishable keys from allowed origins, what
a caller may and may not set, CORS, and nothing written on any refusal (issue 12)."""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from litestar.testing import AsyncTestClient

from domain.call import CallStatus, CallType
from domain.tenant import KeyKind
from entrypoints.http.app import create_app
from tests.support.http import assert_problem, bearer
from tests.support.world import TEST_LIVEKIT, Seeded, World, fake_world

TOKEN = "/v1/livekit/token"
SANDBOX = "/api/v2/sandbox/connection-details"
SITE = "https://shop.example.com"


@dataclass
class Keys:
    seeded: Seeded
    publishable: str
    key_id: str


async def _publishable(
    world: World, seeded: Seeded, origins: list[str], **options: Any
) -> tuple[str, str]:
    minted = await world.container.create_publishable_key()(seeded.tenant_id, origins, **options)
    return minted.plaintext, minted.key.id


@pytest.fixture
async def keys(world: World, seeded: Seeded) -> Keys:
    plaintext, key_id = await _publishable(world, seeded, [SITE, "https://*.example.org"])
    return Keys(seeded, plaintext, key_id)


def _claims(token: str) -> dict[str, Any]:
    """The token's claims, its signature checked; its `exp` is in the fake clock's past."""
    claims: dict[str, Any] = jwt.decode(
        token, TEST_LIVEKIT.api_secret, algorithms=["HS256"], options={"verify_exp": False}
    )
    return claims


def _from_site(key: str, origin: str | None = SITE) -> dict[str, str]:
    return {**bearer(key), **({"origin": origin} if origin else {})}


def _sdk_body(agent: str, metadata: str | None = None, **more: Any) -> dict[str, Any]:
    """What `TokenSource.endpoint(...).fetch({agentName, agentMetadata, participantName})`
    posts (livekit-client 2.23, protobuf field names)."""
    dispatch = {"agent_name": agent, **({"metadata": metadata} if metadata else {})}
    return {"room_config": {"agents": [dispatch]}, **more}


async def test_a_page_on_an_allowed_origin_starts_a_call_with_its_agent(
    client: httpx.AsyncClient, world: World, keys: Keys
) -> None:
    agent = keys.seeded.agent
    body = _sdk_body(agent.dispatch_name, '{"plan": "pro"}', participant_name="Ada")

    answer = await client.post(TOKEN, json=body, headers=_from_site(keys.publishable))

    assert answer.status_code == 201, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["access-control-allow-origin"] == SITE
    assert "Origin" in answer.headers["vary"]
    issued = answer.json()
    assert set(issued) == {
        "server_url",
        "participant_token",
        "room_name",
        "participant_name",
        "participant_identity",
        "call_id",
        "expires_at",
    }
    call = world.calls.items[issued["call_id"]]
    assert call.status is CallStatus.QUEUED
    assert call.type is CallType.WEBRTC
    assert call.metadata == {"plan": "pro", "type": "webrtc"}
    assert call.room_name == issued["room_name"] == f"webrtc_{call.id}"
    assert call.created_by is not None
    assert (call.created_by.key_id, call.created_by.key_kind) == (keys.key_id, KeyKind.PUBLISHABLE)
    claims = _claims(issued["participant_token"])
    assert claims["sub"] == issued["participant_identity"] == call.participant_identity
    assert claims["name"] == issued["participant_name"] == "Ada"
    assert claims["video"]["room"] == call.room_name
    assert [a["agentName"] for a in claims["roomConfig"]["agents"]] == [agent.dispatch_name]


async def test_each_request_is_a_call_of_its_own(
    client: httpx.AsyncClient, world: World, keys: Keys
) -> None:
    body = _sdk_body(keys.seeded.agent.dispatch_name)
    first, second = [
        (await client.post(TOKEN, json=body, headers=_from_site(keys.publishable))).json()
        for _ in range(2)
    ]
    assert first["room_name"] != second["room_name"]
    assert first["participant_identity"] != second["participant_identity"]
    assert len(world.calls.items) == 2


async def test_without_an_agent_name_the_keys_only_agent_is_called(
    client: httpx.AsyncClient, world: World, seeded: Seeded
) -> None:
    only, _ = await _publishable(world, seeded, [SITE], agents=[seeded.agent.dispatch_name])
    called = await client.post(TOKEN, json={}, headers=_from_site(only))
    assert called.status_code == 201, called.text
    assert world.calls.items[called.json()["call_id"]].agent_id == seeded.agent.id


async def test_without_an_agent_name_a_key_for_many_agents_is_400(
    client: httpx.AsyncClient, world: World, keys: Keys
) -> None:
    refused = await client.post(TOKEN, json={}, headers=_from_site(keys.publishable))
    problem = assert_problem(refused, 400, "invalid_request")
    assert problem["errors"][0]["field"] == "room_config.agents"
    assert world.calls.items == {}


async def test_an_unknown_a_foreign_and_a_forbidden_agent_are_one_404(
    client: httpx.AsyncClient, world: World, seeded: Seeded
) -> None:
    other = await world.seed_tenant("Other")
    second = await world.container.create_agent()(seeded.tenant_id, "Sales", "sales")
    limited, _ = await _publishable(world, seeded, [SITE], agents=[seeded.agent.dispatch_name])
    answers = [
        await client.post(TOKEN, json=_sdk_body(name), headers=_from_site(limited))
        for name in ("no-such-agent", other.agent.dispatch_name, second.dispatch_name)
    ]
    bodies = [assert_problem(a, 404, "agent_not_found") for a in answers]
    for body in bodies:
        body.pop("request_id")
    assert bodies[0] == bodies[1] == bodies[2]
    assert world.calls.items == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"room_name": "mine"}, "room_name"),
        ({"room_config": {"name": "mine"}}, "room_config.name"),
        ({"room_config": {"max_participants": 9}}, "room_config.max_participants"),
        ({"room_config": {"agents": [{"agent_name": "a", "deployment": "d"}]}}, None),
        ({"room_config": {"agents": [{"agent_name": "a"}, {"agent_name": "b"}]}}, None),
        ({"participant_identity": "chosen"}, "participant_identity"),
        ({"participant_attributes": {"call_id": "x"}}, "participant_attributes.call_id"),
        ({"participant_attributes": {"k": 1}}, "participant_attributes"),
        ({"participant_name": "\x1b[31mred"}, "participant_name"),
        ({"participant_metadata": "x" * 5000}, "participant_metadata"),
        ({"roomName": "camelCase"}, "roomName"),
    ],
)
async def test_what_a_caller_may_not_set_is_400_naming_the_field(
    client: httpx.AsyncClient, world: World, keys: Keys, body: dict[str, Any], field: str | None
) -> None:
    agents = body.get("room_config", {}).get("agents")
    dispatch = {"agents": [{"agent_name": keys.seeded.agent.dispatch_name}]}
    if agents is None:
        body = {**body, "room_config": {**dispatch, **body.get("room_config", {})}}
    refused = await client.post(TOKEN, json=body, headers=_from_site(keys.publishable))
    problem = assert_problem(refused, 400, "invalid_request")
    expected = field or (
        "room_config.agents" if len(agents or []) > 1 else "room_config.agents[0].deployment"
    )
    assert problem["errors"][0]["field"] == expected
    assert world.calls.items == {}


@pytest.mark.parametrize("metadata", ["not json", "[1, 2]", '"a string"', "3"])
async def test_agent_metadata_must_be_a_json_object_in_a_string(
    client: httpx.AsyncClient, world: World, keys: Keys, metadata: str
) -> None:
    body = _sdk_body(keys.seeded.agent.dispatch_name, metadata)
    refused = await client.post(TOKEN, json=body, headers=_from_site(keys.publishable))
    problem = assert_problem(refused, 400, "invalid_request")
    assert problem["errors"][0]["field"] == "room_config.agents[0].metadata"
    assert world.calls.items == {}


async def test_agent_metadata_has_the_seed_routes_limits(
    client: httpx.AsyncClient, world: World, keys: Keys
) -> None:
    body = _sdk_body(keys.seeded.agent.dispatch_name, json.dumps({"$where": "1"}))
    refused = await client.post(TOKEN, json=body, headers=_from_site(keys.publishable))
    problem = assert_problem(refused, 400, "invalid_metadata")
    assert problem["errors"][0]["field"].startswith("room_config.agents[0].metadata")
    assert world.calls.items == {}


async def test_what_a_caller_says_about_itself_reaches_its_token(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    body = _sdk_body(
        keys.seeded.agent.dispatch_name,
        participant_name="Ada",
        participant_metadata='{"avatar": "a.png"}',
        participant_attributes={"team": "blue"},
    )
    issued = (await client.post(TOKEN, json=body, headers=_from_site(keys.publishable))).json()
    claims = _claims(issued["participant_token"])
    assert claims["metadata"] == '{"avatar": "a.png"}'
    assert claims["attributes"] == {
        "team": "blue",
        "call_id": issued["call_id"],
        "agent_id": keys.seeded.agent.id,
    }


async def test_a_secret_key_needs_no_origin_and_may_choose_the_identity(
    client: httpx.AsyncClient, world: World, keys: Keys
) -> None:
    body = _sdk_body(keys.seeded.agent.dispatch_name, participant_identity="user-42")
    issued = await client.post(TOKEN, json=body, headers=bearer(keys.seeded.api_key))
    assert issued.status_code == 201, issued.text
    assert issued.json()["participant_identity"] == "user-42"
    assert "access-control-allow-origin" not in issued.headers
    call = world.calls.items[issued.json()["call_id"]]
    assert call.created_by is not None
    assert call.created_by.key_kind is KeyKind.SECRET


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://shop.example.com",
        "https://shop.example.com:8443",
        "https://example.org",
        "null",
        None,
    ],
)
async def test_a_publishable_key_from_another_origin_is_403_and_writes_nothing(
    client: httpx.AsyncClient, world: World, keys: Keys, origin: str | None
) -> None:
    body = _sdk_body(keys.seeded.agent.dispatch_name)
    refused = await client.post(TOKEN, json=body, headers=_from_site(keys.publishable, origin))
    assert_problem(refused, 403, "origin_not_allowed")
    assert "access-control-allow-origin" not in refused.headers
    assert world.calls.items == {}


async def test_a_native_app_key_works_without_an_origin(
    client: httpx.AsyncClient, world: World, seeded: Seeded
) -> None:
    native, _ = await _publishable(world, seeded, [], allow_native=True)
    body = _sdk_body(seeded.agent.dispatch_name)
    answer = await client.post(TOKEN, json=body, headers=bearer(native))
    assert answer.status_code == 201, answer.text


async def test_a_subdomain_of_a_wildcard_origin_is_allowed(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    origin = "https://app.eu.example.org"
    body = _sdk_body(keys.seeded.agent.dispatch_name)
    answer = await client.post(TOKEN, json=body, headers=_from_site(keys.publishable, origin))
    assert answer.status_code == 201, answer.text
    assert answer.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize("key", ["rtpk_" + "A" * 43, "rtk_" + "A" * 43, "nonsense", None])
async def test_unknown_keys_are_401_and_write_nothing(
    client: httpx.AsyncClient, world: World, seeded: Seeded, key: str | None
) -> None:
    headers = {"origin": SITE, **(bearer(key) if key else {})}
    refused = await client.post(TOKEN, json=_sdk_body(seeded.agent.dispatch_name), headers=headers)
    assert_problem(refused, 401, "unauthenticated")
    assert world.calls.items == {}


async def test_a_revoked_publishable_key_is_401(
    client: httpx.AsyncClient, world: World, keys: Keys
) -> None:
    await world.container.revoke_publishable_key()(keys.key_id, tenant_id=keys.seeded.tenant_id)
    refused = await client.post(
        TOKEN, json=_sdk_body(keys.seeded.agent.dispatch_name), headers=_from_site(keys.publishable)
    )
    assert_problem(refused, 401, "unauthenticated")


async def test_the_sandbox_path_takes_the_key_as_the_sandbox_id(
    client: httpx.AsyncClient, world: World, keys: Keys
) -> None:
    body = _sdk_body(keys.seeded.agent.dispatch_name)
    issued = await client.post(
        SANDBOX, json=body, headers={"x-sandbox-id": keys.publishable, "origin": SITE}
    )
    bearer_only = await client.post(SANDBOX, json=body, headers=_from_site(keys.publishable))
    secret = await client.post(
        SANDBOX, json=body, headers={"x-sandbox-id": keys.seeded.api_key, "origin": SITE}
    )
    assert issued.status_code == 201, issued.text
    assert issued.headers["access-control-allow-origin"] == SITE
    assert_problem(bearer_only, 401, "unauthenticated")
    assert_problem(secret, 401, "unauthenticated")
    assert len(world.calls.items) == 1


@pytest.mark.parametrize("path", [TOKEN, SANDBOX])
async def test_a_preflight_is_answered_for_any_origin(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.options(
        path,
        headers={
            "origin": "https://anywhere.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "https://anywhere.example"
    assert answer.headers["access-control-allow-methods"] == "POST"
    assert (
        answer.headers["access-control-allow-headers"]
        == "authorization, content-type, x-sandbox-id"
    )
    assert int(answer.headers["access-control-max-age"]) > 0
    assert "Origin" in answer.headers["vary"]


@pytest.mark.parametrize("path", ["/v1/realtime/token", "/v1/agents", "/v1/publishable-keys"])
async def test_other_routes_stay_closed_to_other_origins(
    client: httpx.AsyncClient, keys: Keys, path: str
) -> None:
    preflight = await client.options(
        path, headers={"origin": SITE, "access-control-request-method": "POST"}
    )
    answer = await client.post(
        path, json={}, headers={**bearer(keys.seeded.api_key), "origin": SITE}
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in answer.headers


@pytest.fixture
async def limited() -> AsyncIterator[tuple[httpx.AsyncClient, World, Keys]]:
    world = fake_world(per_ip=2, max_queued_per_key=0)
    seeded = await world.seed_tenant()
    plaintext, key_id = await _publishable(world, seeded, [SITE])
    async with AsyncTestClient(create_app(world.container)) as client:
        yield client, world, Keys(seeded, plaintext, key_id)


async def test_a_publishable_key_is_limited_per_client_address(
    limited: tuple[httpx.AsyncClient, World, Keys],
) -> None:
    client, world, keys = limited
    body = _sdk_body(keys.seeded.agent.dispatch_name)
    answers = [
        await client.post(TOKEN, json=body, headers=_from_site(keys.publishable)) for _ in range(3)
    ]
    assert [a.status_code for a in answers[:2]] == [201, 201]
    assert_problem(answers[2], 429, "rate_limited")
    assert int(answers[2].headers["retry-after"]) >= 1
    assert len(world.calls.items) == 2
    by_secret_key = await client.post(TOKEN, json=body, headers=bearer(keys.seeded.api_key))
    assert by_secret_key.status_code == 201  # the per-address share is a publishable key's


async def test_the_queued_call_cap_applies_per_publishable_key() -> None:
    world = fake_world(max_queued_per_key=1)
    seeded = await world.seed_tenant()
    first, _ = await _publishable(world, seeded, [SITE])
    second, _ = await _publishable(world, seeded, [SITE])
    body = _sdk_body(seeded.agent.dispatch_name)
    async with AsyncTestClient(create_app(world.container)) as client:
        allowed = await client.post(TOKEN, json=body, headers=_from_site(first))
        capped = await client.post(TOKEN, json=body, headers=_from_site(first))
        other_key = await client.post(TOKEN, json=body, headers=_from_site(second))
    assert allowed.status_code == 201
    assert_problem(capped, 429, "too_many_queued_calls")
    assert other_key.status_code == 201
    assert len(world.calls.items) == 2


async def test_an_unknown_agent_id_field_is_refused_by_name(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    refused = await client.post(
        TOKEN, json={"agent_id": str(uuid.uuid4())}, headers=_from_site(keys.publishable)
    )
    problem = assert_problem(refused, 400, "invalid_request")
    assert problem["errors"][0]["field"] == "agent_id"
