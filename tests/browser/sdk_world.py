"""What the SDK's Chromium tests share: the service as deployed (`realtime-tokens serve`, a
MongoDB of its own, LIVEKIT_URL on the stand-in, which posts LiveKit's webhooks back to it), a
tenant with scripted agents, a publishable key for the pages' origin, and the tenant's
webhook endpoint on a loopback receiver that verifies Standard Webhooks signatures."""

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from livekit.api import AccessToken, VideoGrants

from tests.browser.sdk_pages import sdk_pages
from tests.livekit_standin import AgentScript, LiveKitStandIn
from tests.support.live import LiveServer, base_env, cli_json
from tests.support.mongo import mongo_server
from tests.support.tenant_receiver import TenantReceiver, receiving
from tests.support.world import TEST_LIVEKIT

FORGED = "forged"  # the backend answers a token signed with another secret for this agent


@dataclass
class World:
    server: LiveServer
    standin: LiveKitStandIn
    origin: str
    api_key: str
    publishable_key: str
    dispatch_names: dict[str, str]  # the scripts' names → this tenant's agents' dispatch names
    receiver: TenantReceiver

    def page(self, build: str) -> str:
        return f"{self.origin}/{build}.html"

    @property
    def endpoint(self) -> str:
        return f"{self.server.base_url}/v1/livekit/token"

    def call(self, call_id: str) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.server.base_url}/v1/calls/{call_id}",
            headers={"authorization": f"Bearer {self.api_key}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def calls(self) -> list[dict[str, Any]]:
        answer = httpx.get(
            f"{self.server.base_url}/v1/calls",
            params={"limit": 100},
            headers={"authorization": f"Bearer {self.api_key}"},
            timeout=10,
        )
        data: list[dict[str, Any]] = answer.json()["data"]
        return data

    def settle(self, room: str, status: str = "ended", timeout: float = 20) -> dict[str, Any]:
        """Waits for the room to finish and the call to reach `status` (LiveKit's webhooks
        reached the service); returns the call."""
        self.standin.wait_for(lambda: self.standin.finished(room), f"{room} finished", timeout)
        self.standin.wait_webhooks_delivered()
        call_id = room.removeprefix("webrtc_")
        deadline = time.monotonic() + timeout
        while (call := self.call(call_id))["status"] != status and time.monotonic() < deadline:
            time.sleep(0.1)
        return call

    def tenant_events(self, call_id: str, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        found = self.receiver.wait_for(call_id, count, timeout)
        assert not self.receiver.rejected, self.receiver.rejected
        return found


@contextmanager
def sdk_world(home: Path, scripts: Mapping[str, AgentScript]) -> Iterator[World]:
    """`scripts` by name: each becomes an agent of the tenant with a dispatch name of its own,
    which the stand-in plays; the name "ghost" gets an agent no one plays."""
    suffix = uuid.uuid4().hex[:8]
    names = {name: f"{name}-{suffix}" for name in [*scripts, "ghost"]}
    agents = {names[name]: script for name, script in scripts.items()}
    receiver = TenantReceiver()
    with (
        mongo_server(home / "mongo") as (mongo_uri, _kind),
        receiving(receiver) as hook_url,
        LiveKitStandIn(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret, agents) as standin,
    ):
        env = base_env(
            MONGODB_URI=mongo_uri,
            MONGODB_DATABASE=f"sdk_{suffix}",
            LIVEKIT_URL=standin.url,
            LIVEKIT_API_KEY=TEST_LIVEKIT.api_key,
            LIVEKIT_API_SECRET=TEST_LIVEKIT.api_secret,
            REALTIME_TOKENS_HOME=str(home),
            WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
            WEBHOOK_RETRY_SECONDS="0.2",
            WEBHOOK_POLL_SECONDS="0.1",
            RATE_LIMIT_PER_MINUTE="0",
            PUBLISHABLE_KEY_RATE_LIMIT_PER_IP="0",
        )
        tenant = cli_json(env, "tenants", "create", "SDK shop")["id"]
        api_key = cli_json(env, "api-keys", "create", tenant)["key"]
        ids = {
            name: cli_json(env, "agents", "create", tenant, name, "--dispatch-name", dispatch)["id"]
            for name, dispatch in names.items()
        }
        endpoint = cli_json(env, "webhook-endpoints", "create", tenant, hook_url)
        receiver.secrets.append(endpoint["secret"])
        server = LiveServer(env, home / "serve.log").start()
        standin.webhook_url = f"{server.base_url}/v1/livekit/webhook"

        def backend(agent: str) -> dict[str, Any]:
            """The customer's server: the seed route with its secret key."""
            if agent == FORGED:
                forged = AccessToken(TEST_LIVEKIT.api_key, "another-secret-another-secret-xx")
                grants = VideoGrants(room_join=True, room="webrtc_forged")
                token = forged.with_identity("caller_forged").with_grants(grants).to_jwt()
                return {
                    "server_url": standin.url,
                    "client_token": token,
                    "room_name": "webrtc_forged",
                }
            answer = httpx.post(
                f"{server.base_url}/v1/realtime/token",
                json={"agent_id": ids[agent], "metadata": {"from": "sdk test backend"}},
                headers={"Authorization": f"Bearer {api_key}"},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            body: dict[str, Any] = answer.json()
            return body

        try:
            with sdk_pages(backend) as origin:
                key = cli_json(env, "publishable-keys", "create", tenant, "--origin", origin)["key"]
                yield World(server, standin, origin, api_key, key, names, receiver)
        finally:
            server.stop()
