"""Issue 16.1: a stored document without one of the fields this version needs is one bad
record. For each collection read at start-up or on a hot path, and each field its reader
requires: the service starts (indexes, dispatch-name registry), its passes run (subscribers,
relay, claims), listings leave the document out, a direct read of it is 500
`unreadable_record`, the metric counts it once and one log line names its collection and
`_id`, never its content. Mongo only: a fake cannot hold a document it did not write."""

import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from adapters.clock import SystemClock
from entrypoints.container import Container
from tests.fakes.clock import FrozenClock
from tests.support.http import assert_problem, bearer
from tests.support.two_of_everything import (
    SITE,
    Seeded,
    seed_two_of_everything,
    service_container,
    serving,
)

pytestmark = pytest.mark.integration
# What each collection's reader needs (the other fields it writes may be missing): the
# fields a direct read queries by make that read find nothing rather than fail.
REQUIRED = {
    "agents": ["tenant_id", "name", "dispatch_name", "created_at"],
    "api_keys": ["tenant_id", "key_hash", "hint", "created_at"],
    "publishable_keys": [
        *("tenant_id", "key_hash", "hint", "origins", "agents", "allow_native", "created_at")
    ],
    "webhook_endpoints": ["tenant_id", "url", "events", "secret", "created_at"],
    "calls": [
        *("tenant_id", "agent_id", "type", "status", "room_name", "participant_identity"),
        *("metadata", "created_at", "expires_at"),
    ],
    "webhook_deliveries": [
        *("tenant_id", "event_id", "endpoint_id", "event_type", "body", "created_at", "status")
    ],
}
QUERIED_BY = {"api_keys": "key_hash", "publishable_keys": "key_hash"}  # else tenant_id
SECRET_FIELDS = ("key_hash", "secret", "body", "metadata")
CASES = [(collection, field) for collection, fields in REQUIRED.items() for field in fields]


async def _listed(client: httpx.AsyncClient, container: Container, s: Seeded, c: str) -> set[str]:
    if c == "api_keys":
        return {key.id for key in await container.list_api_keys()(s.tenant_id)}
    path = {
        "agents": "/v1/agents",
        "publishable_keys": "/v1/publishable-keys",
        "webhook_endpoints": "/v1/webhook-endpoints",
        "calls": "/v1/calls",
    }.get(c)
    if path is None:  # the deliveries of both endpoints
        endpoints = s.ids["webhook_endpoints"]
        listed = [
            await client.get(f"/v1/webhook-endpoints/{e}/deliveries", headers=bearer(s.key))
            for e in endpoints
        ]
        found = [
            f"{d['event_id']}:{e}"
            for e, r in zip(endpoints, listed, strict=True)
            for d in r.json()["data"]
        ]
        return set(found)
    listed_once = await client.get(path, headers=bearer(s.key))
    assert listed_once.status_code == 200, listed_once.text
    return {item["id"] for item in listed_once.json()["data"]}


async def _read_directly(client: httpx.AsyncClient, s: Seeded, c: str) -> list[httpx.Response]:
    victim = s.ids[c][1]
    key = bearer(s.key)
    if c == "agents":
        return [
            await client.get(f"/v1/agents/{victim}", headers=key),
            await client.post("/v1/realtime/token", json={"agent_id": victim}, headers=key),
        ]
    if c == "api_keys":
        return [await client.post("/v1/realtime/token", json={}, headers=bearer(s.secret_key))]
    if c == "publishable_keys":
        site = {**bearer(s.publishable), "origin": SITE}
        return [await client.post("/v1/livekit/token", json={}, headers=site)]
    if c == "webhook_endpoints":
        return [await client.get(f"/v1/webhook-endpoints/{victim}", headers=key)]
    if c == "calls":
        return [await client.get(f"/v1/calls/{victim}", headers=key)]
    endpoint = s.ids["webhook_endpoints"][1]
    path = f"/v1/webhook-endpoints/{endpoint}/deliveries/{s.victim_event}/retry"
    return [await client.post(path, headers=key)]


@pytest.mark.parametrize(("collection", "missing"), CASES)
async def test_a_document_missing_a_required_field_is_one_bad_record(
    collection: str,
    missing: str,
    own_mongo_uri: str,
    own_db: AsyncDatabase[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = own_db
    seeded = await seed_two_of_everything(own_mongo_uri, db)
    readable, victim = seeded.ids[collection]
    original = await db[collection].find_one({"_id": victim})
    assert original is not None
    assert missing in original
    await db[collection].update_one({"_id": victim}, {"$unset": {missing: ""}})
    clock = FrozenClock(SystemClock().now() + timedelta(hours=1))  # every delivery is due
    container = service_container(own_mongo_uri, db.name, clock)

    with caplog.at_level(logging.INFO):
        async with serving(container) as client:  # start-up passes
            await container.webhook_subscribers().refresh()
            await container.announce_call_events()()
            first = await container.claim_due_deliveries()(64)
            clock.advance(timedelta(hours=1))  # every lease of the first claims has ended
            second = await container.claim_due_deliveries()(64)
            to_victim = seeded.ids["webhook_deliveries"][1]  # in the endpoints' case, to it
            attempts = [await container.attempt_delivery()(d) for d in first if d.id == to_victim]
            listed = await _listed(client, container, seeded, collection)
            direct = await _read_directly(client, seeded, collection)
            again = await _read_directly(client, seeded, collection)
            metrics = (await client.get("/metrics")).text

    assert readable in listed
    assert victim not in listed
    queried_by = QUERIED_BY.get(collection, "tenant_id")
    for answer in direct + again:
        if missing == queried_by:  # nothing found by it: the answer to a missing record
            assert answer.status_code in {401, 404}, answer.text
        else:
            assert_problem(answer, 500, "unreadable_record")
    counted = f'realtime_tokens_unreadable_documents_total{{collection="{collection}"}} 1.0'
    assert counted in metrics, "counted once, however often it was read"
    told = [r for r in caplog.records if f"{collection} document {victim} " in r.getMessage()]
    assert len(told) == 1, "logged once, however often it was read"
    assert f"no field '{missing}'" in told[0].getMessage()
    for name in SECRET_FIELDS:
        if isinstance(value := original.get(name), str):
            assert value not in caplog.text, f"{name} reached the log"
    claimed = [d.id for d in first + second]
    assert victim not in claimed, "an unreadable delivery is never handed to a sender"
    left = await db[collection].find_one({"_id": victim})
    assert left is not None, "nothing is deleted"
    if collection == "webhook_deliveries":
        assert readable in claimed
        assert left.get("status") in {None, "failed"}, "set aside: not claimed again"
    if collection == "calls":
        assert left["outbox_n"] == 0, "set aside: not relayed again"
    if collection == "webhook_endpoints":  # its delivery: a failed attempt, retried later
        assert [(a.status.value, a.attempts[-1].error) for a in attempts] == [
            ("pending", "endpoint unreadable")
        ]
