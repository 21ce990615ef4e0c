import asyncio
import dataclasses
import uuid
from datetime import timedelta

import pytest
from dependency_injector import providers

import application.issue_token as issue_token_module
import application.issue_token_idempotently as idempotently_module
from application.issue_token import IssueTokenCommand
from application.issue_token_idempotently import IssueTokenIdempotently
from domain.call import Call
from domain.errors import (
    AgentNotFound,
    CallExpired,
    IdempotencyKeyReused,
    IdempotentRequestInFlight,
    InvalidIdempotencyKey,
    InvalidMetadata,
    StorageUnavailable,
    TooManyQueuedCalls,
)
from domain.idempotency import (
    ABANDONED_AFTER,
    RETENTION,
    IdempotencyRecord,
    checked_idempotency_key,
    request_fingerprint,
)
from domain.metadata import check_metadata
from domain.tenant import Principal
from tests.fakes.repositories import InMemoryCallRepository
from tests.support.world import Seeded, World, fake_world


def _principal(seeded: Seeded) -> Principal:
    return Principal(tenant_id=seeded.tenant_id, api_key_id=seeded.api_key_id)


def _command(seeded: Seeded, **metadata: object) -> IssueTokenCommand:
    return IssueTokenCommand(uuid.UUID(seeded.agent.id), metadata)


async def test_a_retry_returns_the_same_call_and_creates_nothing(
    world: World, seeded: Seeded
) -> None:
    once = world.container.issue_token_idempotently()
    first = await once(_principal(seeded), _command(seeded, user="u1"), "order-42")
    world.clock.advance(timedelta(seconds=3))
    retry = await once(_principal(seeded), _command(seeded, user="u1"), "order-42")

    assert (retry.call_id, retry.room_name) == (first.call_id, first.room_name)
    assert retry.participant_identity == first.participant_identity
    assert retry.expires_at == first.expires_at
    assert (first.replayed, retry.replayed) == (False, True)
    assert list(world.calls.items) == [first.call_id]


async def test_a_retry_after_the_join_window_is_refused_not_given_a_dead_token() -> None:
    world = fake_world(ttl_seconds=60)
    seeded = await world.seed_tenant()
    once = world.container.issue_token_idempotently()
    await once(_principal(seeded), _command(seeded), "order-42")
    world.clock.advance(timedelta(seconds=65))
    await world.container.expire_unjoined_calls()()
    calls_before = dict(world.calls.items)
    record_before = world.idempotency_store.items[(seeded.tenant_id, "order-42")]

    with pytest.raises(CallExpired):
        await once(_principal(seeded), _command(seeded), "order-42")

    assert world.calls.items == calls_before
    assert world.idempotency_store.items[(seeded.tenant_id, "order-42")] == record_before


async def test_the_same_key_with_another_body_is_refused(world: World, seeded: Seeded) -> None:
    once = world.container.issue_token_idempotently()
    await once(_principal(seeded), _command(seeded, user="u1"), "order-42")
    with pytest.raises(IdempotencyKeyReused):
        await once(_principal(seeded), _command(seeded, user="u2"), "order-42")
    assert len(world.calls.items) == 1


async def test_a_duplicate_while_the_first_runs_is_in_flight(world: World, seeded: Seeded) -> None:
    fingerprint = request_fingerprint(seeded.agent.id, {})
    running = IdempotencyRecord.claim(seeded.tenant_id, "k", fingerprint, world.clock.now())
    await world.idempotency_store.claim(running)
    with pytest.raises(IdempotentRequestInFlight):
        await world.container.issue_token_idempotently()(_principal(seeded), _command(seeded), "k")
    assert world.calls.items == {}


async def test_an_abandoned_claim_whose_call_was_stored_is_answered_from_it(
    world: World, seeded: Seeded
) -> None:
    """A replica stored the call, then died before completing the claim."""
    once = world.container.issue_token_idempotently()
    first = await once(_principal(seeded), _command(seeded), "k")
    held = world.idempotency_store.items[(seeded.tenant_id, "k")]
    world.idempotency_store.items[(seeded.tenant_id, "k")] = dataclasses.replace(
        held, completed=False
    )
    world.clock.advance(ABANDONED_AFTER)

    retry = await once(_principal(seeded), _command(seeded), "k")

    assert retry.call_id == first.call_id
    assert len(world.calls.items) == 1
    assert world.idempotency_store.items[(seeded.tenant_id, "k")].completed


async def test_an_abandoned_claim_without_a_call_is_taken_over(
    world: World, seeded: Seeded
) -> None:
    fingerprint = request_fingerprint(seeded.agent.id, {})
    crashed = IdempotencyRecord.claim(seeded.tenant_id, "k", fingerprint, world.clock.now())
    await world.idempotency_store.claim(crashed)
    world.clock.advance(ABANDONED_AFTER)

    issued = await world.container.issue_token_idempotently()(
        _principal(seeded), _command(seeded), "k"
    )

    assert list(world.calls.items) == [issued.call_id]
    assert issued.call_id == crashed.call_id, "a takeover keeps the claimed call id"
    assert world.idempotency_store.items[(seeded.tenant_id, "k")].completed


async def test_a_failed_first_attempt_releases_the_key(world: World, seeded: Seeded) -> None:
    once = world.container.issue_token_idempotently()
    missing_agent = IssueTokenCommand(uuid.uuid4())
    with pytest.raises(AgentNotFound):
        await once(_principal(seeded), missing_agent, "k")
    assert world.idempotency_store.items == {}


async def test_keys_are_scoped_per_tenant(world: World) -> None:
    mine = await world.seed_tenant("Mine")
    theirs = await world.seed_tenant("Theirs")
    once = world.container.issue_token_idempotently()
    a = await once(_principal(mine), _command(mine), "shared-key")
    b = await once(_principal(theirs), _command(theirs), "shared-key")
    assert a.call_id != b.call_id
    assert not b.replayed


async def test_a_key_is_forgotten_after_24_hours(world: World, seeded: Seeded) -> None:
    once = world.container.issue_token_idempotently()
    first = await once(_principal(seeded), _command(seeded), "k")
    world.clock.advance(RETENTION)
    later = await once(_principal(seeded), _command(seeded), "k")
    assert later.call_id != first.call_id
    assert len(world.calls.items) == 2


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("abc", "abc"),
        ('"quoted-key"', "quoted-key"),
        ('""', '""'),
        ('"' + "x" * 254 + '"', "x" * 254),
        ('"' + "x" * 255 + '"', "x" * 255),
        ("x" * 255, "x" * 255),
    ],
)
def test_idempotency_keys_may_be_bare_or_quoted(raw: str, key: str) -> None:
    assert checked_idempotency_key(raw) == key


@pytest.mark.parametrize(
    "raw", ["", " x", "has space", "é", "x" * 256, '"' + "x" * 256 + '"', '"a b"']
)
def test_malformed_idempotency_keys_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdempotencyKey):
        checked_idempotency_key(raw)


async def test_the_queued_call_cap_counts_only_open_calls() -> None:
    world = fake_world(max_queued_calls=2, ttl_seconds=60)
    seeded = await world.seed_tenant()
    issue = world.container.issue_realtime_token()
    for _ in range(2):
        await issue(_principal(seeded), _command(seeded))
    with pytest.raises(TooManyQueuedCalls):
        await issue(_principal(seeded), _command(seeded))
    world.clock.advance(timedelta(seconds=60))
    await issue(_principal(seeded), _command(seeded))
    assert len(world.calls.items) == 3


def _issuing_with(world: World, calls: InMemoryCallRepository) -> IssueTokenIdempotently:
    """The use case, rebuilt on another call repository."""
    world.container.calls.override(providers.Object(calls))
    return world.container.issue_token_idempotently()


class StoredButUnanswered(InMemoryCallRepository):
    """The write lands, then the store's answer is lost (a timeout after commit)."""

    async def add(self, call: Call) -> None:
        await super().add(call)
        raise StorageUnavailable("timed out after the write")


async def test_a_write_whose_answer_was_lost_is_found_by_the_retry(
    world: World, seeded: Seeded
) -> None:
    lossy = StoredButUnanswered()
    once = _issuing_with(world, lossy)

    with pytest.raises(StorageUnavailable):
        await once(_principal(seeded), _command(seeded), "k")
    retry = await once(_principal(seeded), _command(seeded), "k")

    assert list(lossy.items) == [retry.call_id]
    assert retry.replayed
    assert world.idempotency_store.items[(seeded.tenant_id, "k")].completed


class FirstInsertHeld(InMemoryCallRepository):
    """The first insert stalls (a slow replica) until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = asyncio.Event()
        self.go = asyncio.Event()

    async def add(self, call: Call) -> None:
        if not self.stalled.is_set():
            self.stalled.set()
            await self.go.wait()
        await super().add(call)


async def test_a_slow_first_attempt_and_the_takeover_store_one_call(
    world: World, seeded: Seeded
) -> None:
    slow = FirstInsertHeld()
    once = _issuing_with(world, slow)
    first = asyncio.create_task(once(_principal(seeded), _command(seeded), "k"))
    await slow.stalled.wait()
    world.clock.advance(ABANDONED_AFTER)

    takeover = await once(_principal(seeded), _command(seeded), "k")
    slow.go.set()
    late = await first

    assert list(slow.items) == [takeover.call_id]
    assert late.call_id == takeover.call_id
    assert late.room_name == takeover.room_name
    assert late.replayed
    record = world.idempotency_store.items[(seeded.tenant_id, "k")]
    assert (record.call_id, record.completed) == (takeover.call_id, True)


async def test_the_metadata_is_checked_once_on_a_request_with_an_idempotency_key(
    world: World, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[object] = []

    def counting(metadata: object, *args: object, **kwargs: object) -> None:
        checked.append(metadata)
        check_metadata(metadata, *args, **kwargs)  # type: ignore[arg-type]

    for module in (issue_token_module, idempotently_module):
        monkeypatch.setattr(module, "check_metadata", counting, raising=False)
    once = world.container.issue_token_idempotently()
    await once(_principal(seeded), _command(seeded, user="u1"), "order-42")

    assert len(checked) == 1


async def test_bad_metadata_behind_a_key_is_named_as_the_route_names_it(
    world: World, seeded: Seeded
) -> None:
    once = world.container.issue_token_idempotently()
    by_name = IssueTokenCommand(dispatch_name=seeded.agent.dispatch_name, metadata={"$x": 1})
    with pytest.raises(InvalidMetadata) as refused:
        await once(_principal(seeded), by_name, "order-42")
    assert refused.value.field.startswith("room_config.agents[0].metadata")
    assert world.idempotency_store.items == {}
