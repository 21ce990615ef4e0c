"""Claims written from a per-agent template are, byte for byte, what msgspec writes for
join_claims: for any agent, call and API key, and whether the template applies or not."""

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from adapters.livekit.claims_template import ClaimsTemplates
from adapters.livekit.issuer import CLOCK_SKEW_ALLOWANCE, join_claims
from domain.agent import Agent
from domain.call import Call
from domain.caller_permissions import TRACK_SOURCES, CallerPermissions
from domain.participant import Participant

NOW = datetime(2026, 12, 3, 6, 0, 0, 123000, tzinfo=UTC)
texts = st.text(max_size=40)
ids = st.uuids().map(str) | texts
moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
permissions = st.builds(
    CallerPermissions,
    st.lists(st.sampled_from(TRACK_SOURCES), min_size=1, unique=True).map(tuple),
    st.booleans(),
)
agents = st.builds(
    Agent,
    id=ids,
    tenant_id=texts,
    name=texts,
    dispatch_name=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}", fullmatch=True) | texts,
    created_at=st.just(NOW),
    caller_permissions=permissions,
)
participants = st.just(Participant()) | st.builds(
    Participant,
    identity=st.none() | texts,
    name=st.none() | texts,
    metadata=st.none() | texts,
    attributes=st.dictionaries(texts, texts, max_size=3),
)


@st.composite
def calls(draw: st.DrawFn, agent: Agent) -> Call:
    call = Call.queue_webrtc(
        tenant_id=agent.tenant_id,
        agent_id=agent.id,
        metadata={},
        now=draw(moments),
        join_window=timedelta(seconds=draw(st.integers(0, 86400))),
        call_id=draw(st.none() | ids),
        participant=draw(participants),
    )
    if draw(st.booleans()):
        call = dataclasses.replace(call, room_name=draw(texts))
    if draw(st.booleans()):
        call = dataclasses.replace(call, participant_identity=draw(texts))
    return call


def _reference(call: Call, agent: Agent, api_key: str) -> bytes:
    return msgspec.json.encode(join_claims(call, agent, api_key))


@given(st.data(), agents, texts)
def test_the_bytes_are_those_msgspec_writes_for_join_claims(
    data: st.DataObject, agent: Agent, api_key: str
) -> None:
    templates = ClaimsTemplates(join_claims, api_key, CLOCK_SKEW_ALLOWANCE)
    for call in data.draw(st.lists(calls(agent), min_size=1, max_size=4)):
        assert templates.encoded(call, agent) == _reference(call, agent, api_key)


class _Counted:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, call: Call, agent: Agent, api_key: str) -> Mapping[str, Any]:
        self.calls += 1
        return join_claims(call, agent, api_key)


def _ordinary_call(agent: Agent, now: datetime = NOW) -> Call:
    return Call.queue_webrtc(
        tenant_id=agent.tenant_id,
        agent_id=agent.id,
        metadata={"plan": "pro"},
        now=now,
        join_window=timedelta(seconds=600),
    )


def _warmed(agent: Agent) -> tuple[ClaimsTemplates, _Counted, int]:
    """Templates that have written one call of `agent`, their claims, and how often those ran."""
    claims = _Counted()
    templates = ClaimsTemplates(claims, "APIkey", CLOCK_SKEW_ALLOWANCE)
    templates.encoded(_ordinary_call(agent), agent)
    return templates, claims, claims.calls


def test_an_ordinary_call_is_written_from_the_agents_template_without_the_claims() -> None:
    agent = Agent.create("tenant-1", "Support", "support-agent", NOW)
    templates, claims, built = _warmed(agent)

    written = [_ordinary_call(agent, NOW + timedelta(seconds=n)) for n in range(3)]

    assert [templates.encoded(call, agent) for call in written] == [
        _reference(call, agent, "APIkey") for call in written
    ]
    assert claims.calls == built


def test_an_equal_agent_read_again_keeps_its_template_and_a_changed_one_gets_its_own() -> None:
    agent = Agent.create("tenant-1", "Support", "support-agent", NOW)
    templates, claims, built = _warmed(agent)
    renamed = dataclasses.replace(agent, dispatch_name="sales-agent")
    call = _ordinary_call(agent)

    assert templates.encoded(call, dataclasses.replace(agent)) == _reference(call, agent, "APIkey")
    assert claims.calls == built
    assert templates.encoded(call, renamed) == _reference(call, renamed, "APIkey")


def test_an_agent_whose_own_text_looks_like_a_made_up_value_still_gets_its_claims() -> None:
    for lookalike in ("Qz7CallQz7", "1234567", "Wk3xS", "%(id)s"):
        agent = Agent.create("tenant-1", "Support", "support-agent", NOW)
        agent = dataclasses.replace(agent, id=lookalike, dispatch_name=f"a{lookalike}")
        call = _ordinary_call(agent)

        written = ClaimsTemplates(join_claims, "APIkey", CLOCK_SKEW_ALLOWANCE).encoded(call, agent)

        assert written == _reference(call, agent, "APIkey")


def test_many_agents_each_get_their_own_claims() -> None:
    templates = ClaimsTemplates(join_claims, "APIkey", CLOCK_SKEW_ALLOWANCE)
    agents = [Agent.create("tenant-1", "Support", f"agent-{n}", NOW) for n in range(1100)]

    for agent in [*agents, *agents[:5]]:
        call = _ordinary_call(agent)
        assert templates.encoded(call, agent) == _reference(call, agent, "APIkey")
