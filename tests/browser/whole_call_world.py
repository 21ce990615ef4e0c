"""The world of a whole call: the service as deployed (`realtime-tokens serve`, a MongoDB of
its own), a LiveKit under test whose webhooks reach the service, a tenant whose webhook
endpoint is a loopback receiver verifying Standard Webhooks signatures, and the page."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from tests.browser.livekit_under_test import LiveKitUnderTest
from tests.support.live import LiveServer, base_env, cli_json
from tests.support.tenant_receiver import TenantReceiver, receiving


@contextmanager
def watching_statuses(world: "World", tenant: "Tenant") -> Iterator[dict[str, list[str]]]:
    """Each of the tenant's calls' statuses as MongoDB held them, polled every 20 ms while
    the block runs: the history a call went through."""
    seen: dict[str, list[str]] = {}
    stop = threading.Event()

    def poll() -> None:
        client: MongoClient[dict[str, Any]] = MongoClient(world.mongo_uri)
        try:
            while not stop.is_set():
                for call in client[world.database]["calls"].find({"tenant_id": tenant.id}):
                    history = seen.setdefault(call["_id"], [])
                    if not history or history[-1] != call["status"]:
                        history.append(call["status"])
                stop.wait(0.02)
        finally:
            client.close()

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(5)


@dataclass
class Tenant:
    id: str
    secret_key: str
    publishable_key: str
    receiver: TenantReceiver


@dataclass
class World:
    service: LiveServer
    livekit: LiveKitUnderTest
    env: dict[str, str]
    mongo_uri: str
    database: str
    hook_url: str
    receiver: TenantReceiver

    def tenant(self, origin: str) -> Tenant:
        """A tenant with a secret key, a publishable key for `origin` and its webhook
        endpoint on the receiver (the CLI is slow to start: the rest goes over HTTP)."""
        tenant = cli_json(self.env, "tenants", "create", f"Shop {uuid.uuid4().hex[:6]}")
        secret = cli_json(self.env, "api-keys", "create", tenant["id"])["key"]
        publishable = self._post(secret, "/v1/publishable-keys", {"origins": [origin]})["key"]
        endpoint = self._post(secret, "/v1/webhook-endpoints", {"url": self.hook_url})
        self.receiver.secrets.append(endpoint["secret"])
        return Tenant(tenant["id"], secret, publishable, self.receiver)

    def agent(self, tenant: Tenant, dispatch_name: str) -> str:
        """An agent of that dispatch name (unique: nx-27017 shares collections across
        databases); its id."""
        body = {"name": dispatch_name, "dispatch_name": dispatch_name}
        agent_id: str = self._post(tenant.secret_key, "/v1/agents", body)["id"]
        return agent_id

    def _post(self, secret: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.service.base_url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {secret}"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def seed_token(self, tenant: Tenant, agent_id: str) -> dict[str, Any]:
        """What the customer's backend does: the seed route with the secret key."""
        answer = httpx.post(
            f"{self.service.base_url}/v1/realtime/token",
            json={"agent_id": agent_id},
            headers={"Authorization": f"Bearer {tenant.secret_key}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def call(self, tenant: Tenant, call_id: str) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.service.base_url}/v1/calls/{call_id}",
            headers={"Authorization": f"Bearer {tenant.secret_key}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def wait_for_status(
        self, tenant: Tenant, call_id: str, status: str, timeout: float = 15
    ) -> None:
        deadline = time.monotonic() + timeout
        while self.call(tenant, call_id)["status"] != status and time.monotonic() < deadline:
            time.sleep(0.05)

    def stored_call(self, call_id: str) -> dict[str, Any] | None:
        client: MongoClient[dict[str, Any]] = MongoClient(self.mongo_uri)
        try:
            return client[self.database]["calls"].find_one({"_id": call_id})
        finally:
            client.close()

    def calls_of(self, tenant: Tenant) -> list[dict[str, Any]]:
        client: MongoClient[dict[str, Any]] = MongoClient(self.mongo_uri)
        try:
            return list(client[self.database]["calls"].find({"tenant_id": tenant.id}))
        finally:
            client.close()


@contextmanager
def serving(livekit: LiveKitUnderTest, mongo_uri: str, home: Path) -> Iterator[World]:
    receiver = TenantReceiver()
    with receiving(receiver) as hook_url:
        database = f"whole_call_{uuid.uuid4().hex[:8]}"
        env = base_env(
            MONGODB_URI=mongo_uri,
            MONGODB_DATABASE=database,
            LIVEKIT_URL=livekit.url,
            LIVEKIT_API_KEY=livekit.api_key,
            LIVEKIT_API_SECRET=livekit.api_secret,
            REALTIME_TOKENS_HOME=str(home),
            WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
            WEBHOOK_POLL_SECONDS="0.2",
            WEBHOOK_RETRY_SECONDS="0.2",
        )
        service = LiveServer(env, home / "serve.log")
        if livekit.service_port is not None:
            service.port = livekit.service_port
            service.base_url = f"http://127.0.0.1:{service.port}"
        service.start()
        livekit.send_webhooks_to(f"{service.base_url}/v1/livekit/webhook")
        try:
            yield World(service, livekit, env, mongo_uri, database, hook_url, receiver)
        finally:
            service.stop()


def room_of(seen: Any) -> str:
    [token] = [e for e in seen["log"] if e["kind"] == "token"]
    room: str = token["room"]
    return room


def as_json(value: Any) -> str:
    return json.dumps(value, indent=1, default=str)[:4000]
