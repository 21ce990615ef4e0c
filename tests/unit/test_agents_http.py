"""The agents routes over fakes: dispatch names."""

from typing import Any

import httpx
import pytest

from tests.support.http import assert_problem as _assert_problem
from tests.support.http import bearer as _auth
from tests.support.world import Seeded, World


async def test_a_dispatch_name_of_another_tenant_cannot_be_taken(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await world.seed_tenant("Mine")
    theirs = await world.seed_tenant("Theirs")
    taken = theirs.agent.dispatch_name

    created = await client.post(
        "/v1/agents", json={"name": "Sneaky", "dispatch_name": taken}, headers=_auth(mine.api_key)
    )
    patched = await client.patch(
        f"/v1/agents/{mine.agent.id}", json={"dispatch_name": taken}, headers=_auth(mine.api_key)
    )
    own_again = await client.post(
        "/v1/agents", json={"name": "Second", "dispatch_name": taken}, headers=_auth(theirs.api_key)
    )

    _assert_problem(created, 409, "dispatch_name_taken")
    _assert_problem(patched, 409, "dispatch_name_taken")
    assert own_again.status_code == 201, "a tenant may reuse its own dispatch name"
    assert world.agents.items[mine.agent.id].dispatch_name == mine.agent.dispatch_name


async def test_an_empty_dispatch_name_is_refused_not_replaced(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        "/v1/agents",
        json={"name": "Zed Q", "dispatch_name": ""},
        headers={"Authorization": f"Bearer {seeded.api_key}"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_name"


@pytest.mark.parametrize(("sent", "got"), [(0, "int"), ("true", "str")])
async def test_a_value_of_the_wrong_json_type_is_refused_not_converted(
    client: httpx.AsyncClient, seeded: Seeded, world: World, sent: Any, got: str
) -> None:
    before = dict(world.agents.items)
    permissions = {"can_publish_sources": ["microphone"], "can_publish_data": sent}
    response = await client.post(
        "/v1/agents",
        json={"name": "Desk", "caller_permissions": permissions},
        headers=_auth(seeded.api_key),
    )
    problem = _assert_problem(response, 400, "invalid_request")
    assert problem["errors"] == [
        {"field": "caller_permissions.can_publish_data", "message": f"Expected `bool`, got `{got}`"}
    ]
    assert world.agents.items == before
