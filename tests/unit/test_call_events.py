"""Every event against every status: calls only move forward."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from application.room_events import ApplyRoomEvent, Outcome
from domain.call import AGENT_NEVER_JOINED, Call, CallStatus
from domain.call_events import EXPIRY, RoomEvent, RoomEventKind, Transition, transition_for
from domain.errors import StorageError, StorageUnavailable
from tests.fakes.repositories import InMemoryCallRepository
from tests.fakes.webhook_events import InMemoryProcessedEvents

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
CALLER = "caller_1"

EXPECTED: dict[tuple[RoomEventKind, CallStatus], CallStatus] = {
    (RoomEventKind.PARTICIPANT_JOINED, CallStatus.QUEUED): CallStatus.IN_PROGRESS,
    (RoomEventKind.PARTICIPANT_JOINED, CallStatus.EXPIRED): CallStatus.IN_PROGRESS,
    (RoomEventKind.PARTICIPANT_JOINED, CallStatus.IN_PROGRESS): CallStatus.IN_PROGRESS,
    (RoomEventKind.PARTICIPANT_JOINED, CallStatus.ENDED): CallStatus.ENDED,
    **{
        (kind, status): CallStatus.ENDED if status is CallStatus.IN_PROGRESS else status
        for kind in (RoomEventKind.PARTICIPANT_LEFT, RoomEventKind.PARTICIPANT_CONNECTION_ABORTED)
        for status in CallStatus
    },
    **{(RoomEventKind.ROOM_FINISHED, status): CallStatus.ENDED for status in CallStatus},
}


def _event(kind: RoomEventKind, identity: str | None = CALLER, event_id: str = "ev") -> RoomEvent:
    return RoomEvent(event_id, kind, "webrtc_1", identity, NOW)


def _call(status: CallStatus, agent_joined_at: datetime | None = NOW) -> Call:
    """By default its agent has joined: the end reasons are then LiveKit's events."""
    queued = Call.queue_webrtc(
        tenant_id="t", agent_id="a", metadata={}, now=NOW, join_window=timedelta(minutes=10)
    )
    return dataclasses.replace(
        queued,
        id="1",
        room_name="webrtc_1",
        participant_identity=CALLER,
        status=status,
        agent_joined_at=agent_joined_at,
    )


async def _one_queued_call(
    calls: InMemoryCallRepository | None = None,
    processed: InMemoryProcessedEvents | None = None,
) -> tuple[InMemoryCallRepository, ApplyRoomEvent]:
    """The call repository holding one queued call, and the use case applying events to it."""
    calls = InMemoryCallRepository() if calls is None else calls
    processed = InMemoryProcessedEvents() if processed is None else processed
    await calls.add(_call(CallStatus.QUEUED))
    return calls, ApplyRoomEvent(calls, processed)


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
    _, apply = await _one_queued_call()
    assert await apply(_event(RoomEventKind.PARTICIPANT_JOINED, event_id="e1")) is Outcome.APPLIED
    assert await apply(_event(RoomEventKind.PARTICIPANT_JOINED, event_id="e1")) is Outcome.DUPLICATE


async def test_a_late_join_after_the_end_changes_nothing() -> None:
    calls, apply = await _one_queued_call()
    await apply(_event(RoomEventKind.ROOM_FINISHED, event_id="finish"))
    assert await apply(_event(RoomEventKind.PARTICIPANT_JOINED, event_id="join")) is (
        Outcome.UNCHANGED
    )
    assert calls.items["1"].status is CallStatus.ENDED
    assert calls.items["1"].joined_at is None


async def test_unknown_rooms_are_ignored() -> None:
    apply = ApplyRoomEvent(InMemoryCallRepository(), InMemoryProcessedEvents())
    assert await apply(_event(RoomEventKind.PARTICIPANT_JOINED)) is Outcome.UNKNOWN_ROOM


class CallsFailingOnce(InMemoryCallRepository):
    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    async def apply(self, call_id: str, transition: Transition) -> bool:
        if self.failures:
            self.failures -= 1
            raise StorageError("down")
        return await super().apply(call_id, transition)


async def test_a_failed_write_leaves_the_event_unrecorded_and_the_redelivery_applies_it() -> None:
    processed = InMemoryProcessedEvents()
    calls, apply = await _one_queued_call(CallsFailingOnce(), processed)
    joined = _event(RoomEventKind.PARTICIPANT_JOINED)

    with pytest.raises(StorageError):
        await apply(joined)
    assert processed.seen == {}

    assert await apply(joined) is Outcome.APPLIED
    assert calls.items["1"].status is CallStatus.IN_PROGRESS


class RecordLostOnce(InMemoryProcessedEvents):
    """The record is written but its answer is lost: the webhook gets a 5xx."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    async def record(self, event_id: str, at: datetime) -> bool:
        first = await super().record(event_id, at)
        if self.failures:
            self.failures -= 1
            raise StorageUnavailable("timed out")
        return first


async def test_an_event_whose_record_was_lost_is_applied_and_its_redelivery_is_harmless() -> None:
    calls, apply = await _one_queued_call(processed=RecordLostOnce())
    joined = _event(RoomEventKind.PARTICIPANT_JOINED, event_id="join")

    with pytest.raises(StorageUnavailable):
        await apply(joined)
    after_join = calls.items["1"].status
    await apply(_event(RoomEventKind.PARTICIPANT_LEFT, event_id="left"))
    redelivered = await apply(joined)

    assert after_join is CallStatus.IN_PROGRESS
    assert redelivered is Outcome.DUPLICATE
    assert calls.items["1"].status is CallStatus.ENDED


async def test_a_failed_first_connection_does_not_end_the_call() -> None:
    calls, apply = await _one_queued_call()

    aborted = _event(RoomEventKind.PARTICIPANT_CONNECTION_ABORTED, event_id="aborted")
    assert await apply(aborted) is Outcome.UNCHANGED
    after_abort = calls.items["1"].status
    retried = await apply(_event(RoomEventKind.PARTICIPANT_JOINED, event_id="retry"))

    assert after_abort is CallStatus.QUEUED
    assert retried is Outcome.APPLIED
    assert calls.items["1"].status is CallStatus.IN_PROGRESS


async def test_a_leave_delivered_before_its_join_is_settled_by_the_room_finishing() -> None:
    calls, apply = await _one_queued_call()

    await apply(_event(RoomEventKind.PARTICIPANT_LEFT, event_id="left"))
    await apply(_event(RoomEventKind.PARTICIPANT_JOINED, event_id="join"))
    assert calls.items["1"].status is CallStatus.IN_PROGRESS
    await apply(_event(RoomEventKind.ROOM_FINISHED, identity=None, event_id="finished"))

    ended = calls.items["1"]
    assert (ended.status, ended.end_reason, ended.joined_at) == (
        CallStatus.ENDED,
        "room_finished",
        NOW,
    )


def _at(kind: RoomEventKind, seconds: int, identity: str | None = CALLER) -> RoomEvent:
    return RoomEvent(
        f"{kind.value}@{seconds}", kind, "webrtc_1", identity, NOW + timedelta(seconds=seconds)
    )


async def test_a_rejoin_after_the_end_reopens_the_call_keeping_its_first_join() -> None:
    calls, apply = await _one_queued_call()
    for event in (
        _at(RoomEventKind.PARTICIPANT_JOINED, 0),
        _at(RoomEventKind.PARTICIPANT_LEFT, 30),
        _at(RoomEventKind.ROOM_FINISHED, 50, identity=None),
    ):
        await apply(event)

    rejoined = await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 70))
    reopened = calls.items["1"]
    await apply(_at(RoomEventKind.PARTICIPANT_CONNECTION_ABORTED, 90))

    assert rejoined is Outcome.APPLIED
    assert (reopened.status, reopened.joined_at) == (CallStatus.IN_PROGRESS, NOW)
    assert (reopened.ended_at, reopened.end_reason) == (None, None)
    ended = calls.items["1"]
    assert (ended.status, ended.joined_at) == (CallStatus.ENDED, NOW)
    assert (ended.ended_at, ended.end_reason) == (
        NOW + timedelta(seconds=90),
        "participant_connection_aborted",
    )


async def test_a_join_older_than_the_end_is_a_late_delivery_not_a_rejoin() -> None:
    calls, apply = await _one_queued_call()
    await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 0))
    await apply(_at(RoomEventKind.PARTICIPANT_LEFT, 30))

    late = await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 20))

    assert late is Outcome.UNCHANGED
    assert calls.items["1"].status is CallStatus.ENDED
    assert calls.items["1"].ended_at == NOW + timedelta(seconds=30)


def _session(kind: RoomEventKind, seconds: int, sid: str, event_id: str = "") -> RoomEvent:
    """The caller's session `sid` (LiveKit's participant SID, new for each session)."""
    at = NOW + timedelta(seconds=seconds)
    name = event_id or f"{kind.value}:{sid}@{seconds}"
    return RoomEvent(name, kind, "webrtc_1", CALLER, at, participant_sid=sid)


async def test_a_new_session_joining_in_the_second_the_call_ended_reopens_it() -> None:
    """LiveKit refused a resume: livekit-client rejoined from scratch, its leave and its new
    join stamped in the same (whole) second."""
    calls, apply = await _one_queued_call()
    await apply(_session(RoomEventKind.PARTICIPANT_JOINED, 0, "PA_1"))
    await apply(_session(RoomEventKind.PARTICIPANT_LEFT, 30, "PA_1"))

    rejoined = await apply(_session(RoomEventKind.PARTICIPANT_JOINED, 30, "PA_2"))

    assert rejoined is Outcome.APPLIED
    reopened = calls.items["1"]
    assert (reopened.status, reopened.joined_at, reopened.caller_sid) == (
        CallStatus.IN_PROGRESS,
        NOW,
        "PA_2",
    )
    assert (reopened.ended_at, reopened.end_reason) == (None, None)
    announced = [(m.type.value, m.at) for m in calls.marks["1"]]
    assert announced[-1] == ("call.started", NOW + timedelta(seconds=30))
    assert [kind for kind, _ in announced].count("call.started") == 2


async def test_the_counted_sessions_join_told_again_never_reopens_the_call() -> None:
    calls, apply = await _one_queued_call()
    joined = _session(RoomEventKind.PARTICIPANT_JOINED, 0, "PA_1", event_id="join-1")
    await apply(joined)
    await apply(_session(RoomEventKind.PARTICIPANT_LEFT, 0, "PA_1"))
    ended = calls.items["1"]

    outcomes = [
        await apply(joined),  # LiveKit's redelivery
        await apply(_session(RoomEventKind.PARTICIPANT_JOINED, 0, "PA_1")),
        await apply(_session(RoomEventKind.PARTICIPANT_JOINED, 40, "PA_1")),
    ]

    assert outcomes == [Outcome.DUPLICATE, Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert calls.items["1"] == ended
    assert (ended.status, ended.caller_sid) == (CallStatus.ENDED, "PA_1")


async def test_a_new_session_stamped_before_the_end_is_a_late_delivery() -> None:
    calls, apply = await _one_queued_call()
    await apply(_session(RoomEventKind.PARTICIPANT_JOINED, 0, "PA_1"))
    await apply(_session(RoomEventKind.PARTICIPANT_LEFT, 30, "PA_1"))

    late = await apply(_session(RoomEventKind.PARTICIPANT_JOINED, 29, "PA_2"))

    assert late is Outcome.UNCHANGED
    assert (calls.items["1"].status, calls.items["1"].caller_sid) == (CallStatus.ENDED, "PA_1")


async def test_a_first_join_after_an_unjoined_room_finished_starts_the_call() -> None:
    """The caller's first attempt created the room but failed; the room emptied and finished;
    a second attempt with the same token succeeds."""
    calls, apply = await _one_queued_call()
    await apply(_at(RoomEventKind.PARTICIPANT_CONNECTION_ABORTED, 0))
    await apply(_at(RoomEventKind.ROOM_FINISHED, 20, identity=None))

    joined = await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 40))

    assert joined is Outcome.APPLIED
    started = calls.items["1"]
    assert (started.status, started.joined_at) == (
        CallStatus.IN_PROGRESS,
        NOW + timedelta(seconds=40),
    )


AGENT = "agent-AJ_1"


def _agent(kind: RoomEventKind, seconds: int) -> RoomEvent:
    at = NOW + timedelta(seconds=seconds)
    return RoomEvent(f"agent-{kind.value}@{seconds}", kind, "webrtc_1", AGENT, at, agent=True)


async def _agentless_call() -> tuple[InMemoryCallRepository, ApplyRoomEvent]:
    calls = InMemoryCallRepository()
    await calls.add(_call(CallStatus.QUEUED, agent_joined_at=None))
    return calls, ApplyRoomEvent(calls, InMemoryProcessedEvents())


async def test_the_agents_first_join_is_recorded_and_moves_no_status() -> None:
    calls, apply = await _agentless_call()
    await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 0))

    first = await apply(_agent(RoomEventKind.PARTICIPANT_JOINED, 3))
    again = await apply(_agent(RoomEventKind.PARTICIPANT_JOINED, 9))
    redelivered = await apply(_agent(RoomEventKind.PARTICIPANT_JOINED, 3))
    left = await apply(_agent(RoomEventKind.PARTICIPANT_LEFT, 20))

    assert (first, again, redelivered, left) == (
        Outcome.APPLIED,
        Outcome.IRRELEVANT,
        Outcome.DUPLICATE,
        Outcome.IRRELEVANT,
    )
    call = calls.items["1"]
    assert (call.status, call.agent_joined_at) == (
        CallStatus.IN_PROGRESS,
        NOW + timedelta(seconds=3),
    )


@pytest.mark.parametrize(
    "kind",
    [
        RoomEventKind.PARTICIPANT_LEFT,
        RoomEventKind.PARTICIPANT_CONNECTION_ABORTED,
        RoomEventKind.ROOM_FINISHED,
    ],
)
async def test_a_call_that_ends_before_its_agent_joined_says_so(kind: RoomEventKind) -> None:
    calls, apply = await _agentless_call()
    await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 0))

    await apply(_at(kind, 30))

    ended = calls.items["1"]
    assert (ended.status, ended.end_reason, ended.agent_joined_at) == (
        CallStatus.ENDED,
        AGENT_NEVER_JOINED,
        None,
    )


async def test_a_caller_who_hangs_up_after_the_agent_joined_is_not_agent_never_joined() -> None:
    calls, apply = await _agentless_call()
    await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 0))
    await apply(_agent(RoomEventKind.PARTICIPANT_JOINED, 2))

    await apply(_at(RoomEventKind.PARTICIPANT_LEFT, 30))

    assert calls.items["1"].end_reason == RoomEventKind.PARTICIPANT_LEFT.value


async def test_an_agent_join_told_after_the_end_it_preceded_restores_the_end_reason() -> None:
    calls, apply = await _agentless_call()
    await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 0))
    await apply(_at(RoomEventKind.PARTICIPANT_LEFT, 30))

    assert await apply(_agent(RoomEventKind.PARTICIPANT_JOINED, 2)) is Outcome.APPLIED

    ended = calls.items["1"]
    assert (ended.status, ended.end_reason, ended.agent_joined_at) == (
        CallStatus.ENDED,
        RoomEventKind.PARTICIPANT_LEFT.value,
        NOW + timedelta(seconds=2),
    )


async def test_an_agent_arriving_after_the_caller_left_is_recorded_the_reason_kept() -> None:
    calls, apply = await _agentless_call()
    await apply(_at(RoomEventKind.PARTICIPANT_JOINED, 0))
    await apply(_at(RoomEventKind.PARTICIPANT_LEFT, 30))

    await apply(_agent(RoomEventKind.PARTICIPANT_JOINED, 40))

    ended = calls.items["1"]
    assert (ended.end_reason, ended.agent_joined_at) == (
        AGENT_NEVER_JOINED,
        NOW + timedelta(seconds=40),
    )


class AgentJoinsMeanwhile(InMemoryCallRepository):
    """Another replica stores the agent's join between this one's read and its write."""

    def __init__(self) -> None:
        super().__init__()
        self.agent_at: datetime | None = None

    async def apply(self, call_id: str, transition: Transition) -> bool:
        if self.agent_at is not None:
            stored = self.items[call_id]
            self.items[call_id] = dataclasses.replace(stored, agent_joined_at=self.agent_at)
            self.agent_at = None
        return await super().apply(call_id, transition)


async def test_an_end_racing_the_agents_join_is_decided_again_on_what_is_stored() -> None:
    calls = AgentJoinsMeanwhile()
    await calls.add(_call(CallStatus.IN_PROGRESS, agent_joined_at=None))
    apply = ApplyRoomEvent(calls, InMemoryProcessedEvents())
    calls.agent_at = NOW + timedelta(seconds=2)

    assert await apply(_at(RoomEventKind.PARTICIPANT_LEFT, 30)) is Outcome.APPLIED

    ended = calls.items["1"]
    assert (ended.status, ended.end_reason) == (CallStatus.ENDED, "participant_left")
