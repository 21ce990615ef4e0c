"""Issue 16.1 as it was reported: one `agents` document the service did not write (no
`dispatch_name`, as an earlier version or a hand-made fix leaves it) stopped `serve` and every
CLI command at start-up with a KeyError. Both now start, serve and report the one document."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from tests.support.live import LiveServer, cli, cli_json, service_env
from tests.support.mongo import mongo_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def mongo_uri(tmp_path: Path) -> Iterator[str]:
    """A MongoDB of this test's own: the foreign document must not reach other tests' live
    servers (nx-27017 shares collections across database names), nor theirs this one."""
    with mongo_server(tmp_path / "own-mongo") as (uri, _kind):
        yield uri


def test_serve_and_the_cli_start_with_an_agent_document_they_did_not_write(
    mongo_uri: str, tmp_path: Path
) -> None:
    database = f"foreign_{uuid.uuid4().hex[:12]}"
    foreign = str(uuid.uuid4())
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    try:
        client[database]["agents"].insert_one({"_id": foreign, "tenant_id": "t", "name": "x"})
    finally:
        client.close()
    env = service_env(
        tmp_path,
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=database,
        WEBHOOK_POLL_SECONDS="0.2",
        SWEEP_INTERVAL_SECONDS="0.2",
    )

    tenant = cli_json(env, "tenants", "create", "Acme")
    listed = cli(env, "agents", "list", "t", "--json")
    server = LiveServer(env, tmp_path / "server.log").start()
    try:
        ready = httpx.get(f"{server.base_url}/readyz", timeout=5)
        metrics = httpx.get(f"{server.base_url}/metrics", timeout=5).text
    finally:
        server.stop()

    assert tenant["name"] == "Acme"
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"agents": []}, "the unreadable agent is left out"
    assert f"agents document {foreign}" in listed.stderr, "the CLI's log names it"
    assert ready.status_code == 200, ready.text
    assert 'realtime_tokens_unreadable_documents_total{collection="agents"} 1.0' in metrics
    assert f"agents document {foreign}" in server.output()
