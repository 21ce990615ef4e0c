"""One contract for every implementation of the repository ports."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import SystemClock, truncated_to_millis
from domain.agent import Agent
from domain.api_key import mint_api_key
from domain.call import Call, CreatedBy
from domain.errors import CallAlreadyStored, StorageError
from domain.idempotency import IdempotencyRecord
from domain.pagination import PageRequest
from domain.participant import Participant
from domain.publishable_key import PublishableKey, mint_publishable_key
from domain.tenant import KeyKind, Tenant
from tests.integration.conftest import Repositories

pytestmark = pytest.mark.integration
NOW = truncated_to_millis(datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC))
RECENT = SystemClock().now()  # idempotency records carry a TTL index: a past time is purged


async def test_tenants_round_trip(repositories: Repositories) -> None:
    tenant = Tenant.create("Acme", NOW)
    await repositories.tenants.add(tenant)
    assert await repositories.tenants.get(tenant.id) == tenant
    assert await repositories.tenants.get("missing") is None


async def test_a_tenant_id_is_stored_once(repositories: Repositories) -> None:
    tenant = Tenant.create("Acme", NOW)
    await repositories.tenants.add(tenant)
    with pytest.raises(StorageError):
        await repositories.tenants.add(tenant)


async def test_api_keys_are_found_by_hash_only(repositories: Repositories) -> None:
    minted = mint_api_key("tenant-1", NOW)
    await repositories.api_keys.add(minted.key)
    assert await repositories.api_keys.find_by_hash(minted.key.key_hash) == minted.key
    assert await repositories.api_keys.find_by_hash(minted.plaintext) is None


async def test_a_key_hash_is_unique(repositories: Repositories) -> None:
    first = mint_api_key("tenant-1", NOW).key
    clash = mint_api_key("tenant-2", NOW).key
    await repositories.api_keys.add(first)
    from dataclasses import replace

    with pytest.raises(StorageError):
        await repositories.api_keys.add(replace(clash, key_hash=first.key_hash))


async def test_revocation_is_final_and_keeps_its_first_time(repositories: Repositories) -> None:
    key = mint_api_key("tenant-1", NOW).key
    await repositories.api_keys.add(key)

    revoked = await repositories.api_keys.revoke(key.id, NOW + timedelta(minutes=1))
    again = await repositories.api_keys.revoke(key.id, NOW + timedelta(minutes=2))

    assert revoked is not None
    assert revoked.revoked_at == NOW + timedelta(minutes=1)
    assert again == revoked
    assert await repositories.api_keys.find_by_hash(key.key_hash) == revoked
    assert await repositories.api_keys.revoke("missing", NOW) is None


async def test_agents_are_only_visible_within_their_tenant(repositories: Repositories) -> None:
    agent = Agent.create("tenant-1", "Support", None, NOW)
    await repositories.agents.add(agent)
    assert await repositories.agents.get_for_tenant("tenant-1", agent.id) == agent
    assert await repositories.agents.get_for_tenant("tenant-2", agent.id) is None
    assert await repositories.agents.get_for_tenant("tenant-1", "missing") is None


async def test_agents_list_newest_first_per_tenant(repositories: Repositories) -> None:
    older = Agent.create("tenant-1", "Older", None, NOW)
    newer = Agent.create("tenant-1", "Newer", None, NOW + timedelta(seconds=1))
    foreign = Agent.create("tenant-2", "Foreign", None, NOW)
    for agent in (older, foreign, newer):
        await repositories.agents.add(agent)
    assert await repositories.agents.list_for_tenant("tenant-1") == [newer, older]
    assert await repositories.agents.list_for_tenant("tenant-3") == []


async def test_calls_round_trip_with_nested_metadata(repositories: Repositories) -> None:
    call = Call.queue_webrtc(
        tenant_id="tenant-1",
        agent_id="agent-1",
        metadata={"source": "web", "user": {"id": 7, "tags": ["a", None, 1.5, True]}},
        now=NOW,
        join_window=timedelta(minutes=10),
    )
    await repositories.calls.add(call)

    stored = await repositories.calls.get_for_tenant("tenant-1", call.id)

    assert stored == call
    assert stored is not None
    assert stored.created_at.tzinfo is not None
    assert await repositories.calls.get_for_tenant("tenant-2", call.id) is None


async def test_a_call_keeps_its_key_and_what_its_caller_said(repositories: Repositories) -> None:
    call = Call.queue_webrtc(
        tenant_id="tenant-1",
        agent_id="agent-1",
        metadata={},
        now=NOW,
        join_window=timedelta(minutes=10),
        created_by=CreatedBy("key-1", KeyKind.PUBLISHABLE),
        participant=Participant(
            identity="user-7", name="Ada", metadata='{"a": 1}', attributes={"team": "blue"}
        ),
    )
    await repositories.calls.add(call)

    stored = await repositories.calls.get_for_tenant("tenant-1", call.id)

    assert stored == call
    assert stored is not None
    assert stored.participant_identity == "user-7"


async def test_queued_calls_are_counted_per_key_too(repositories: Repositories) -> None:
    for key in ("key-1", "key-1", "key-2"):
        await repositories.calls.add(
            Call.queue_webrtc(
                tenant_id="t",
                agent_id="a",
                metadata={},
                now=NOW,
                join_window=timedelta(minutes=10),
                created_by=CreatedBy(key, KeyKind.PUBLISHABLE),
            )
        )
    assert await repositories.calls.count_queued("t", NOW) == 3
    assert await repositories.calls.count_queued("t", NOW, "key-1") == 2
    assert await repositories.calls.count_queued("t", NOW, "key-3") == 0
    assert await repositories.calls.count_queued("other", NOW, "key-1") == 0


async def test_agents_are_found_by_dispatch_name_within_their_tenant_only(
    repositories: Repositories,
) -> None:
    older = Agent.create("tenant-1", "Desk", "desk", NOW)
    newer = Agent.create("tenant-1", "Desk v2", "desk", NOW + timedelta(seconds=1))
    deleted = Agent.create("tenant-1", "Gone", "gone", NOW)
    for agent in (older, newer, deleted):
        await repositories.agents.add(agent)
    await repositories.agents.delete("tenant-1", deleted.id, NOW)

    assert await repositories.agents.get_by_dispatch_name("tenant-1", "desk") == newer
    assert await repositories.agents.get_by_dispatch_name("tenant-2", "desk") is None
    assert await repositories.agents.get_by_dispatch_name("tenant-1", "gone") is None
    assert await repositories.agents.get_by_dispatch_name("tenant-1", "nobody") is None


async def test_a_call_is_stored_once(repositories: Repositories) -> None:
    call = Call.queue_webrtc(
        tenant_id="t", agent_id="a", metadata={}, now=NOW, join_window=timedelta(minutes=1)
    )
    await repositories.calls.add(call)

    with pytest.raises(CallAlreadyStored):  # an idempotent request's takeover relies on it
        await repositories.calls.add(dataclasses.replace(call, metadata={"second": True}))
    stored = await repositories.calls.get_for_tenant("t", call.id)
    assert stored is not None
    assert stored.metadata == call.metadata


async def test_queued_calls_are_counted_inside_their_join_window(
    repositories: Repositories,
) -> None:
    for minutes in (1, 10):
        await repositories.calls.add(
            Call.queue_webrtc(
                tenant_id="t",
                agent_id="a",
                metadata={},
                now=NOW,
                join_window=timedelta(minutes=minutes),
            )
        )
    assert await repositories.calls.count_queued("t", NOW) == 2
    assert await repositories.calls.count_queued("t", NOW + timedelta(minutes=5)) == 1
    assert await repositories.calls.count_queued("other", NOW) == 0


async def test_one_idempotency_claim_wins(repositories: Repositories) -> None:
    first = IdempotencyRecord.claim("t", "key", "fp-1", RECENT)
    second = IdempotencyRecord.claim("t", "key", "fp-2", RECENT + timedelta(seconds=1))

    assert await repositories.idempotency_store.claim(first) is None
    assert await repositories.idempotency_store.claim(second) == first
    assert (
        await repositories.idempotency_store.claim(IdempotencyRecord.claim("u", "key", "x", RECENT))
        is None
    )


async def test_a_completed_claim_reads_back_completed(repositories: Repositories) -> None:
    claim = IdempotencyRecord.claim("t", "key", "fp", RECENT)
    await repositories.idempotency_store.claim(claim)
    await repositories.idempotency_store.complete(claim)
    held = await repositories.idempotency_store.claim(
        IdempotencyRecord.claim("t", "key", "fp", RECENT)
    )
    assert held is not None
    assert held.completed
    assert held.call_id == claim.call_id


async def test_release_drops_only_that_very_claim(repositories: Repositories) -> None:
    claim = IdempotencyRecord.claim("t", "key", "fp", RECENT)
    stranger = IdempotencyRecord.claim("t", "key", "fp", RECENT)
    await repositories.idempotency_store.claim(claim)

    await repositories.idempotency_store.release(stranger)
    assert await repositories.idempotency_store.claim(stranger) == claim

    await repositories.idempotency_store.release(claim)
    assert await repositories.idempotency_store.claim(stranger) is None


def _publishable(tenant_id: str, at: datetime = NOW) -> PublishableKey:
    return mint_publishable_key(
        tenant_id,
        ["https://shop.example.com", "https://*.example.org:8443"],
        agents=["support", "sales"],
        allow_native=True,
        description="shop front",
        now=at,
    ).key


async def test_publishable_keys_round_trip_and_are_found_by_hash_only(
    repositories: Repositories,
) -> None:
    minted = mint_publishable_key("tenant-1", ["https://a.example.com"], now=NOW)
    full = _publishable("tenant-1")
    await repositories.publishable_keys.add(minted.key)
    await repositories.publishable_keys.add(full)

    assert await repositories.publishable_keys.find_by_hash(minted.key.key_hash) == minted.key
    assert await repositories.publishable_keys.find_by_hash(full.key_hash) == full
    assert await repositories.publishable_keys.find_by_hash(minted.plaintext) is None


async def test_a_publishable_key_hash_is_unique(repositories: Repositories) -> None:
    first = _publishable("tenant-1")
    await repositories.publishable_keys.add(first)
    with pytest.raises(StorageError):
        await repositories.publishable_keys.add(
            dataclasses.replace(_publishable("tenant-2"), key_hash=first.key_hash)
        )


async def test_publishable_keys_are_only_visible_within_their_tenant(
    repositories: Repositories,
) -> None:
    key = _publishable("tenant-1")
    await repositories.publishable_keys.add(key)
    assert await repositories.publishable_keys.get_for_tenant("tenant-1", key.id) == key
    assert await repositories.publishable_keys.get_for_tenant("tenant-2", key.id) is None
    assert await repositories.publishable_keys.get_for_tenant("tenant-1", "missing") is None


async def test_publishable_keys_page_newest_first_per_tenant_revoked_ones_included(
    repositories: Repositories,
) -> None:
    keys = [_publishable("tenant-1", NOW + timedelta(seconds=s)) for s in range(3)]
    for key in (*keys, _publishable("tenant-2")):
        await repositories.publishable_keys.add(key)
    revoked = await repositories.publishable_keys.revoke(keys[0].id, NOW + timedelta(minutes=1))

    first = await repositories.publishable_keys.page_for_tenant("tenant-1", PageRequest(limit=2))
    assert first.items == [keys[2], keys[1]]
    assert first.next is not None
    rest = await repositories.publishable_keys.page_for_tenant(
        "tenant-1", PageRequest(limit=2, after=first.next)
    )
    assert rest.items == [revoked]
    assert rest.next is None
    nobody = await repositories.publishable_keys.page_for_tenant("tenant-3", PageRequest())
    assert nobody.items == []


async def test_publishable_key_revocation_is_final_and_keeps_its_first_time(
    repositories: Repositories,
) -> None:
    key = _publishable("tenant-1")
    await repositories.publishable_keys.add(key)

    revoked = await repositories.publishable_keys.revoke(key.id, NOW + timedelta(minutes=1))
    again = await repositories.publishable_keys.revoke(key.id, NOW + timedelta(minutes=2))

    assert revoked == dataclasses.replace(key, revoked_at=NOW + timedelta(minutes=1))
    assert again == revoked
    assert await repositories.publishable_keys.find_by_hash(key.key_hash) == revoked
    assert await repositories.publishable_keys.revoke("missing", NOW) is None
