"""How LiveKit room events move a call: forward only (a rejoin after the end excepted), each
move one conditional write."""

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime

from domain.call import AGENT_NEVER_JOINED, NOT_JOINED, Call, CallStatus
from domain.call_announcement import Announcement
from domain.webhook_endpoint import WebhookEventType


class RoomEventKind(enum.StrEnum):
    PARTICIPANT_JOINED = "participant_joined"
    PARTICIPANT_LEFT = "participant_left"
    PARTICIPANT_CONNECTION_ABORTED = "participant_connection_aborted"
    ROOM_FINISHED = "room_finished"


@dataclass(frozen=True, slots=True)
class RoomEvent:
    """A verified LiveKit webhook, reduced to what a call needs."""

    id: str
    kind: RoomEventKind
    room_name: str
    participant_identity: str | None
    at: datetime
    agent: bool = False  # the participant is an agent (LiveKit kind AGENT, not an avatar)
    participant_sid: str | None = None  # LiveKit's SID: new for each session of a participant


@dataclass(frozen=True, slots=True)
class Transition:
    """Move to `to` (None: keep the status) only from one of `allowed_from` (and, with
    `ended_before`, only a call that ended before that moment, with `ended_not_after` at it
    or before; with `new_session`, only a call whose caller session is not `caller_sid`;
    with `without_agent`, only while no agent has joined it); the store applies it
    conditionally. `caller_sid`, when set, becomes the call's caller session."""

    allowed_from: frozenset[CallStatus]
    to: CallStatus | None
    joined_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    clears_end_reason: bool = False
    ended_before: datetime | None = None
    clears_ended_at: bool = False
    announces: WebhookEventType | None = None
    announced_at: datetime | None = None
    agent_joined_at: datetime | None = None
    without_agent: bool = False
    ended_by: str | None = None
    caller_sid: str | None = None
    ended_not_after: datetime | None = None
    new_session: bool = False

    def announcement(self, now: datetime) -> Announcement | None:
        """What the write that applies this transition marks on the call to announce."""
        if self.announces is None:
            return None
        at = self.announced_at or now
        return Announcement(self.announces, at, session=self.caller_sid)


_OPEN = frozenset({CallStatus.QUEUED, CallStatus.IN_PROGRESS, CallStatus.EXPIRED})
_NOT_STARTED = frozenset({CallStatus.QUEUED, CallStatus.EXPIRED})
_STARTED = frozenset({CallStatus.IN_PROGRESS})
_CALLER_ONLY = {
    RoomEventKind.PARTICIPANT_JOINED,
    RoomEventKind.PARTICIPANT_LEFT,
    RoomEventKind.PARTICIPANT_CONNECTION_ABORTED,
}


def transition_for(event: RoomEvent, caller_identity: str) -> Transition | None:
    """None when the event says nothing about this call (e.g. the agent joining).

    A join moves a call that has not started (queued, or already judged expired: the join
    proves the caller made it) to in_progress. The caller leaving or their connection
    aborting ends a call in progress only: LiveKit also sends those for a first connection
    attempt that failed (ICE) and for a leave delivered before its join, and the caller may
    still join with the same token; an unjoined call expires with its join window instead.
    The room finishing ends any call not yet ended. A join cannot move an ended call here:
    see `rejoin_for`.
    """
    if event.kind in _CALLER_ONLY and event.participant_identity != caller_identity:
        return None
    if event.kind is RoomEventKind.PARTICIPANT_JOINED:
        # A join after the sweeper wrote `expired` makes that verdict (and its reason) void.
        return Transition(
            _NOT_STARTED,
            CallStatus.IN_PROGRESS,
            joined_at=event.at,
            clears_end_reason=True,
            announces=WebhookEventType.CALL_STARTED,
            announced_at=event.at,
            caller_sid=event.participant_sid,
        )
    ends = _OPEN if event.kind is RoomEventKind.ROOM_FINISHED else _STARTED
    return Transition(
        ends,
        CallStatus.ENDED,
        ended_at=event.at,
        end_reason=event.kind.value,
        ended_by=event.kind.value,
        announces=WebhookEventType.CALL_ENDED,
        announced_at=event.at,
    )


def transition_on(event: RoomEvent, call: Call) -> Transition | None:
    """What `event` does to `call` as read: the agent's join (`agent_join_for`), or the
    caller's move (`transition_for`), an end of a call no agent has joined saying
    agent_never_joined (written only while that is still so)."""
    if event.agent:
        return agent_join_for(event, call)
    transition = transition_for(event, call.participant_identity)
    if transition is None or transition.to is not CallStatus.ENDED or call.agent_joined_at:
        return transition
    return dataclasses.replace(transition, end_reason=AGENT_NEVER_JOINED, without_agent=True)


def agent_join_for(event: RoomEvent, call: Call) -> Transition | None:
    """The call's agent joining records when, once: the first join wins, a later one (another
    dispatch, a redelivery) is None. A join told after the call ended with
    agent_never_joined, but stamped no later than that end (LiveKit's webhooks may arrive out
    of order), gives the call back the reason it ended with."""
    if event.kind is not RoomEventKind.PARTICIPANT_JOINED or call.agent_joined_at is not None:
        return None
    if call.status is not CallStatus.ENDED:
        return Transition(_OPEN, None, agent_joined_at=event.at, without_agent=True)
    told_late = (
        call.end_reason == AGENT_NEVER_JOINED
        and call.ended_at is not None
        and event.at <= call.ended_at
    )
    return Transition(
        frozenset({CallStatus.ENDED}),
        None,
        agent_joined_at=event.at,
        end_reason=call.ended_by if told_late else None,
        without_agent=True,
    )


def rejoin_for(event: RoomEvent, call: Call) -> Transition | None:
    """The caller joining an ended call again, with a token still valid: LiveKit re-creates the
    room (or the caller returns to it) and dispatches the agent again, so the call is in
    progress once more. Only a later join re-opens it: an older one is a late delivery of a
    session already counted. LiveKit stamps events in whole seconds, and a client whose resume
    was refused leaves and joins anew in one: a join naming a session (LiveKit's participant
    SID) other than the one the call last counted re-opens a call that ended in its second
    too, and one naming that session never does (a redelivery, or a late one). The first
    join is kept (or, for a call that had never been joined, this one is its first); the end
    is cleared until the next one.
    """
    if event.kind is not RoomEventKind.PARTICIPANT_JOINED:
        return None
    if event.participant_identity != call.participant_identity:
        return None
    sid = event.participant_sid
    return Transition(
        frozenset({CallStatus.ENDED}),
        CallStatus.IN_PROGRESS,
        joined_at=call.joined_at or event.at,
        clears_end_reason=True,
        ended_before=event.at if sid is None else None,
        ended_not_after=None if sid is None else event.at,
        new_session=sid is not None,
        caller_sid=sid,
        clears_ended_at=True,
        announces=WebhookEventType.CALL_STARTED,
        announced_at=event.at,
    )


EXPIRY = Transition(
    frozenset({CallStatus.QUEUED}),
    CallStatus.EXPIRED,
    end_reason=NOT_JOINED,
    announces=WebhookEventType.CALL_EXPIRED,
)
