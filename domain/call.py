import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.frozen import positional
from domain.ids import new_id
from domain.participant import Participant
from domain.tenant import KeyKind

NOT_JOINED = "not_joined"
AGENT_NEVER_JOINED = "agent_never_joined"


class CallType(enum.StrEnum):
    WEBRTC = "webrtc"


_WEBRTC = CallType.WEBRTC.value  # an enum member's .value is a property lookup, per token


class CallStatus(enum.StrEnum):
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    EXPIRED = "expired"


def webrtc_room_name(call_id: str) -> str:
    return f"{_WEBRTC}_{call_id}"


def caller_identity(call_id: str) -> str:
    return f"caller_{call_id}"


def tagged_metadata(
    caller_metadata: Mapping[str, Any], defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The agent's defaults, overridden by the caller's object, with `type` forced to webrtc:
    callers cannot override the tag."""
    return {**(defaults or {}), **caller_metadata, "type": _WEBRTC}


@dataclass(frozen=True, slots=True)
class CreatedBy:
    """The key whose request created the call."""

    key_id: str
    key_kind: KeyKind


@dataclass(frozen=True, slots=True)
class Call:
    id: str
    tenant_id: str
    agent_id: str
    type: CallType
    status: CallStatus
    room_name: str
    participant_identity: str
    metadata: Mapping[str, Any]
    created_at: datetime
    expires_at: datetime
    joined_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    agent_joined_at: datetime | None = None
    # The LiveKit event that ended the call, kept when `end_reason` says agent_never_joined.
    ended_by: str | None = None
    # LiveKit's SID of the caller's session last counted as a join (None: none told one).
    caller_sid: str | None = None
    created_by: CreatedBy | None = None
    participant: Participant = dataclasses.field(default_factory=Participant)
    # An instruction to the repository's `add`, not state: False when the tenant has no
    # webhook endpoint to tell of the call's creation.
    announce_creation: bool = dataclasses.field(default=True, compare=False)

    def as_of(self, moment: datetime) -> "Call":
        """The call as it stands at `moment`: a queued call past its join window is expired,
        even before the sweeper has written so."""
        if self.status is CallStatus.QUEUED and moment >= self.expires_at:
            return dataclasses.replace(self, status=CallStatus.EXPIRED, end_reason=NOT_JOINED)
        return self

    @classmethod
    def queue_webrtc(
        cls,
        *,
        tenant_id: str,
        agent_id: str,
        metadata: Mapping[str, Any],
        now: datetime,
        join_window: timedelta,
        call_id: str | None = None,
        default_metadata: Mapping[str, Any] | None = None,
        created_by: CreatedBy | None = None,
        participant: Participant | None = None,
        announce_creation: bool = True,
    ) -> "Call":
        call_id = call_id or new_id()
        participant = participant or Participant()
        return _queued(
            call_id,
            tenant_id,
            agent_id,
            CallType.WEBRTC,
            CallStatus.QUEUED,
            webrtc_room_name(call_id),
            participant.identity or caller_identity(call_id),
            tagged_metadata(metadata, default_metadata),
            now,
            now + join_window,
            None,  # joined_at: a queued call has not been joined, ended or seen an agent yet
            None,  # ended_at
            None,  # end_reason
            None,  # agent_joined_at
            None,  # ended_by
            None,  # caller_sid
            created_by,
            participant,
            announce_creation,
        )


_queued = positional(Call)  # a call is built on every token request


@dataclass(frozen=True, slots=True)
class CallQuery:
    """A tenant's calls, optionally of one agent and in one status as of `now`."""

    tenant_id: str
    now: datetime
    agent_id: str | None = None
    status: CallStatus | None = None
