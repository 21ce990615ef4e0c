"""The publishable-key use cases over the in-memory fakes, behind the real read-through cache."""

from datetime import timedelta

import pytest

from domain.errors import (
    AgentNotFound,
    AuthenticationFailed,
    InvalidOrigin,
    PublishableKeyNotFound,
    TenantNotFound,
)
from domain.pagination import PageRequest
from tests.support.world import Seeded, World, fake_world

CACHE_TTL = timedelta(seconds=5)
SHOP = "https://shop.example.com"


@pytest.fixture
def world() -> World:
    return fake_world()


@pytest.fixture
async def acme(world: World) -> Seeded:
    return await world.seed_tenant("Acme")


async def test_a_key_is_created_for_the_tenant_and_stored_as_its_hash_only(
    world: World, acme: Seeded
) -> None:
    minted = await world.container.create_publishable_key()(
        acme.tenant_id,
        [SHOP, "https://*.example.org"],
        agents=[acme.agent.dispatch_name],
        allow_native=True,
        description="shop",
    )
    stored = world.publishable_keys.items[minted.key.id]
    assert stored == minted.key
    assert stored.origins == (SHOP, "https://*.example.org")
    assert stored.agents == (acme.agent.dispatch_name,)
    assert stored.allow_native
    assert stored.created_at == world.clock.now()
    assert minted.plaintext not in repr(world.publishable_keys.items)


async def test_an_unknown_tenant_gets_no_key(world: World) -> None:
    with pytest.raises(TenantNotFound):
        await world.container.create_publishable_key()("no-such-tenant", [SHOP])
    assert world.publishable_keys.items == {}


@pytest.mark.parametrize(
    ("origins", "allow_native", "field"),
    [
        ([SHOP, "https://*.com"], False, "origins[1]"),
        (["https://shop.example.com/"], False, "origins[0]"),
        ([], False, "origins"),
    ],
)
async def test_bad_origins_are_refused_and_nothing_is_written(
    world: World, acme: Seeded, origins: list[str], allow_native: bool, field: str
) -> None:
    with pytest.raises(InvalidOrigin) as raised:
        await world.container.create_publishable_key()(
            acme.tenant_id, origins, allow_native=allow_native
        )
    assert raised.value.field == field
    assert world.publishable_keys.items == {}


async def test_a_native_only_key_needs_no_origin(world: World, acme: Seeded) -> None:
    minted = await world.container.create_publishable_key()(acme.tenant_id, [], allow_native=True)
    assert minted.key.origins == ()


async def test_listed_agents_must_be_live_agents_of_this_tenant(world: World, acme: Seeded) -> None:
    globex = await world.seed_tenant("Globex")
    deleted = await world.container.create_agent()(acme.tenant_id, "Gone", "gone")
    await world.container.delete_agent()(acme.tenant_id, deleted.id)
    create = world.container.create_publishable_key()

    for foreign in ("no-such-agent", globex.agent.dispatch_name, "gone"):
        with pytest.raises(AgentNotFound):
            await create(acme.tenant_id, [SHOP], agents=[acme.agent.dispatch_name, foreign])
    assert world.publishable_keys.items == {}


async def test_a_tenant_lists_its_own_keys_newest_first_by_cursor(
    world: World, acme: Seeded
) -> None:
    globex = await world.seed_tenant("Globex")
    create = world.container.create_publishable_key()
    ids = []
    for _ in range(3):
        ids.append((await create(acme.tenant_id, [SHOP])).key.id)
        world.clock.advance(timedelta(seconds=1))
    await create(globex.tenant_id, [SHOP])
    list_keys = world.container.list_publishable_keys()

    first = await list_keys(acme.tenant_id, PageRequest(limit=2))
    rest = await list_keys(acme.tenant_id, PageRequest(limit=2, after=first.next))

    assert [k.id for k in first.items + rest.items] == ids[::-1]
    assert rest.next is None


async def test_revoking_another_tenants_key_is_exactly_like_a_missing_one(
    world: World, acme: Seeded
) -> None:
    globex = await world.seed_tenant("Globex")
    theirs = await world.container.create_publishable_key()(globex.tenant_id, [SHOP])
    revoke = world.container.revoke_publishable_key()

    for key_id in (theirs.key.id, "no-such-key"):
        with pytest.raises(PublishableKeyNotFound):
            await revoke(key_id, tenant_id=acme.tenant_id)
    assert world.publishable_keys.items[theirs.key.id].revoked_at is None

    revoked = await revoke(theirs.key.id, tenant_id=globex.tenant_id)
    assert revoked.revoked_at == world.clock.now()


async def test_an_operator_revokes_any_key_by_id(world: World, acme: Seeded) -> None:
    minted = await world.container.create_publishable_key()(acme.tenant_id, [SHOP])
    revoke = world.container.revoke_publishable_key()
    assert (await revoke(minted.key.id, tenant_id=None)).revoked_at == world.clock.now()
    with pytest.raises(PublishableKeyNotFound):
        await revoke("no-such-key", tenant_id=None)


async def test_a_presented_key_authenticates_to_its_record(world: World, acme: Seeded) -> None:
    minted = await world.container.create_publishable_key()(acme.tenant_id, [SHOP])
    assert await world.container.authenticate_publishable_key()(minted.plaintext) == minted.key


@pytest.mark.parametrize(
    "presented", [None, "", "rtpk_short", "rtpk_" + "A" * 43, "garbage", "Bearer x"]
)
async def test_malformed_and_unknown_keys_fail_alike(
    world: World, acme: Seeded, presented: str | None
) -> None:
    with pytest.raises(AuthenticationFailed):
        await world.container.authenticate_publishable_key()(presented)


async def test_a_secret_key_is_not_a_publishable_key(world: World, acme: Seeded) -> None:
    with pytest.raises(AuthenticationFailed):
        await world.container.authenticate_publishable_key()(acme.api_key)


async def test_a_revoked_key_fails_at_once_in_this_process(world: World, acme: Seeded) -> None:
    minted = await world.container.create_publishable_key()(acme.tenant_id, [SHOP])
    authenticate = world.container.authenticate_publishable_key()
    await authenticate(minted.plaintext)
    await world.container.revoke_publishable_key()(minted.key.id, tenant_id=None)
    with pytest.raises(AuthenticationFailed):
        await authenticate(minted.plaintext)


async def test_a_key_revoked_elsewhere_stops_working_within_the_cache_ttl(
    world: World, acme: Seeded
) -> None:
    minted = await world.container.create_publishable_key()(acme.tenant_id, [SHOP])
    authenticate = world.container.authenticate_publishable_key()
    await authenticate(minted.plaintext)

    await world.publishable_keys.revoke(minted.key.id, world.clock.now())  # another process

    assert (await authenticate(minted.plaintext)).id == minted.key.id  # cached, as documented
    world.clock.advance(CACHE_TTL)
    with pytest.raises(AuthenticationFailed):
        await authenticate(minted.plaintext)


async def test_a_warm_lookup_reads_nothing_from_the_store(world: World, acme: Seeded) -> None:
    minted = await world.container.create_publishable_key()(acme.tenant_id, [SHOP])
    authenticate = world.container.authenticate_publishable_key()
    await authenticate(minted.plaintext)

    world.publishable_keys.items.clear()

    assert await authenticate(minted.plaintext) == minted.key


async def test_a_miss_is_not_cached(world: World, acme: Seeded) -> None:
    minted = await world.container.create_publishable_key()(acme.tenant_id, [SHOP])
    stored = world.publishable_keys.items.pop(minted.key.id)
    authenticate = world.container.authenticate_publishable_key()
    with pytest.raises(AuthenticationFailed):
        await authenticate(minted.plaintext)
    world.publishable_keys.items[stored.id] = stored
    assert await authenticate(minted.plaintext) == stored
