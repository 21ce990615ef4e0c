"""Publishable keys over real HTTP and MongoDB: their lifecycle, another tenant on every route,
refusals that write nothing, and a key that never shows up where it should not."""

import re
import uuid
from typing import Any

import httpx
import pytest
from pymongo.database import Database

from tests.e2e.conftest import Tenant
from tests.support.http import assert_problem, bearer
from tests.support.live import LiveServer

pytestmark = pytest.mark.e2e
Db = Database[dict[str, Any]]
KEYS = "/v1/publishable-keys"
SHOP = "https://shop.example.com"


def _create(http: httpx.Client, tenant: Tenant, **body: Any) -> dict[str, Any]:
    created = http.post(KEYS, json={"origins": [SHOP], **body}, headers=bearer(tenant.api_key))
    assert created.status_code == 201, created.text
    answer: dict[str, Any] = created.json()
    return answer


def test_a_key_lives_through_create_list_and_revoke(
    http: httpx.Client, acme: Tenant, db: Db, server: LiveServer
) -> None:
    key = _create(http, acme, agents=[acme.dispatch_name], description="shop front")

    stored = db.publishable_keys.find_one({"_id": key["id"]})
    assert stored is not None
    assert stored["tenant_id"] == acme.id
    assert stored["origins"] == [SHOP]
    assert stored["agents"] == [acme.dispatch_name]
    assert key["key"] not in str(stored), "only the key's hash is stored"

    listed = http.get(KEYS, params={"limit": 100}, headers=bearer(acme.api_key))
    assert key["id"] in [k["id"] for k in listed.json()["data"]]
    assert key["key"] not in listed.text

    assert http.delete(f"{KEYS}/{key['id']}", headers=bearer(acme.api_key)).status_code == 204
    revoked = db.publishable_keys.find_one({"_id": key["id"]})
    assert revoked is not None
    assert revoked["revoked_at"] is not None
    assert key["key"][5:] not in server.output(), "the key never reaches the logs"


def test_another_tenants_key_cannot_be_revoked_and_answers_like_a_missing_one(
    http: httpx.Client, acme: Tenant, globex: Tenant, db: Db
) -> None:
    theirs = _create(http, globex)
    foreign = http.delete(f"{KEYS}/{theirs['id']}", headers=bearer(acme.api_key))
    missing = http.delete(f"{KEYS}/{uuid.uuid4()}", headers=bearer(acme.api_key))

    for answer in (foreign, missing):
        assert_problem(answer, 404, "publishable_key_not_found")
    assert foreign.json()["detail"] == missing.json()["detail"]
    mine = http.get(KEYS, params={"limit": 100}, headers=bearer(acme.api_key)).json()["data"]
    assert theirs["id"] not in [k["id"] for k in mine]
    stored = db.publishable_keys.find_one({"_id": theirs["id"]})
    assert stored is not None
    assert stored["revoked_at"] is None


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ({"origins": ["https://*.com"]}, "acme", 400, "invalid_origin"),
        ({"origins": []}, "acme", 400, "invalid_origin"),
        ({"origins": [SHOP], "tenant_id": "x"}, "acme", 400, "invalid_request"),
        ({"origins": [SHOP], "agents": ["globex-agent"]}, "acme", 404, "agent_not_found"),
        ({"origins": [SHOP]}, "none", 401, "unauthenticated"),
        ({"origins": [SHOP]}, "publishable", 401, "unauthenticated"),
    ],
)
def test_refusals_write_nothing(
    http: httpx.Client,
    acme: Tenant,
    globex: Tenant,
    db: Db,
    body: dict[str, Any],
    headers: str,
    status: int,
    code: str,
) -> None:
    publishable = _create(http, acme)["key"]
    credentials = {
        "acme": bearer(acme.api_key),
        "none": {},
        "publishable": bearer(publishable),
    }[headers]
    before = db.publishable_keys.count_documents({})
    assert_problem(http.post(KEYS, json=body, headers=credentials), status, code)
    assert db.publishable_keys.count_documents({}) == before


def test_a_publishable_key_is_401_on_every_route_exactly_like_an_unknown_key(
    http: httpx.Client, acme: Tenant, db: Db
) -> None:
    publishable = _create(http, acme)["key"]
    unknown = "rtk_" + "A" * 43
    schema = http.get("/schema/openapi.json").json()
    operations = [
        (method, re.sub(r"\{[a-z_]+\}", acme.agent_id, path))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation.get("security") == [{"bearerAuth": []}] and path != "/v1/livekit/token"
    ]
    calls_before = db.calls.count_documents({})

    for method, path in operations:
        answers = [
            http.request(method, path, json={"agent_id": acme.agent_id}, headers=bearer(key))
            for key in (publishable, unknown)
        ]
        problems = [assert_problem(a, 401, "unauthenticated") for a in answers]
        assert problems[0]["detail"] == problems[1]["detail"], path
        assert answers[0].headers["www-authenticate"] == answers[1].headers["www-authenticate"]
    assert len(operations) >= 10
    assert db.calls.count_documents({}) == calls_before
