"""Every event against every status: calls only move forward."""

from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.repositories import InMemoryCallRepository
from adapters.memory.webhook_events import InMemoryProcessedEvents
from application.room_events import ApplyRoomEvent, Outcome
from domain.call import Call, CallStatus
from domain.call_events import EXPIRY, RoomEvent, RoomEventKind, transition_for
from domain.errors import StorageError

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
CALLER = "caller_1"

EXPECTED: dict[tuple[RoomEventKind, CallStatus], CallStatus] = {
    (RoomEventKind.PARTICIPANT_JOINED, CallStatus.QUEUED): CallStatus.IN_PROGRESS,
    (RoomEventKind.PARTICIPANT_JOINED, CallStatus.EXPIRED): CallStatus.IN_PROGRESS,
    (RoomEventKind.PARTICIPANT_JOINED, CallStatus.IN_PROGRESS): CallStatus.IN_PROGRESS,
    (RoomEventKind.PARTICIPANT_JOINED, CallStatus.ENDED): CallStatus.ENDED,
    **{
        (kind, status): CallStatus.ENDED
        for kind in (
            RoomEventKind.PARTICIPANT_LEFT,
            RoomEventKind.PARTICIPANT_CONNECTION_ABORTED,
            RoomEventKind.ROOM_FINISHED,
        )
        for status in CallStatus
    },
}


def _event(kind: RoomEventKind, identity: str | None = CALLER, event_id: str = "ev") -> RoomEvent:
    return RoomEvent(event_id, kind, "webrtc_1", identity, NOW)


def _call(status: CallStatus) -> Call:
    queued = Call.queue_webrtc(
        tenant_id="t", agent_id="a", metadata={}, now=NOW, join_window=timedelta(minutes=10)
    )
    import dataclasses

    return dataclasses.replace(
        queued, id="1", room_name="webrtc_1", participant_identity=CALLER, status=status
    )


@pytest.mark.parametrize(("kind", "status"), list(EXPECTED))
async def test_each_event_moves_each_status_only_forward(
    kind: RoomEventKind, status: CallStatus
) -> None:
    calls = InMemoryCallRepository()
    await calls.add(_call(status))
    outcome = await ApplyRoomEvent(calls, InMemoryProcessedEvents())(_event(kind))

    after = calls.items["1"]
    assert after.status is EXPECTED[(kind, status)]
    assert (outcome is Outcome.APPLIED) == (after.status is not status)
    if outcome is Outcome.APPLIED and after.status is CallStatus.ENDED:
        assert (after.ended_at, after.end_reason) == (NOW, kind.value)
    if outcome is Outcome.APPLIED and after.status is CallStatus.IN_PROGRESS:
        assert after.joined_at == NOW


@pytest.mark.parametrize("kind", [k for k in RoomEventKind if k is not RoomEventKind.ROOM_FINISHED])
def test_other_participants_do_not_move_the_call(kind: RoomEventKind) -> None:
    assert transition_for(_event(kind, identity="agent-xyz"), CALLER) is None


def test_the_room_finishing_ends_the_call_whoever_is_named() -> None:
    transition = transition_for(_event(RoomEventKind.ROOM_FINISHED, identity=None), CALLER)
    assert transition is not None
    assert transition.to is CallStatus.ENDED


def test_only_queued_calls_expire() -> None:
    assert EXPIRY.allowed_from == {CallStatus.QUEUED}


async def test_the_same_event_id_is_applied_once() -> None:
    calls = InMemoryCallRepository()
    await calls.add(_call(CallStatus.QUEUED))
    apply = ApplyRoomEvent(calls, InMemoryProcessedEvents())
    assert await apply(_event(RoomEventKind.PARTICIPANT_JOINED, event_id="e1")) is Outcome.APPLIED
    assert await apply(_event(RoomEventKind.PARTICIPANT_JOINED, event_id="e1")) is Outcome.DUPLICATE


async def test_a_late_join_after_the_end_changes_nothing() -> None:
    calls = InMemoryCallRepository()
    await calls.add(_call(CallStatus.QUEUED))
    apply = ApplyRoomEvent(calls, InMemoryProcessedEvents())
    await apply(_event(RoomEventKind.ROOM_FINISHED, event_id="finish"))
    assert await apply(_event(RoomEventKind.PARTICIPANT_JOINED, event_id="join")) is (
        Outcome.UNCHANGED
    )
    assert calls.items["1"].status is CallStatus.ENDED
    assert calls.items["1"].joined_at is None


async def test_unknown_rooms_are_ignored() -> None:
    apply = ApplyRoomEvent(InMemoryCallRepository(), InMemoryProcessedEvents())
    assert await apply(_event(RoomEventKind.PARTICIPANT_JOINED)) is Outcome.UNKNOWN_ROOM


class FailingCalls(InMemoryCallRepository):
    async def apply(self, call_id: str, transition: object) -> bool:
        raise StorageError("down")


async def test_a_failed_write_releases_the_event_for_a_redelivery() -> None:
    calls = FailingCalls()
    await calls.add(_call(CallStatus.QUEUED))
    processed = InMemoryProcessedEvents()
    with pytest.raises(StorageError):
        await ApplyRoomEvent(calls, processed)(_event(RoomEventKind.PARTICIPANT_JOINED))
    assert processed.seen == {}
