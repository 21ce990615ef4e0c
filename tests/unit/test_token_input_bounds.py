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


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
async def test_a_number_json_cannot_carry_is_400_on_both_routes(
    client: httpx.AsyncClient, world: World, seeded: Seeded, number: str
) -> None:
    """The attacker hid a non-finite number in the agent metadata string, which Python's
    json module reads; the seed route's decoder never did. Both now answer 400 naming it."""
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
