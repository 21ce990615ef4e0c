import uuid
from datetime import timedelta

import pytest
from dependency_injector import providers

from application.issue_token import IssueTokenCommand
from domain.call import Call, CallStatus, CallType
from domain.errors import (
    AgentNotFound,
    AuthenticationFailed,
    CallNotCreated,
    InvalidMetadata,
    StorageError,
    StorageUnavailable,
    TokenIssuerNotConfigured,
)
from domain.tenant import Principal
from tests.fakes.issuer import FakeTokenIssuer
from tests.fakes.repositories import InMemoryCallRepository
from tests.support.world import World, fake_world, with_fake_issuer


class BrokenCallRepository(InMemoryCallRepository):
    """Every port method works, except that storing a call fails."""

    async def add(self, call: Call) -> None:
        raise StorageError("disk on fire")


@pytest.fixture
def issuer() -> FakeTokenIssuer:
    return FakeTokenIssuer()


@pytest.fixture
def world(issuer: FakeTokenIssuer) -> World:
    return with_fake_issuer(fake_world(ttl_seconds=900), issuer)


async def test_success_stores_a_queued_call_and_signs_for_it(
    world: World, issuer: FakeTokenIssuer
) -> None:
    seeded = await world.seed_tenant()
    issue = world.container.issue_token_with_api_key()

    issued = await issue(
        seeded.api_key, IssueTokenCommand(uuid.UUID(seeded.agent.id), {"user_id": "usr_456"})
    )

    call = world.calls.items[issued.call_id]
    assert call.status is CallStatus.QUEUED
    assert call.type is CallType.WEBRTC
    assert call.tenant_id == seeded.tenant_id
    assert call.agent_id == seeded.agent.id
    assert call.metadata == {"user_id": "usr_456", "type": "webrtc"}
    assert call.created_at == world.clock.now()
    assert call.expires_at == world.clock.now() + timedelta(seconds=900)
    assert issued.room_name == call.room_name == f"webrtc_{call.id}"
    assert issued.participant_identity == call.participant_identity
    assert issued.expires_at == call.expires_at
    assert issued.server_url == issuer.server_url
    assert issuer.issued == [(call, seeded.agent)]


async def test_caller_cannot_override_the_webrtc_tag(world: World) -> None:
    seeded = await world.seed_tenant()
    issued = await world.container.issue_token_with_api_key()(
        seeded.api_key, IssueTokenCommand(uuid.UUID(seeded.agent.id), {"type": "sip"})
    )
    assert world.calls.items[issued.call_id].metadata == {"type": "webrtc"}


async def test_every_call_gets_its_own_room_and_identity(world: World) -> None:
    seeded = await world.seed_tenant()
    issue = world.container.issue_token_with_api_key()
    command = IssueTokenCommand(uuid.UUID(seeded.agent.id))
    first = await issue(seeded.api_key, command)
    second = await issue(seeded.api_key, command)
    assert first.room_name != second.room_name
    assert first.participant_identity != second.participant_identity
    assert len(world.calls.items) == 2


@pytest.mark.parametrize(
    "presented",
    ["", "not-a-key", "rtk_short", "Bearer rtk_" + "a" * 43, "rtk_" + "a" * 43],
)
async def test_malformed_or_unknown_keys_fail_authentication(world: World, presented: str) -> None:
    seeded = await world.seed_tenant()
    with pytest.raises(AuthenticationFailed):
        await world.container.issue_token_with_api_key()(
            presented, IssueTokenCommand(uuid.UUID(seeded.agent.id))
        )
    assert world.calls.items == {}


async def test_revoked_key_fails_authentication(world: World) -> None:
    seeded = await world.seed_tenant()
    await world.container.revoke_api_key()(seeded.api_key_id)
    with pytest.raises(AuthenticationFailed):
        await world.container.issue_token_with_api_key()(
            seeded.api_key, IssueTokenCommand(uuid.UUID(seeded.agent.id))
        )
    assert world.calls.items == {}


async def test_unknown_agent_is_not_found_and_nothing_is_written(
    world: World, issuer: FakeTokenIssuer
) -> None:
    seeded = await world.seed_tenant()
    with pytest.raises(AgentNotFound):
        await world.container.issue_token_with_api_key()(
            seeded.api_key, IssueTokenCommand(uuid.uuid4())
        )
    assert world.calls.items == {}
    assert issuer.issued == []


async def test_another_tenants_agent_looks_exactly_like_a_missing_one(
    world: World, issuer: FakeTokenIssuer
) -> None:
    mine = await world.seed_tenant("Mine")
    theirs = await world.seed_tenant("Theirs")
    issue = world.container.issue_token_with_api_key()

    with pytest.raises(AgentNotFound) as foreign:
        await issue(mine.api_key, IssueTokenCommand(uuid.UUID(theirs.agent.id)))
    with pytest.raises(AgentNotFound) as missing:
        await issue(mine.api_key, IssueTokenCommand(uuid.uuid4()))

    assert str(foreign.value) == str(missing.value)
    assert world.calls.items == {}
    assert issuer.issued == []


async def test_unconfigured_issuer_fails_before_anything_is_read_or_written(
    world: World, issuer: FakeTokenIssuer
) -> None:
    seeded = await world.seed_tenant()
    issuer.problem = "LIVEKIT_API_SECRET not set"
    with pytest.raises(TokenIssuerNotConfigured, match="LIVEKIT_API_SECRET"):
        await world.container.issue_token_with_api_key()(
            seeded.api_key, IssueTokenCommand(uuid.UUID(seeded.agent.id))
        )
    assert world.calls.items == {}
    assert issuer.issued == []


async def test_storage_failure_returns_no_token(world: World, issuer: FakeTokenIssuer) -> None:
    seeded = await world.seed_tenant()
    world.container.calls.override(providers.Object(BrokenCallRepository()))

    with pytest.raises(CallNotCreated) as raised:
        await world.container.issue_token_with_api_key()(
            seeded.api_key, IssueTokenCommand(uuid.UUID(seeded.agent.id))
        )

    assert isinstance(raised.value.__cause__, StorageError)
    assert issuer.issued == []


async def test_invalid_metadata_is_rejected_before_any_write(world: World) -> None:
    seeded = await world.seed_tenant()
    with pytest.raises(InvalidMetadata) as raised:
        await world.container.issue_token_with_api_key()(
            seeded.api_key, IssueTokenCommand(uuid.UUID(seeded.agent.id), {"$where": "1"})
        )
    assert raised.value.field == "metadata"
    assert world.calls.items == {}


async def test_a_principal_from_elsewhere_issues_without_a_key(world: World) -> None:
    """Embedding: a worker that already knows the tenant skips authentication."""
    seeded = await world.seed_tenant()
    principal = Principal(tenant_id=seeded.tenant_id, api_key_id="worker")
    issued = await world.container.issue_realtime_token()(
        principal, IssueTokenCommand(uuid.UUID(seeded.agent.id))
    )
    assert world.calls.items[issued.call_id].tenant_id == seeded.tenant_id


class UnreachableCallRepository(InMemoryCallRepository):
    async def add(self, call: Call) -> None:
        raise StorageUnavailable("no server")


async def test_an_unreachable_store_is_unavailable_not_a_failed_call(
    world: World, issuer: FakeTokenIssuer
) -> None:
    seeded = await world.seed_tenant()
    world.container.calls.override(providers.Object(UnreachableCallRepository()))
    with pytest.raises(StorageUnavailable):
        await world.container.issue_token_with_api_key()(
            seeded.api_key, IssueTokenCommand(uuid.UUID(seeded.agent.id))
        )
    assert issuer.issued == []
