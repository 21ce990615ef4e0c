"""The operator's terminal is not the tenant's to write to (issue 20, item 6): whatever the CLI
prints from stored data goes through printable(), a URL stored with escapes included."""

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from adapters.mongo.client import create_client
from adapters.mongo.webhook_endpoints import MongoWebhookEndpointRepository
from domain.webhook_endpoint import WebhookEndpoint
from entrypoints.cli import main

pytestmark = pytest.mark.integration
ESCAPES = "\u001b]0;owned\u0007\u001b[2J\u009b31m\u202e"


async def _store(uri: str, database: str, endpoint: WebhookEndpoint) -> None:
    client = create_client(uri)
    try:
        await MongoWebhookEndpointRepository(client[database]).add(endpoint)
    finally:
        await client.close()


async def _drop(uri: str, database: str) -> None:
    client = create_client(uri)
    try:
        await client.drop_database(database)
    finally:
        await client.close()


def test_stored_webhook_urls_are_listed_without_their_terminal_escapes(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"cli_{uuid.uuid4().hex[:12]}"
    tenant_id = f"tenant-{uuid.uuid4().hex[:8]}"
    registered = WebhookEndpoint.register(
        tenant_id, "https://hooks.example.com/", (), datetime.now(UTC), allow_private=False
    )
    poisoned = dataclasses.replace(
        registered, url=f"https://hooks.example.com/{ESCAPES}", description=ESCAPES
    )
    asyncio.run(_store(mongo_uri, database, poisoned))
    monkeypatch.setenv("MONGODB_URI", mongo_uri)
    monkeypatch.setenv("MONGODB_DATABASE", database)
    try:
        listed = CliRunner().invoke(main, ["webhook-endpoints", "list", tenant_id])
        as_json = CliRunner().invoke(main, ["webhook-endpoints", "list", tenant_id, "--json"])
    finally:
        asyncio.run(_drop(mongo_uri, database))

    assert listed.exit_code == 0, listed.output
    assert poisoned.id in listed.output
    assert "https://hooks.example.com/\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202e" in listed.output
    for output in (listed.output, as_json.output):
        assert not any(c in output for c in "\x1b\x07\x9b\u202e")
