"""Dispatch names: derived ones are unique in any script; a name is never another tenant's to
take while that tenant's live agents use it or its tokens may still be joining; released
names come back once the reuse delay has passed."""

from datetime import UTC, datetime
from typing import Any

import httpx

from application.join_window import MAX_TTL_SECONDS
from domain.agent import DISPATCH_NAME_REUSE_DELAY, Agent, checked_dispatch_name
from tests.support.world import Seeded, World

NOW = datetime(2026, 1, 1, tzinfo=UTC)
NAMES = ["Поддержка", "Продажи", "サポート", "客服", "الدعم", "Support", "Support", "!!!"]


def _auth(seeded: Seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.api_key}"}


async def _create(client: httpx.AsyncClient, who: Seeded, **body: Any) -> httpx.Response:
    return await client.post("/v1/agents", json=body, headers=_auth(who))


def test_derived_dispatch_names_are_valid_unique_and_deterministic_in_any_script() -> None:
    agents = [Agent.create("t", name, None, NOW) for name in NAMES]

    derived = [a.dispatch_name for a in agents]

    assert len(set(derived)) == len(NAMES)
    assert all(checked_dispatch_name(d) == d for d in derived)
    assert derived[5].startswith("support-")
    assert derived[0].startswith("agent-")
    again = Agent.create("t", "Поддержка", None, NOW)
    assert again.dispatch_name.endswith(again.id.replace("-", "")[:8])


def test_a_released_name_waits_at_least_as_long_as_any_token_may_still_join() -> None:
    assert DISPATCH_NAME_REUSE_DELAY.total_seconds() >= MAX_TTL_SECONDS


async def test_names_without_latin_letters_no_longer_collide(
    client: httpx.AsyncClient, world: World
) -> None:
    tenant_a = await world.seed_tenant("A")
    tenant_b = await world.seed_tenant("B")

    support = await _create(client, tenant_b, name="Поддержка")
    sales = await _create(client, tenant_b, name="Продажи")
    japanese = await _create(client, tenant_a, name="サポート")

    assert [r.status_code for r in (support, sales, japanese)] == [201, 201, 201]
    assert support.json()["dispatch_name"] != sales.json()["dispatch_name"]


async def test_a_name_another_tenant_gave_up_is_free_only_after_the_reuse_delay(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await world.seed_tenant("Mine")
    theirs = await world.seed_tenant("Theirs")
    given_up = theirs.agent.dispatch_name
    renamed = await client.patch(
        f"/v1/agents/{theirs.agent.id}", json={"dispatch_name": "theirs-v2"}, headers=_auth(theirs)
    )

    too_soon = await _create(client, mine, name="Mine", dispatch_name=given_up)
    own_again = await _create(client, theirs, name="Back", dispatch_name=given_up)
    await client.delete(f"/v1/agents/{own_again.json()['id']}", headers=_auth(theirs))
    world.clock.advance(DISPATCH_NAME_REUSE_DELAY)
    in_time = await _create(client, mine, name="Mine", dispatch_name=given_up)
    still_used = await _create(client, mine, name="Also mine", dispatch_name="theirs-v2")

    assert renamed.status_code == 200
    assert too_soon.status_code == 409
    assert own_again.status_code == 201, "a tenant may take its own released name back at once"
    assert in_time.status_code == 201, in_time.text
    assert still_used.status_code == 409


async def test_a_deleted_agents_name_is_released_after_the_delay(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await world.seed_tenant("Mine")
    theirs = await world.seed_tenant("Theirs")
    await client.delete(f"/v1/agents/{theirs.agent.id}", headers=_auth(theirs))

    too_soon = await _create(client, mine, name="X", dispatch_name=theirs.agent.dispatch_name)
    world.clock.advance(DISPATCH_NAME_REUSE_DELAY)
    later = await _create(client, mine, name="X", dispatch_name=theirs.agent.dispatch_name)

    assert (too_soon.status_code, later.status_code) == (409, 201)


async def test_the_409_does_not_say_who_holds_the_name(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await world.seed_tenant("Mine")
    theirs = await world.seed_tenant("Theirs")

    taken = await _create(client, mine, name="X", dispatch_name=theirs.agent.dispatch_name)

    assert taken.status_code == 409
    assert taken.json()["code"] == "dispatch_name_taken"
    assert "tenant" not in taken.json()["detail"].lower()


async def test_a_name_in_use_without_a_registry_row_cannot_be_taken(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await world.seed_tenant("Mine")
    theirs = await world.seed_tenant("Theirs")
    world.dispatch_names.forget(theirs.agent.dispatch_name)  # an agent from before the registry

    taken = await _create(client, mine, name="X", dispatch_name=theirs.agent.dispatch_name)
    own = await client.patch(
        f"/v1/agents/{theirs.agent.id}", json={"name": "Still mine"}, headers=_auth(theirs)
    )
    again = await _create(client, theirs, name="Y", dispatch_name=theirs.agent.dispatch_name)

    assert taken.status_code == 409
    assert own.status_code == 200
    assert again.status_code == 201
    assert [a.tenant_id for a in world.agents.items.values() if a.name == "X"] == []
