"""Objects built the quick way are the very objects their dataclass __init__ builds: same
type, same value in every field (those left out of == too), and just as frozen."""

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.issue_token import IssuedToken
from domain.call import Call, CallStatus, CallType, CreatedBy, tagged_metadata
from domain.caller_permissions import CallerPermissions
from domain.frozen import positional
from domain.participant import Participant
from domain.rate_limit import RateLimitDecision, RateLimitPolicy
from domain.tenant import KeyKind, Principal

NOW = datetime(2026, 12, 3, 6, 0, 0, 123000, tzinfo=UTC)


def _fields(value: object) -> list[tuple[str, Any]]:
    return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]  # type: ignore[arg-type]


def _same(built: object, reference: object) -> None:
    assert type(built) is type(reference)
    assert _fields(built) == _fields(reference)
    assert built == reference


def _a_call(**changes: Any) -> Call:
    call = Call(
        id="c",
        tenant_id="t",
        agent_id="a",
        type=CallType.WEBRTC,
        status=CallStatus.QUEUED,
        room_name="webrtc_c",
        participant_identity="caller_c",
        metadata={"type": "webrtc"},
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=10),
        joined_at=NOW,
        ended_at=NOW,
        end_reason="hung_up",
        agent_joined_at=NOW,
        ended_by="room_finished",
        caller_sid="PA_1",
        created_by=CreatedBy("k", KeyKind.PUBLISHABLE),
        participant=Participant("ada", "Ada"),
        announce_creation=False,
    )
    return dataclasses.replace(call, **changes)


@pytest.mark.parametrize(
    "value",
    [
        _a_call(),
        Principal("t", "k", KeyKind.PUBLISHABLE, ("a",)),
        CreatedBy("k", KeyKind.PUBLISHABLE),
        IssuedToken("jwt", "webrtc_c", "wss://lk", "c", "caller_c", NOW, True, "Ada"),
    ],
)
def test_positional_builds_what_the_dataclass_builds_from_the_same_values(value: Any) -> None:
    values = [v for _, v in _fields(value)]
    built = positional(type(value))(*values)

    _same(built, type(value)(*values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, _fields(value)[0][0], "other")
    if isinstance(value, Principal):
        assert hash(built) == hash(value)


def test_positional_wants_every_field() -> None:
    with pytest.raises(TypeError):
        positional(Principal)("t", "k")


def test_positional_refuses_a_class_whose_init_does_more() -> None:
    @dataclasses.dataclass(frozen=True)
    class Unslotted:
        x: int

    with pytest.raises(TypeError):
        positional(CallerPermissions)  # __post_init__ checks and normalises its sources
    with pytest.raises(TypeError):
        positional(Unslotted)


@given(
    call_id=st.none() | st.text(min_size=1, max_size=8),
    metadata=st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=4)),
    defaults=st.none() | st.dictionaries(st.text(max_size=4), st.integers()),
    created_by=st.none() | st.just(CreatedBy("k", KeyKind.SECRET)),
    participant=st.none() | st.just(Participant()) | st.just(Participant("ada", "Ada")),
    announce=st.booleans(),
    seconds=st.integers(0, 86400),
)
def test_a_queued_call_is_the_call_its_constructor_builds(
    call_id: str | None,
    metadata: dict[str, Any],
    defaults: dict[str, Any] | None,
    created_by: CreatedBy | None,
    participant: Participant | None,
    announce: bool,
    seconds: int,
) -> None:
    call = Call.queue_webrtc(
        tenant_id="t",
        agent_id="a",
        metadata=metadata,
        now=NOW,
        join_window=timedelta(seconds=seconds),
        call_id=call_id,
        default_metadata=defaults,
        created_by=created_by,
        participant=participant,
        announce_creation=announce,
    )
    chosen = participant or Participant()

    _same(
        call,
        Call(
            id=call.id if call_id is None else call_id,
            tenant_id="t",
            agent_id="a",
            type=CallType.WEBRTC,
            status=CallStatus.QUEUED,
            room_name=f"webrtc_{call.id}",
            participant_identity=chosen.identity or f"caller_{call.id}",
            metadata=tagged_metadata(metadata, defaults),
            created_at=NOW,
            expires_at=NOW + timedelta(seconds=seconds),
            created_by=created_by,
            participant=chosen,
            announce_creation=announce,
        ),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        call.status = CallStatus.ENDED  # type: ignore[misc]


@given(
    limit=st.integers(0, 1000),
    window=st.integers(1, 3600),
    count=st.integers(0, 2000),
    epoch=st.floats(0, 4e9),
)
def test_a_decision_after_a_hit_is_the_decision_its_constructor_builds(
    limit: int, window: int, count: int, epoch: float
) -> None:
    policy = RateLimitPolicy(limit, window)

    _same(
        RateLimitDecision.after(policy, count, epoch),
        RateLimitDecision(
            allowed=count <= limit,
            limit=limit,
            remaining=max(0, limit - count),
            reset_seconds=policy.seconds_left(epoch),
        ),
    )
