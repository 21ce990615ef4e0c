"""Issue 16.1, around the parametrized proof (test_unreadable_documents.py): its list of
required fields is each reader's own, the other collections a request reads are refused
alike, a dispatch-name row without a holder is neither fatal nor given away, and a page whose
last document is unreadable still leads to the next."""

from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.unreadable import UnreadableDocuments
from domain.epoch import from_epoch_millis
from domain.errors import UnreadableRecord
from entrypoints.dev_seed import demo_origins, ensure_demo
from entrypoints.storage import MongoStorage
from tests.integration.test_unreadable_documents import REQUIRED
from tests.support.http import assert_problem, bearer
from tests.support.two_of_everything import seed_two_of_everything, service_container, serving

pytestmark = pytest.mark.integration
Db = AsyncDatabase[dict[str, Any]]


async def test_the_required_fields_are_exactly_the_ones_each_reader_cannot_do_without(
    own_mongo_uri: str, own_db: Db
) -> None:
    seeded = await seed_two_of_everything(own_mongo_uri, own_db)
    storage = MongoStorage(
        db=providers.Object(own_db), unreadable=providers.Object(UnreadableDocuments())
    )
    needed: dict[str, list[str]] = {}
    for collection in REQUIRED:
        reader = getattr(storage, collection)()._read  # the storage group names them alike
        stored = await own_db[collection].find_one({"_id": seeded.ids[collection][1]})
        assert stored is not None
        for field in sorted(set(stored) - {"_id"}):
            try:
                reader.one({name: value for name, value in stored.items() if name != field})
            except UnreadableRecord:
                needed.setdefault(collection, []).append(field)

    assert needed == {collection: sorted(fields) for collection, fields in REQUIRED.items()}


async def test_a_dispatch_name_row_without_a_holder_is_reported_and_not_given_away(
    own_mongo_uri: str, own_db: Db
) -> None:
    seeded = await seed_two_of_everything(own_mongo_uri, own_db)
    await own_db["dispatch_names"].insert_one({"_id": "orphaned", "released_at": None})
    container = service_container(own_mongo_uri, own_db.name)

    async with serving(container) as client:
        created = await client.post(
            "/v1/agents",
            json={"name": "Orphan", "dispatch_name": "orphaned"},
            headers=bearer(seeded.key),
        )
        metrics = (await client.get("/metrics")).text

    assert_problem(created, 409, "dispatch_name_taken")
    assert 'realtime_tokens_unreadable_documents_total{collection="dispatch_names"} 1.0' in metrics


@pytest.mark.parametrize("collection", ["tenants", "idempotency_keys"])
async def test_the_other_records_a_request_reads_are_500_when_unreadable(
    collection: str, own_mongo_uri: str, own_db: Db
) -> None:
    seeded = await seed_two_of_everything(own_mongo_uri, own_db)
    agent_id = seeded.ids["agents"][0]
    once = {**bearer(seeded.key), "idempotency-key": "order-1"}
    container = service_container(own_mongo_uri, own_db.name)

    async with serving(container) as client:
        if collection == "tenants":
            await own_db["tenants"].update_one({"_id": seeded.tenant_id}, {"$unset": {"name": ""}})
            refused = await client.post("/v1/agents", json={"name": "New"}, headers=once)
        else:
            body = {"agent_id": agent_id}
            first = await client.post("/v1/realtime/token", json=body, headers=once)
            assert first.status_code == 200, first.text
            await own_db["idempotency_keys"].update_many({}, {"$unset": {"fingerprint": ""}})
            refused = await client.post("/v1/realtime/token", json=body, headers=once)

    assert_problem(refused, 500, "unreadable_record")


async def test_a_page_ending_on_an_unreadable_document_leads_to_the_next(
    own_mongo_uri: str, own_db: Db
) -> None:
    seeded = await seed_two_of_everything(own_mongo_uri, own_db)
    readable, newer = seeded.ids["agents"]
    await own_db["agents"].update_one({"_id": newer}, {"$unset": {"created_at": ""}})
    container = service_container(own_mongo_uri, own_db.name)

    key = bearer(seeded.key)
    async with serving(container) as client:
        first = (await client.get("/v1/agents?limit=1", headers=key)).json()
        cursor = first["next_cursor"]
        following = await client.get(f"/v1/agents?limit=1&cursor={cursor}", headers=key)

    assert first["data"] == []
    assert [agent["id"] for agent in following.json()["data"]] == [readable]


async def test_an_unreadable_agent_or_webhook_endpoint_can_still_be_deleted(
    own_mongo_uri: str, own_db: Db
) -> None:
    seeded = await seed_two_of_everything(own_mongo_uri, own_db)
    agent, endpoint = seeded.ids["agents"][1], seeded.ids["webhook_endpoints"][1]
    await own_db["agents"].update_one({"_id": agent}, {"$unset": {"name": ""}})
    await own_db["webhook_endpoints"].update_one({"_id": endpoint}, {"$unset": {"url": ""}})
    container = service_container(own_mongo_uri, own_db.name)

    key = bearer(seeded.key)
    async with serving(container) as client:
        deleted = [
            await client.delete(f"/v1/agents/{agent}", headers=key),
            await client.delete(f"/v1/webhook-endpoints/{endpoint}", headers=key),
        ]
        gone = [
            await client.get(f"/v1/agents/{agent}", headers=key),
            await client.get(f"/v1/webhook-endpoints/{endpoint}", headers=key),
        ]

    assert [answer.status_code for answer in deleted] == [204, 204]
    assert [answer.status_code for answer in gone] == [404, 404]


@pytest.mark.parametrize("collection", ["agents", "api_keys", "publishable_keys"])
async def test_serve_dev_replaces_a_demo_record_it_cannot_read(
    collection: str, own_mongo_uri: str, own_db: Db, tmp_path: Path
) -> None:
    state = tmp_path / "demo.json"
    origins = demo_origins("127.0.0.1", 8000)
    container = service_container(own_mongo_uri, own_db.name)
    async with serving(container):
        before = await ensure_demo(container, state, origins)
    await own_db[collection].update_many(
        {"tenant_id": before.tenant_id}, {"$unset": {"created_at": ""}}
    )

    restarted = service_container(own_mongo_uri, own_db.name)
    async with serving(restarted) as client:
        after = await ensure_demo(restarted, state, origins)
        issued = await client.post(
            "/v1/realtime/token", json={"agent_id": after.agent_id}, headers=bearer(after.api_key)
        )

    assert after != before
    assert issued.status_code == 200, issued.text


async def test_the_backlog_gauge_reads_past_a_pending_delivery_without_its_creation_time(
    own_mongo_uri: str, own_db: Db
) -> None:
    seeded = await seed_two_of_everything(own_mongo_uri, own_db)
    readable, other = seeded.ids["webhook_deliveries"]
    await own_db["webhook_deliveries"].update_one({"_id": other}, {"$unset": {"created_ms": ""}})
    stored = await own_db["webhook_deliveries"].find_one({"_id": readable})
    assert stored is not None
    storage = MongoStorage(
        db=providers.Object(own_db), unreadable=providers.Object(UnreadableDocuments())
    )

    oldest = await storage.webhook_deliveries().oldest_pending()

    assert oldest == from_epoch_millis(stored["created_ms"])
