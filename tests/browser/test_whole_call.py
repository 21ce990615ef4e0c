"""The whole call (issue 17.7): a page gets a token (the seed route through its backend, or
TokenSource.endpoint with a publishable key), joins with livekit-client in Chromium, its
fake microphone reaches the agent, the agent joins, changes state, speaks (a level above
silence in WebAudio), sends transcripts and ends the call; the call moves queued →
in_progress → ended with its agent recorded, and the tenant's endpoint hears call.created,
call.started, call.ended with sequence 1, 2, 3. Written against `LiveKitUnderTest`: the
stand-in always, a real livekit-server when LIVEKIT_TEST_URL is set (issue 17.10)."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.call_pages import agent_states, call_page, entries, hold_call
from tests.browser.livekit_under_test import KINDS, livekit_under_test
from tests.browser.whole_call_world import World, as_json, room_of, serving, watching_statuses
from tests.livekit_standin import (
    AgentScript,
    DeleteRoom,
    Hear,
    Reason,
    Say,
    State,
    Wait,
    WaitForAudio,
)
from tests.support.mongo import mongo_server
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.browser
RUN = uuid.uuid4().hex[:8]  # nx-27017 shares collections across databases
DESKS = {"seed route": f"desk-{RUN}-seed", "publishable key": f"desk-{RUN}-key"}
GREETING = "Hello, this is the front desk."
SCRIPT = AgentScript(
    steps=(
        State("listening"),
        WaitForAudio(10),
        State("thinking"),
        Hear(("Hi",), "Hi there"),
        State("speaking"),
        Say(GREETING),
        Wait(0.3),
        DeleteRoom(),
    ),
)


@pytest.fixture(scope="module", params=KINDS)
def world(
    request: pytest.FixtureRequest,
    loopback_network: bool,
    browser_tools: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    with (
        livekit_under_test(
            request.param,
            TEST_LIVEKIT.api_key,
            TEST_LIVEKIT.api_secret,
            dict.fromkeys(DESKS.values(), SCRIPT),
        ) as livekit,
        mongo_server(tmp_path_factory.mktemp("whole-call-mongo")) as (uri, _kind),
        serving(livekit, uri, tmp_path_factory.mktemp("home")) as world,
    ):
        yield world


@pytest.fixture
def page(world: World) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The page and what its backend answers (set per test)."""
    answers: list[dict[str, Any]] = []
    with call_page(lambda: answers[0]) as url:
        yield url, answers


@pytest.mark.timeout(180)
@pytest.mark.parametrize("token_from", ["seed route", "publishable key"])
def test_a_whole_call(
    browser_tools: str, world: World, page: tuple[str, list[dict[str, Any]]], token_from: str
) -> None:
    url, answers = page
    origin = url.removesuffix("/call.html")
    tenant = world.tenant(origin)
    agent_id = world.agent(tenant, DESKS[token_from])
    if token_from == "seed route":
        answers.append(world.seed_token(tenant, agent_id))
        plan: dict[str, Any] = {"backend": f"{origin}/backend"}
    else:
        endpoint = f"{world.service.base_url}/v1/livekit/token"
        plan = {"endpoint": endpoint, "key": tenant.publishable_key, "agent": DESKS[token_from]}

    with watching_statuses(world, tenant) as statuses:
        seen = hold_call(browser_tools, url, {**plan, "timeoutMs": 40000})
        call_id = room_of(seen).removeprefix("webrtc_")
        world.wait_for_status(tenant, call_id, "ended")

    agent = world.livekit.agent_in(room_of(seen))
    assert agent.failure() is None
    assert agent.heard_caller(), "the fake microphone reached the agent"
    assert entries(seen, "connected"), as_json(seen)
    assert [e["identity"] for e in entries(seen, "participant") if e["agent"]] == [agent.identity]
    states = agent_states(seen)
    assert states == ["listening", "thinking", "speaking"], states
    assert {e["identity"] for e in entries(seen, "level")} == {agent.identity}
    said = [(e["from"], e["text"]) for e in entries(seen, "transcript")]
    assert said == [
        (f"caller_{call_id}", "Hi"),
        (f"caller_{call_id}", "Hi there"),
        (agent.identity, GREETING),
    ]
    assert [e["reason"] for e in entries(seen, "disconnected")] == [Reason.ROOM_DELETED]

    events = tenant.receiver.wait_for(call_id, 3)
    assert [(e["type"], e["sequence"]) for e in events] == [
        ("call.created", 1),
        ("call.started", 2),
        ("call.ended", 3),
    ], as_json(events)
    assert tenant.receiver.rejected == []
    assert statuses[call_id] == ["queued", "in_progress", "ended"]
    assert events[1]["data"]["joined_at"] is not None
    ended = events[-1]["data"]
    assert ended["status"] == "ended"
    assert ended["agent_joined_at"] is not None
    assert ended["end_reason"] in {"participant_left", "room_finished"}
    call = world.call(tenant, call_id)
    assert call["status"] == "ended"
    assert call["agent_joined_at"] == ended["agent_joined_at"]
    stored = world.stored_call(call_id)
    assert stored is not None
    assert stored["status"] == "ended"
    assert stored["agent_joined_at"] is not None
