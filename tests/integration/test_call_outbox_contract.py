"""The calls' outbox, on every implementation: each move marks its announcement in the same
write, and a relay removes marks one by one."""

import dataclasses
from datetime import timedelta

import pytest

from adapters.clock import SystemClock
from domain.call import Call
from domain.call_announcement import Announcement, created
from domain.call_events import RoomEvent, RoomEventKind, rejoin_for, transition_for
from domain.webhook_endpoint import WebhookEventType
from tests.integration.conftest import Repositories

pytestmark = pytest.mark.integration
NOW = SystemClock().now()


def _call(tenant: str = "t", *, minutes_ago: int = 0) -> Call:
    return Call.queue_webrtc(
        tenant_id=tenant,
        agent_id="a",
        metadata={},
        now=NOW - timedelta(minutes=minutes_ago),
        join_window=timedelta(minutes=10),
    )


def _event(call: Call, kind: RoomEventKind, at: timedelta) -> RoomEvent:
    return RoomEvent(f"e-{kind}-{at}", kind, call.room_name, call.participant_identity, NOW + at)


async def _marks(repositories: Repositories, call_id: str) -> list[Announcement]:
    unannounced: list[tuple[Call, list[Announcement]]] = await repositories.calls.unannounced(100)
    pending = {c.id: a for c, a in unannounced}
    return pending.get(call_id, [])


async def test_a_stored_call_is_marked_to_announce_its_creation(
    repositories: Repositories,
) -> None:
    call = _call()
    await repositories.calls.add(call)

    [(stored, marks)] = await repositories.calls.unannounced(10)

    assert stored == call
    assert marks == [created(call.created_at)]


async def test_a_call_of_a_tenant_without_webhooks_is_stored_unmarked(
    repositories: Repositories,
) -> None:
    quiet = dataclasses.replace(_call(), announce_creation=False)
    await repositories.calls.add(quiet)

    assert await repositories.calls.unannounced(10) == []
    assert await repositories.calls.get_for_tenant("t", quiet.id) is not None
    await repositories.calls.expire_due(NOW + timedelta(minutes=11), 10)  # a move marks it
    expired = Announcement(WebhookEventType.CALL_EXPIRED, NOW + timedelta(minutes=11))
    assert await _marks(repositories, quiet.id) == [expired]


async def test_each_move_marks_its_announcement_and_a_refused_move_marks_none(
    repositories: Repositories,
) -> None:
    call = _call()
    await repositories.calls.add(call)
    join = transition_for(
        _event(call, RoomEventKind.PARTICIPANT_JOINED, timedelta(seconds=1)),
        call.participant_identity,
    )
    end = transition_for(
        _event(call, RoomEventKind.PARTICIPANT_LEFT, timedelta(seconds=2)),
        call.participant_identity,
    )
    assert join is not None
    assert end is not None

    assert await repositories.calls.apply(call.id, join)
    assert not await repositories.calls.apply(call.id, join)
    assert await repositories.calls.apply(call.id, end)

    assert await _marks(repositories, call.id) == [
        created(call.created_at),
        Announcement(WebhookEventType.CALL_STARTED, NOW + timedelta(seconds=1)),
        Announcement(WebhookEventType.CALL_ENDED, NOW + timedelta(seconds=2)),
    ]


async def test_expiry_marks_each_expired_call(repositories: Repositories) -> None:
    due, other_due, fresh = _call(minutes_ago=11), _call(minutes_ago=12), _call()
    for call in (due, other_due, fresh):
        await repositories.calls.add(call)

    assert await repositories.calls.expire_due(NOW, 10) == 2

    expired = Announcement(WebhookEventType.CALL_EXPIRED, NOW)
    assert await _marks(repositories, due.id) == [created(due.created_at), expired]
    assert await _marks(repositories, other_due.id) == [created(other_due.created_at), expired]
    assert await _marks(repositories, fresh.id) == [created(fresh.created_at)]
    assert expired.event_id(due.id) != expired.event_id(other_due.id)


async def test_a_batch_of_marks_is_removed_at_once_leaving_the_others(
    repositories: Repositories,
) -> None:
    calls = [_call() for _ in range(3)]
    for call in calls:
        await repositories.calls.add(call)
    await repositories.calls.expire_due(NOW + timedelta(minutes=11), 10)

    await repositories.calls.announced([(c.id, created(c.created_at)) for c in calls[:2]])
    await repositories.calls.announced([])

    expired = Announcement(WebhookEventType.CALL_EXPIRED, NOW + timedelta(minutes=11))
    assert await _marks(repositories, calls[0].id) == [expired]
    assert await _marks(repositories, calls[1].id) == [expired]
    assert await _marks(repositories, calls[2].id) == [created(calls[2].created_at), expired]


async def test_marks_are_removed_one_by_one_and_twice_is_harmless(
    repositories: Repositories,
) -> None:
    call, other = _call(), _call()
    await repositories.calls.add(call)
    await repositories.calls.add(other)
    await repositories.calls.expire_due(NOW + timedelta(minutes=11), 10)

    await repositories.calls.announced([(call.id, created(call.created_at))])
    await repositories.calls.announced([(call.id, created(call.created_at))])

    expired = Announcement(WebhookEventType.CALL_EXPIRED, NOW + timedelta(minutes=11))
    assert await _marks(repositories, call.id) == [expired]
    await repositories.calls.announced([(call.id, expired)])
    assert [c.id for c, _ in await repositories.calls.unannounced(10)] == [other.id]
    assert await repositories.calls.unannounced(0) == []


def test_an_announcement_keeps_its_event_id_through_its_stored_mark() -> None:
    mark = Announcement(WebhookEventType.CALL_ENDED, NOW)
    assert Announcement.from_mark(mark.mark) == mark
    assert mark.event_id("c1") == Announcement.from_mark(mark.mark).event_id("c1")
    assert mark.event_id("c1") != mark.event_id("c2")
    assert mark.event_id("c1").startswith("evt_")
    joined = Announcement(WebhookEventType.CALL_STARTED, NOW, session="PA_1")
    assert Announcement.from_mark(joined.mark) == joined
    assert joined.event_id("c1") != dataclasses.replace(joined, session="PA_2").event_id("c1")


async def test_each_announcement_is_numbered_in_its_call_the_same_on_every_read(
    repositories: Repositories,
) -> None:
    """1 for call.created (announced or not), one more per announced move: numbered by the
    store, so a relay that reads a mark again (its first try died) numbers it the same."""
    call, quiet = _call(), dataclasses.replace(_call(), announce_creation=False)
    await repositories.calls.add(call)
    await repositories.calls.add(quiet)
    for kind, seconds in ((RoomEventKind.PARTICIPANT_JOINED, 1), (RoomEventKind.ROOM_FINISHED, 2)):
        event = _event(call, kind, timedelta(seconds=seconds))
        move = transition_for(event, call.participant_identity)
        assert move is not None
        assert await repositories.calls.apply(call.id, move)
    await repositories.calls.expire_due(NOW + timedelta(minutes=11), 10)

    first_read = [a.sequence for a in await _marks(repositories, call.id)]
    read_again = [a.sequence for a in await _marks(repositories, call.id)]
    await repositories.calls.announced([(call.id, created(call.created_at))])
    after_one_relayed = [a.sequence for a in await _marks(repositories, call.id)]
    await repositories.calls.announced([(call.id, a) for a in await _marks(repositories, call.id)])
    ended = await repositories.calls.get_for_tenant("t", call.id)
    assert ended is not None
    rejoined = rejoin_for(
        _event(call, RoomEventKind.PARTICIPANT_JOINED, timedelta(seconds=60)), ended
    )
    assert rejoined is not None
    assert await repositories.calls.apply(call.id, rejoined)

    assert first_read == read_again == [1, 2, 3]
    assert after_one_relayed == [2, 3]
    assert [a.sequence for a in await _marks(repositories, call.id)] == [4]
    assert [a.sequence for a in await _marks(repositories, quiet.id)] == [2]  # after created's 1


async def test_sessions_joining_in_one_second_are_announced_as_distinct_events(
    repositories: Repositories,
) -> None:
    """A join, its leave and a new session's join, all stamped in one second: each call.started
    has its own event id (receivers deduplicate on it) and is relayed once."""
    call = _call()
    await repositories.calls.add(call)
    at = NOW.replace(microsecond=0)
    identity = call.participant_identity

    def event(kind: RoomEventKind, sid: str) -> RoomEvent:
        return RoomEvent(f"{kind}-{sid}", kind, call.room_name, identity, at, participant_sid=sid)

    for kind, sid in (
        (RoomEventKind.PARTICIPANT_JOINED, "PA_1"),
        (RoomEventKind.PARTICIPANT_LEFT, "PA_1"),
    ):
        move = transition_for(event(kind, sid), identity)
        assert move is not None
        assert await repositories.calls.apply(call.id, move)
    ended = await repositories.calls.get_for_tenant("t", call.id)
    assert ended is not None
    rejoined = rejoin_for(event(RoomEventKind.PARTICIPANT_JOINED, "PA_2"), ended)
    assert rejoined is not None
    assert await repositories.calls.apply(call.id, rejoined)

    marks = await _marks(repositories, call.id)
    assert [(m.type.value, m.sequence) for m in marks] == [
        ("call.created", 1),
        ("call.started", 2),
        ("call.ended", 3),
        ("call.started", 4),
    ]
    assert len({m.event_id(call.id) for m in marks}) == 4
    for relayed in marks[:-1]:
        await repositories.calls.announced([(call.id, relayed)])
    assert await _marks(repositories, call.id) == marks[-1:]
    await repositories.calls.announced([(call.id, marks[-1])])
    assert call.id not in [c.id for c, _ in await repositories.calls.unannounced(10)]
