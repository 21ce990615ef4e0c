"""At least once through a crash: a server killed right after a token is issued (before any
relay ran) delivers the call.created event after it restarts."""

import json
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from pymongo import MongoClient
from standardwebhooks import Webhook

from tests.support.live import LiveServer, cli_json, service_env
from tests.support.mongo import mongo_server

pytestmark = pytest.mark.e2e


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], str]]]]:
    received: list[tuple[dict[str, str], str]] = []
    handler = type("Recorder", (_Recorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


@pytest.fixture
def mongo_uri(tmp_path: Path) -> Iterator[str]:
    """A MongoDB of this test's own, not the e2e package's: on nx-27017 every database name
    shares one set of collections, so the package's live servers (their relay polls every
    second, and they refuse plain-http loopback targets) would relay this test's outbox mark
    while the restarted server is still starting, try the receiver, be refused twice and
    put the next attempt 300 s away (the failure seen in a full run on a busy machine)."""
    with mongo_server(tmp_path / "own-mongo") as (uri, _kind):
        yield uri


def test_a_token_issued_just_before_a_crash_is_announced_after_the_restart(
    mongo_uri: str, tmp_path: Path, receiver: tuple[str, list[tuple[dict[str, str], str]]]
) -> None:
    url, received = receiver
    database = f"restart_{uuid.uuid4().hex[:12]}"
    env = service_env(
        tmp_path,
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=database,
        WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
        WEBHOOK_RETRY_SECONDS="0.1",
    )
    tenant = cli_json(env, "tenants", "create", "Acme")
    key = cli_json(env, "api-keys", "create", tenant["id"])["key"]
    desk = f"desk-{uuid.uuid4().hex[:8]}"  # nx-27017 shares collections across databases
    agent = cli_json(env, "agents", "create", tenant["id"], "Desk", "--dispatch-name", desk)
    endpoint = cli_json(env, "webhook-endpoints", "create", tenant["id"], url)
    # The relay runs once at start-up, then not for an hour: the token below is never relayed.
    first = LiveServer({**env, "WEBHOOK_POLL_SECONDS": "3600"}, tmp_path / "first.log").start()
    try:
        issued = httpx.post(
            f"{first.base_url}/v1/realtime/token",
            json={"agent_id": agent["id"]},
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        first.send_signal(signal.SIGKILL)
    finally:
        first.stop()
    assert issued.status_code == 200, issued.text
    assert received == []

    second = LiveServer({**env, "WEBHOOK_POLL_SECONDS": "0.1"}, tmp_path / "second.log").start()
    try:
        deadline = time.monotonic() + 20
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        second.stop()
        attempts = _attempts(mongo_uri, database, tenant["id"])
        _forget_tenant(mongo_uri, database, tenant["id"])

    assert [a["status_code"] for a in attempts] == [204], "sent once, by the restarted server"
    [(headers, body)] = received
    event = Webhook(endpoint["secret"]).verify(body, headers)
    assert event["type"] == "call.created"
    assert event["data"]["id"] == issued.json()["call_id"]
    assert json.loads(body)["data"]["status"] == "queued"


def _attempts(mongo_uri: str, database: str, tenant_id: str) -> list[dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    try:
        [delivery] = client[database]["webhook_deliveries"].find({"tenant_id": tenant_id})
        return list(delivery["attempts"])
    finally:
        client.close()


def _forget_tenant(mongo_uri: str, database: str, tenant_id: str) -> None:
    """This test's documents only: on nx-27017 a dropped database takes every other test's
    collections of the same names with it."""
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    try:
        db = client[database]
        for name in db.list_collection_names():
            db[name].delete_many({"$or": [{"tenant_id": tenant_id}, {"_id": tenant_id}]})
    finally:
        client.close()
