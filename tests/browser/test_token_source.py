"""A customer's page with no backend: the real livekit-client in headless Chromium, served
from an origin of its own, gets a token with `TokenSource.endpoint` and a publishable key,
and connects with it (to a stand-in for LiveKit's signalling that checks the token); the
same page from an origin the key does not allow gets no token (issue 12)."""

import http.server
import json
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from livekit.api import TokenVerifier

from adapters.embedded_mongo import free_port
from tests.browser.conftest import DEMO_WEB
from tests.support.live import LiveServer, base_env, cli_json
from tests.support.livekit_signal import SignalStandIn
from tests.support.mongo import mongo_server
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.browser
HERE = Path(__file__).parent
DRIVER = HERE / "drive_token_source.mjs"
PAGE = "token_source_page.html"
LIVEKIT_CLIENT = DEMO_WEB / "node_modules" / "livekit-client" / "dist" / "livekit-client.umd.js"


class _PageServer(http.server.SimpleHTTPRequestHandler):
    """The customer's page, and livekit-client's UMD build beside it."""

    def translate_path(self, path: str) -> str:
        if path.startswith("/livekit-client.umd.js"):
            return str(LIVEKIT_CLIENT)
        return str(HERE / PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def page_origins() -> Iterator[tuple[str, str]]:
    """Two origins serving the same page: one the key allows, one it does not."""
    servers = []
    for _ in range(2):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _PageServer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    allowed, other = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
    yield allowed, other
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A MongoDB of this module's own: the live server's relay and sweeper run in the
    background, and nx-27017 shares one set of collections across database names."""
    with mongo_server(tmp_path_factory.mktemp("token-source-mongo")) as (uri, _kind):
        yield uri


@pytest.fixture(scope="module")
def service(
    mongo_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, SignalStandIn, dict[str, str]]]:
    standin = SignalStandIn().start()
    home = tmp_path_factory.mktemp("home")
    env = base_env(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=f"browser_{free_port()}",
        LIVEKIT_URL=standin.url,
        LIVEKIT_API_KEY=TEST_LIVEKIT.api_key,
        LIVEKIT_API_SECRET=TEST_LIVEKIT.api_secret,
        REALTIME_TOKENS_HOME=str(home),
    )
    server = LiveServer(env, home / "serve.log").start()
    yield server, standin, env
    server.stop()
    standin.stop()


def _start_call(browser_tools: str, page: str, endpoint: str, key: str, agent: str) -> Any:
    done = subprocess.run(
        ["node", str(DRIVER), f"{page}/{PAGE}", endpoint, key, agent],
        env={**base_env(), "CHROMIUM": browser_tools},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.timeout(300)
def test_a_page_with_no_backend_calls_an_agent_from_its_own_origin_only(
    browser_tools: str,
    page_origins: tuple[str, str],
    service: tuple[LiveServer, SignalStandIn, dict[str, str]],
) -> None:
    allowed, other = page_origins
    server, standin, env = service
    # nx-27017 keeps one set of collections for every database name: a name of its own keeps
    # this agent's dispatch name from meeting another test's.
    desk = f"desk-{uuid.uuid4().hex[:8]}"
    tenant = cli_json(env, "tenants", "create", "Shop")
    agent = cli_json(env, "agents", "create", tenant["id"], "Front desk", "--dispatch-name", desk)
    key = cli_json(env, "publishable-keys", "create", tenant["id"], "--origin", allowed)["key"]
    endpoint = f"{server.base_url}/v1/livekit/token"

    refused = _start_call(browser_tools, other, endpoint, key, desk)
    assert refused["fetched"] is False
    assert standin.paths == []

    outcome = _start_call(browser_tools, allowed, endpoint, key, desk)

    assert outcome["fetched"] is True, outcome
    claims = TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret).verify(
        standin.first_access_token()
    )
    attributes = claims.attributes or {}
    assert claims.video is not None
    assert claims.video.room == outcome["roomName"]
    assert claims.name == "Ada"
    assert claims.identity == f"caller_{attributes['call_id']}"
    assert claims.room_config is not None
    assert [a.agent_name for a in claims.room_config.agents] == [desk]
    assert attributes["agent_id"] == agent["id"]
    secret = cli_json(env, "api-keys", "create", tenant["id"])["key"]
    calls = httpx.get(
        f"{server.base_url}/v1/calls", headers={"authorization": f"Bearer {secret}"}
    ).json()["data"]
    assert [call["id"] for call in calls] == [attributes["call_id"]]
