"""What a caller puts in a token or a stored call is refused with a 400 naming the field, never
a 500, and bounded in UTF-8 bytes (issue 20, items 4, 5 and 10)."""

import json
from typing import Any

import httpx
import pytest

from tests.support.http import assert_problem, bearer
from tests.support.world import Seeded, World

TOKEN = "/v1/livekit/token"
SITE = "https://shop.example.com"
AGENT_METADATA = "room_config.agents[0].metadata"


async def _publishable(world: World, seeded: Seeded) -> dict[str, str]:
    minted = await world.container.create_publishable_key()(seeded.tenant_id, [SITE])
    return {**bearer(minted.plaintext), "origin": SITE}


def _sdk_body(seeded: Seeded, **more: Any) -> dict[str, Any]:
    return {"room_config": {"agents": [{"agent_name": seeded.agent.dispatch_name}]}, **more}


@pytest.mark.parametrize(
    "number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", '"\\ud800"', '"\\udfff x"']
)
async def test_a_value_json_cannot_carry_is_400_on_both_routes(
    client: httpx.AsyncClient, world: World, seeded: Seeded, number: str
) -> None:
    """The attacker hid a non-finite number (or a lone surrogate) in the agent metadata
    string, which Python's json module reads; the seed route's decoder never did. Both now
    answer 400 naming it, and other callers' metadata still passes."""
    headers = await _publishable(world, seeded)
    body = _sdk_body(seeded)
    body["room_config"]["agents"][0]["metadata"] = '{"plan": "pro", "score": ' + number + "}"
    seed_body = f'{{"agent_id": "{seeded.agent.id}", "metadata": {{"score": {number}}}}}'

    livekit = await client.post(TOKEN, json=body, headers=headers)
    seed = await client.post(
        "/v1/realtime/token",
        content=seed_body,
        headers={**bearer(seeded.api_key), "content-type": "application/json"},
    )

    problem = assert_problem(livekit, 400, "invalid_request")
    assert problem["errors"][0]["field"] == AGENT_METADATA
    assert_problem(seed, 400, "invalid_request")
    assert world.calls.items == {}
    fine = _sdk_body(seeded)
    fine["room_config"]["agents"][0]["metadata"] = '{"plan": "pro", "score": 1.5e300}'
    assert (await client.post(TOKEN, json=fine, headers=headers)).status_code == 201


@pytest.mark.parametrize(
    "attributes",
    [{"a\x00b": "x"}, {"k": "nul\x00"}, {"\x1b[2J": "x"}, {"k": "line\nbreak"}, {"k": "\u202e"}],
)
async def test_control_characters_in_attributes_are_400(
    client: httpx.AsyncClient, world: World, seeded: Seeded, attributes: dict[str, str]
) -> None:
    """The attacker put a NUL (which BSON cannot store in a key) or a terminal escape in a
    participant attribute; it is refused before anything is stored, and other callers'
    plain attributes still pass."""
    headers = await _publishable(world, seeded)

    refused = await client.post(
        TOKEN, json=_sdk_body(seeded, participant_attributes=attributes), headers=headers
    )
    fine = await client.post(
        TOKEN, json=_sdk_body(seeded, participant_attributes={"team": "blue"}), headers=headers
    )

    problem = assert_problem(refused, 400, "invalid_request")
    assert problem["errors"][0]["field"].startswith("participant_attributes")
    assert "\x00" not in json.dumps(problem["errors"][0]["field"], ensure_ascii=False)
    assert fine.status_code == 201
    assert len(world.calls.items) == 1


FOUR_BYTES = "\U0001f600"  # one character, four bytes in UTF-8


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({FOUR_BYTES * 17: "x"}, "participant_attributes." + FOUR_BYTES * 16),
        ({"k": FOUR_BYTES * 129}, "participant_attributes.k"),
    ],
)
async def test_attribute_limits_count_utf8_bytes(
    client: httpx.AsyncClient,
    world: World,
    seeded: Seeded,
    attributes: dict[str, str],
    field: str,
) -> None:
    """The attacker sent 4-byte characters to store four times the documented size: a key
    is at most 64 bytes and a value 512, whatever the characters."""
    headers = await _publishable(world, seeded)
    at_the_limit = {FOUR_BYTES * 16: FOUR_BYTES * 128}

    refused = await client.post(
        TOKEN, json=_sdk_body(seeded, participant_attributes=attributes), headers=headers
    )
    accepted = await client.post(
        TOKEN, json=_sdk_body(seeded, participant_attributes=at_the_limit), headers=headers
    )

    problem = assert_problem(refused, 400, "invalid_request")
    assert problem["errors"][0]["field"] == field
    assert "bytes" in problem["errors"][0]["message"]
    assert accepted.status_code == 201, accepted.text
    assert len(world.calls.items) == 1


async def test_a_metadata_key_is_bounded_in_bytes(
    client: httpx.AsyncClient, world: World, seeded: Seeded
) -> None:
    refused = await client.post(
        "/v1/realtime/token",
        json={"agent_id": seeded.agent.id, "metadata": {FOUR_BYTES * 65: 1}},
        headers=bearer(seeded.api_key),
    )
    problem = assert_problem(refused, 400, "invalid_metadata")
    assert "bytes" in problem["errors"][0]["message"]
    assert world.calls.items == {}


def _largest_participant() -> dict[str, Any]:
    """Every per-field limit filled with the characters that cost a token the most bytes."""
    return {
        "participant_name": FOUR_BYTES * 200,
        "participant_metadata": '"' * 4096,
        "participant_attributes": {
            f"{n:02d}" + FOUR_BYTES * 15: FOUR_BYTES * 128 for n in range(16)
        },
    }


async def test_the_callers_part_of_a_token_is_at_most_8_kib(
    client: httpx.AsyncClient, world: World, seeded: Seeded
) -> None:
    """Each field within its own limit, the attacker still asked for 10 KiB of name, metadata
    and attributes in a token that travels in a WebSocket URL; the whole is bounded."""
    headers = await _publishable(world, seeded)
    everything = _largest_participant()
    attributes = list(everything["participant_attributes"].items())
    fits = {  # 800 + 2 x 1000 (each quote escaped in the token) + 8 x 574 bytes
        **everything,
        "participant_metadata": '"' * 1000,
        "participant_attributes": dict(attributes[:8]),
    }

    refused = await client.post(TOKEN, json=_sdk_body(seeded, **everything), headers=headers)
    accepted = await client.post(TOKEN, json=_sdk_body(seeded, **fits), headers=headers)

    problem = assert_problem(refused, 400, "invalid_request")
    assert problem["errors"][0]["field"] == "participant_attributes"
    assert "8192 bytes" in problem["errors"][0]["message"]
    assert accepted.status_code == 201, accepted.text
    assert len(accepted.json()["participant_token"]) < 12 * 1024
    assert len(world.calls.items) == 1
