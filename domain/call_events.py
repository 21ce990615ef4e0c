"""How LiveKit room events move a call: forward only, each move one conditional write."""

import enum
from dataclasses import dataclass
from datetime import datetime

from domain.call import NOT_JOINED, CallStatus


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


@dataclass(frozen=True, slots=True)
class Transition:
    """Move to `to` only from one of `allowed_from`; the store applies it conditionally."""

    allowed_from: frozenset[CallStatus]
    to: CallStatus
    joined_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    clears_end_reason: bool = False


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
    The room finishing ends any call not yet ended. `ended` is final.
    """
    if event.kind in _CALLER_ONLY and event.participant_identity != caller_identity:
        return None
    if event.kind is RoomEventKind.PARTICIPANT_JOINED:
        # A join after the sweeper wrote `expired` makes that verdict (and its reason) void.
        return Transition(
            _NOT_STARTED, CallStatus.IN_PROGRESS, joined_at=event.at, clears_end_reason=True
        )
    ends = _OPEN if event.kind is RoomEventKind.ROOM_FINISHED else _STARTED
    return Transition(ends, CallStatus.ENDED, ended_at=event.at, end_reason=event.kind.value)


EXPIRY = Transition(frozenset({CallStatus.QUEUED}), CallStatus.EXPIRED, end_reason=NOT_JOINED)
