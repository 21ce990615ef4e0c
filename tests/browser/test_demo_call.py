"""A person's first call: `serve --dev` pointed at the LiveKit stand-in, its /demo page (built
on the browser SDK) in headless Chromium with a fake microphone presses Start call; its token
comes from LiveKit's token endpoint with the page's publishable key, the scripted demo agent
joins, talks and hangs up, and the page shows the agent's states, the transcript and the
levels (issue 17 item 9, issue 18 item 7)."""

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from livekit.api import TokenVerifier

from entrypoints.settings import DEV_LIVEKIT
from tests.browser.call_pages import after_initializing
from tests.browser.conftest import OUTPUT
from tests.livekit_standin import (
    AgentScript,
    Hear,
    Leave,
    LiveKitStandIn,
    Say,
    State,
    Wait,
    WaitForAudio,
)
from tests.support.live import LiveServer, base_env
from tests.support.prometheus import sample

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]
DRIVER = Path(__file__).with_name("drive_demo.mjs")
SCREENSHOT = OUTPUT / "demo-call.png"
GREETING = "Hi, this is the demo agent. How can I help?"
DEMO_AGENT = AgentScript(
    steps=(
        State("listening"),
        WaitForAudio(10),
        Hear(("I would", "I would like"), "I would like a table"),
        State("thinking"),
        Wait(0.3),
        State("speaking"),
        Say(GREETING),
        Wait(1.0),
        State("listening"),
        Wait(0.3),
        Leave(),
    ),
)


@dataclass(frozen=True)
class DemoCall:
    shown: dict[str, Any]
    server: LiveServer
    standin: LiveKitStandIn
    api_key: str


@pytest.fixture(scope="module")
def demo_call(
    browser_tools: str, loopback_network: bool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoCall]:
    """`serve --dev` (its own embedded MongoDB) pointed at the stand-in, which plays the demo
    agent and posts LiveKit's webhooks back to it, and one call from its /demo page."""
    home = tmp_path_factory.mktemp("dev-home")
    standin = LiveKitStandIn(
        DEV_LIVEKIT.api_key, DEV_LIVEKIT.api_secret, agents={"demo-agent": DEMO_AGENT}
    ).start()
    env = base_env(REALTIME_TOKENS_HOME=str(home), LIVEKIT_URL=standin.url)
    server = LiveServer(env, home / "serve.log").start("--dev", "--log-format", "json")
    standin.webhook_url = f"{server.base_url}/v1/livekit/webhook"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    try:
        done = subprocess.run(
            ["node", str(DRIVER), f"{server.base_url}/demo", str(SCREENSHOT)],
            env={**base_env(), "CHROMIUM": browser_tools},
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        api_key = json.loads((home / "demo.json").read_text())["api_key"]
        yield DemoCall(json.loads(done.stdout), server, standin, api_key)
    finally:
        server.stop()
        standin.stop()


@pytest.mark.timeout(300)
def test_the_demo_page_holds_a_whole_call_and_shows_the_agent_and_the_transcript(
    demo_call: DemoCall,
) -> None:
    shown, standin = demo_call.shown, demo_call.standin

    assert shown["phase"] == "ended", shown
    assert shown["state"] == "ended (agent)"
    assert shown["error"] == ""
    states = shown["seen"]["agentStates"]
    assert after_initializing([s for s in states if s]) == [
        "listening",
        "thinking",
        "speaking",
        "listening",
        "disconnected",
    ]
    assert shown["transcript"] == [
        {"role": "user", "text": "You: I would like a table", "interim": False},
        {"role": "agent", "text": f"Agent: {GREETING}", "interim": False},
    ]
    assert shown["seen"]["output"] > 0, "the agent's voice moved the page's level meter"
    assert shown["seen"]["input"] > 0, "the fake microphone moved the page's level meter"
    agent = standin.agent(shown["room"])
    assert agent.error is None
    assert agent.hearing[f"caller_{shown['call']}"].heard, "the caller's audio reached the agent"
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


@pytest.mark.timeout(300)
def test_the_demo_token_is_the_shown_rooms_and_dispatches_the_demo_agent(
    demo_call: DemoCall,
) -> None:
    shown, standin = demo_call.shown, demo_call.standin

    [first, *_] = [p for p in standin.hub.paths if "access_token=" in p]
    token = parse_qs(urlsplit(first).query)["access_token"][0]

    claims = TokenVerifier(DEV_LIVEKIT.api_key, DEV_LIVEKIT.api_secret).verify(token)
    assert first.startswith("/rtc")
    assert claims.video is not None
    assert claims.video.room_join
    assert claims.video.room == shown["room"] == f"webrtc_{shown['call']}"
    assert claims.identity == f"caller_{shown['call']}"
    assert claims.name == "Demo caller"
    assert claims.room_config is not None
    assert [agent.agent_name for agent in claims.room_config.agents] == ["demo-agent"]
    assert shown["agents"] == ["Demo voice agent (demo-agent)"]


@pytest.mark.timeout(300)
def test_the_demo_call_ends_in_the_service_with_its_agent_recorded(demo_call: DemoCall) -> None:
    shown, standin, server = demo_call.shown, demo_call.standin, demo_call.server

    standin.wait_for(lambda: standin.finished(shown["room"]), "room_finished")
    standin.wait_webhooks_delivered()

    call = httpx.get(
        f"{server.base_url}/v1/calls/{shown['call']}",
        headers={"authorization": f"Bearer {demo_call.api_key}"},
    ).json()
    assert call["status"] == "ended", call
    assert call["agent_joined_at"] is not None
    assert call["metadata"] == {"source": "demo", "type": "webrtc"}


@pytest.mark.timeout(300)
def test_the_demo_call_is_logged_and_counted_without_secrets(demo_call: DemoCall) -> None:
    server = demo_call.server

    metrics = httpx.get(f"{server.base_url}/metrics").text

    logs = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    issued = next(line for line in logs if line.get("route") == "/v1/livekit/token")
    assert issued["call_id"] == demo_call.shown["call"]
    assert issued["status"] == 201
    assert not [line for line in logs if "rtk_" in json.dumps(line) or "eyJ" in json.dumps(line)]
    assert sample(metrics, "realtime_tokens_issued_total", route="/v1/livekit/token") == 1
    assert sample(metrics, "realtime_tokens_mongodb_embedded") == 1
