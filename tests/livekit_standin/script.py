"""What a scripted agent does, step by step: a test's script chooses delays, texts, RPCs
and who ends the call."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from livekit.protocol import models

Reason = models.DisconnectReason


@dataclass(frozen=True)
class State:
    """Sets `lk.agent.state` (initializing, idle, listening, thinking, speaking)."""

    value: str


@dataclass(frozen=True)
class Wait:
    seconds: float


@dataclass(frozen=True)
class WaitForAudio:
    """Until non-silent frames of the caller's microphone arrived (a TimeoutError after
    `timeout` s fails the script: `agent.error` says so)."""

    timeout: float = 10.0


@dataclass(frozen=True)
class Say:
    """The agent's text as LiveKit Agents sends it: one delta stream per segment, on
    `lk.transcription`, its final flag in the trailer."""

    text: str
    chunks: int = 3


@dataclass(frozen=True)
class Hear:
    """The caller's words as the agent's STT sends them: each interim a new stream with the
    full text so far and the same `lk.segment_id`, then the final one."""

    interim: tuple[str, ...]
    final: str


@dataclass(frozen=True)
class CallRpc:
    """An RPC to the caller (a client tool); the answer lands in `agent.rpc_answers`."""

    method: str
    payload: str = ""
    timeout: float = 5.0


@dataclass(frozen=True)
class Leave:
    """The agent leaves the room; the caller stays until it leaves too."""


@dataclass(frozen=True)
class DeleteRoom:
    """Ends the call for everyone, as `ctx.delete_room()` does: each participant gets a
    leave with `reason` (ROOM_DELETED), then the room finishes."""

    reason: int = Reason.ROOM_DELETED


Step = State | Wait | WaitForAudio | Say | Hear | CallRpc | Leave | DeleteRoom
Answer = str | Callable[[str], str]


@dataclass(frozen=True)
class AgentScript:
    """`rpc_methods` answers the caller's RPCs by method: a fixed string, or a function of
    the payload. `leave_with_caller`: the agent leaves when the caller does (LiveKit Agents'
    default), so the room empties and finishes."""

    steps: tuple[Step, ...] = (State("listening"),)
    join_delay: float = 0.2
    rpc_methods: Mapping[str, Answer] = field(default_factory=dict)
    tone_hz: float = 440.0
    leave_with_caller: bool = True
