"""A person's first call: the demo page in headless Chromium presses Start call (its token
comes from LiveKit's token endpoint, by TokenSource.endpoint and a publishable key), and a
stand-in for LiveKit's signalling endpoint receives the browser's connection and checks its
token."""

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from livekit.api import TokenVerifier

from entrypoints.settings import DEV_LIVEKIT
from tests.browser.conftest import OUTPUT
from tests.support.live import LiveServer, base_env
from tests.support.livekit_signal import REFUSAL, SignalStandIn
from tests.support.prometheus import sample

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]
DRIVER = Path(__file__).with_name("drive_demo.mjs")
SCREENSHOT = OUTPUT / "demo-call.png"


@dataclass(frozen=True)
class DemoCall:
    shown: dict[str, Any]
    server: LiveServer
    standin: SignalStandIn


@pytest.fixture(scope="module")
def demo_call(browser_tools: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCall]:
    """`serve --dev` pointed at the stand-in, and one press of Start call on its /demo page."""
    home = tmp_path_factory.mktemp("dev-home")
    standin = SignalStandIn().start()
    env = base_env(REALTIME_TOKENS_HOME=str(home), LIVEKIT_URL=standin.url)
    server = LiveServer(env, home / "serve.log").start("--dev", "--log-format", "json")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    try:
        done = subprocess.run(
            ["node", str(DRIVER), f"{server.base_url}/demo", str(SCREENSHOT)],
            env={**base_env(), "CHROMIUM": browser_tools},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        yield DemoCall(json.loads(done.stdout), server, standin)
    finally:
        server.stop()
        standin.stop()


@pytest.mark.timeout(300)
def test_start_call_connects_to_livekit_with_a_token_for_the_shown_room(
    demo_call: DemoCall,
) -> None:
    shown, standin = demo_call.shown, demo_call.standin

    token = standin.first_access_token()

    claims = TokenVerifier(DEV_LIVEKIT.api_key, DEV_LIVEKIT.api_secret).verify(token)
    assert standin.paths[0].startswith("/rtc")
    assert claims.video is not None
    assert claims.video.room_join
    assert claims.video.room == shown["room"] == f"webrtc_{shown['call']}"
    assert claims.identity == f"caller_{shown['call']}"
    assert claims.room_config is not None
    assert [agent.agent_name for agent in claims.room_config.agents] == ["demo-agent"]
    assert shown["agents"] == ["Demo voice agent (demo-agent)"]
    assert shown["server"] == standin.url
    assert shown["expires"].endswith("Z")
    assert REFUSAL in shown["error"], shown
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


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
