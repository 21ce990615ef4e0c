"""The browser SDK (@realtime-tokens/web) in real Chromium, fake microphone, loopback-only
WebRTC, against the LiveKit stand-in and the service as deployed (issue 18 item 10): whole
calls in both ways of starting and both builds, and each way a call ends."""

import json
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.call_pages import after_initializing
from tests.browser.sdk_pages import DRIVER, drive_sdk, events, kinds
from tests.browser.sdk_world import FORGED, World, sdk_world
from tests.livekit_standin import (
    AgentScript,
    CallRpc,
    Hear,
    Leave,
    Say,
    State,
    Wait,
    WaitForAudio,
)
from tests.support.live import base_env

pytestmark = pytest.mark.browser
REPLY = "A table for two at eight, booked."
WHOLE_CALL = AgentScript(
    steps=(
        State("listening"),
        WaitForAudio(10),
        Hear(("A table", "A table for"), "A table for two"),
        State("thinking"),
        CallRpc("show_card", '{"card": 42}'),
        State("speaking"),
        Say(REPLY),
        Wait(1.5),
        Leave(),
    )
)
HOLD = AgentScript(steps=(State("listening"), Wait(90)))


@pytest.fixture(scope="module")
def world(
    browser_tools: str, loopback_network: bool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with sdk_world(tmp_path_factory.mktemp("sdk"), {"whole": WHOLE_CALL, "hold": HOLD}) as made:
        yield made


def plan(world: World, mode: str, agent: str, **more: Any) -> dict[str, Any]:
    if mode == "endpoint":
        keys = {"endpoint": world.endpoint, "key": world.publishable_key}
        return {**keys, "agent": world.dispatch_names[agent], **more}
    return {"agent": agent, **more}


@pytest.mark.timeout(180)
@pytest.mark.parametrize(("build", "mode"), [("iife", "backend"), ("esm", "endpoint")])
def test_a_whole_call_through_the_sdk(
    browser_tools: str, world: World, build: str, mode: str
) -> None:
    seen = drive_sdk(
        browser_tools, world.page(build), plan(world, mode, "whole", tools=["show_card"])
    )

    [connected] = events(seen, "connected")
    call_id, room = connected["callId"], connected["roomName"]
    assert room == f"webrtc_{call_id}"
    story = [e["kind"] for e in events(seen, "started", "agentState", "transcript", "ended")]
    assert story[0] == "started", seen
    assert story[-1] == "ended"
    [started] = events(seen, "started")
    assert (started["callId"], started["roomName"]) == (call_id, room)
    states = [e["state"] for e in events(seen, "agentState")]
    assert after_initializing(states) == ["listening", "thinking", "speaking", "disconnected"]
    lines = [(e["role"], e["text"], e["final"]) for e in events(seen, "transcript")]
    assert [line for line in lines if line[2]] == [
        ("user", "A table for two", True),
        ("agent", REPLY, True),
    ]
    user_final = lines.index(("user", "A table for two", True))
    assert all(role == "agent" for role, _, _ in lines[user_final + 1 :])
    assert story.index("transcript") > story.index("agentState")
    assert [e["reason"] for e in events(seen, "ended")] == ["agent"]
    assert events(seen, "error", "connect_failed") == []
    [peak] = events(seen, "volume_peak")
    assert peak["output"] > 0.01, "the agent's tone reached the page"
    assert peak["input"] > 0.01, "the fake microphone was measured"
    [tool] = events(seen, "tool")
    assert tool["payload"] == '{"card": 42}'
    agent = world.standin.agent(room)
    assert tool["caller"] == agent.identity
    assert agent.rpc_answers == {"show_card": 'shown {"card": 42}'}
    assert agent.error is None
    assert agent.hearing[f"caller_{call_id}"].heard, "the caller's audio reached the stand-in"

    call = world.settle(room)
    assert call["status"] == "ended"
    assert call["agent_joined_at"] is not None
    received = world.tenant_events(call_id, 3)
    assert sorted((e["sequence"], e["type"]) for e in received) == [
        (1, "call.created"),
        (2, "call.started"),
        (3, "call.ended"),
    ]


@pytest.mark.timeout(120)
def test_end_from_the_page_ends_the_call_for_the_page_and_the_service(
    browser_tools: str, world: World
) -> None:
    seen = drive_sdk(
        browser_tools, world.page("iife"), plan(world, "backend", "hold", endOn="started")
    )

    [connected] = events(seen, "connected")
    assert [e["reason"] for e in events(seen, "ended")] == ["client"]
    assert events(seen, "error", "connect_failed") == []
    call = world.settle(connected["roomName"])
    assert call["status"] == "ended"
    assert call["agent_joined_at"] is not None


@pytest.mark.timeout(120)
def test_a_token_livekit_refuses_ends_the_call_token_rejected(
    browser_tools: str, world: World
) -> None:
    refusals = len(world.standin.hub.refusals)

    seen = drive_sdk(browser_tools, world.page("iife"), plan(world, "backend", FORGED))

    assert [(e["kind"], e.get("code"), e.get("reason")) for e in seen["log"][:3]] == [
        ("error", "token_rejected", None),
        ("ended", None, "token_rejected"),
        ("connect_failed", "token_rejected", None),
    ]
    assert len(world.standin.hub.refusals) > refusals
    assert "webrtc_forged" not in world.standin.hub.rooms


@pytest.mark.timeout(120)
def test_a_refused_microphone_ends_the_call_before_anything_is_asked_or_joined(
    browser_tools: str, world: World
) -> None:
    calls, paths = len(world.calls()), len(world.standin.hub.paths)

    seen = drive_sdk(
        browser_tools,
        world.page("esm"),
        plan(world, "endpoint", "whole", denyMicrophone=True),
    )

    [failed] = events(seen, "connect_failed")
    assert failed["code"] == "microphone_denied", seen
    assert [e["reason"] for e in events(seen, "ended")] == ["error"]
    assert len(world.calls()) == calls, "no token was asked for, so no call was created"
    assert len(world.standin.hub.paths) == paths, "nothing joined"
    [leftovers] = events(seen, "leftovers")
    assert leftovers["liveTracks"] == 0


@pytest.mark.timeout(120)
def test_no_agent_ends_the_call_agent_unavailable(browser_tools: str, world: World) -> None:
    options = {"agentJoinTimeoutMs": 1500}

    seen = drive_sdk(
        browser_tools, world.page("esm"), plan(world, "backend", "ghost", options=options)
    )

    [connected] = events(seen, "connected")
    [ended] = events(seen, "ended")
    assert ended["reason"] == "agent_unavailable"
    assert events(seen, "started") == []
    assert world.standin.agents_in(connected["roomName"]) == []
    call = world.settle(connected["roomName"])
    assert call["status"] == "ended"
    assert call["agent_joined_at"] is None


@pytest.mark.timeout(120)
def test_a_connection_gone_for_good_ends_the_call_connection_lost(
    browser_tools: str, world: World
) -> None:
    options = {"reconnectDelaysMs": [100, 200, 300]}
    page = plan(world, "backend", "hold", options=options, timeoutMs=45_000)
    with subprocess.Popen(
        ["node", str(DRIVER), world.page("iife"), json.dumps(page)],
        env={**base_env(), "CHROMIUM": browser_tools},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as driver:
        identity = _caller_with_agent(world)
        world.standin.drop_for_good(identity)
        out, err = driver.communicate(timeout=60)
    assert driver.returncode == 0, err
    seen = json.loads(out)

    assert [e["kind"] for e in events(seen, "started", "reconnecting", "ended")] == [
        "started",
        "reconnecting",
        "ended",
    ], seen
    assert [e["reason"] for e in events(seen, "ended")] == ["connection_lost"]


def _caller_with_agent(world: World, timeout: float = 30) -> str:
    """The identity of a caller whose room has a listening agent that receives the caller's
    microphone: by then the page has published it and met the agent, so it has started (a
    listening agent alone was not enough on a slow machine: the page could still be
    publishing when the connection was cut, and never start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for session in list(world.standin.hub.sessions):
            agents = world.standin.agents_in(session.room.name)
            if (
                not session.closed
                and session.active
                and any(
                    "listening" in a.states
                    and (hearing := a.hearing.get(session.identity)) is not None
                    and hearing.frames > 0
                    for a in agents
                )
            ):
                return session.identity
        time.sleep(0.05)
    raise TimeoutError("no caller met a listening agent")


@pytest.mark.timeout(120)
def test_blocked_autoplay_is_reported_and_a_click_starts_the_agents_voice(
    browser_tools: str, world: World
) -> None:
    """Chromium lets a page that captures the microphone autoplay whatever --autoplay-policy
    says, so the page plays a browser without that exception (`strictAutoplay`: play()
    refuses until the user activated the page); the click is the driver's, a real one."""
    seen = drive_sdk(
        browser_tools,
        world.page("esm"),
        plan(
            world,
            "backend",
            "hold",
            chromiumArgs=["--autoplay-policy=document-user-activation-required"],
            strictAutoplay=True,
            clickWhen="audioBlocked",
            endAfterGesture=True,
        ),
    )

    story = [e["kind"] for e in events(seen, "started", "audioBlocked", "audio_started", "ended")]
    assert sorted(story[:2]) == ["audioBlocked", "started"], seen
    assert story[2:] == ["audio_started", "ended"]
    [blocked] = events(seen, "playback")
    assert (blocked["elements"], blocked["playing"]) == (1, 0), "the agent's audio waited"
    [started] = events(seen, "audio_started")
    assert (started["elements"], started["playing"]) == (1, 1), "the click started it"
    assert started["time"] > 0.2, "and it plays"
    assert [e["reason"] for e in events(seen, "ended")] == ["client"]


@pytest.mark.timeout(240)
def test_twenty_calls_in_one_page_leave_nothing_behind(browser_tools: str, world: World) -> None:
    seen = drive_sdk(
        browser_tools,
        world.page("iife"),
        plan(world, "backend", "hold", cycles=20, endOn="started", timeoutMs=150_000),
        timeout=200,
    )

    assert [e["reason"] for e in events(seen, "ended")] == ["client"] * 20, kinds(seen)
    assert len(events(seen, "started")) == 20
    [leftovers] = events(seen, "leftovers")
    assert leftovers["tracks"] == 20, "one microphone track a call"
    assert {
        k: leftovers[k]
        for k in ("liveTracks", "audioElements", "openContexts", "openPeers", "windowListeners")
    } == {
        "liveTracks": 0,
        "audioElements": 0,
        "openContexts": 0,
        "openPeers": 0,
        "windowListeners": 0,
    }
