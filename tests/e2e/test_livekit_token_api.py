"""LiveKit's standard token endpoint over real HTTP and MongoDB: a publishable key's whole
life on it, the sandbox path, refusals that write nothing, and the per-address share of a
publishable key behind a trusted proxy (issue 12)."""

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pymongo.database import Database

from tests.e2e.conftest import CACHE_TTL_SECONDS, Tenant
from tests.support.http import assert_problem, bearer
from tests.support.live import LiveServer

pytestmark = pytest.mark.e2e
Db = Database[dict[str, Any]]
TOKEN = "/v1/livekit/token"
SANDBOX = "/api/v2/sandbox/connection-details"
SHOP = "https://shop.example.com"


def _publishable(http: httpx.Client, tenant: Tenant, **body: Any) -> dict[str, Any]:
    created = http.post(
        "/v1/publishable-keys", json={"origins": [SHOP], **body}, headers=bearer(tenant.api_key)
    )
    assert created.status_code == 201, created.text
    key: dict[str, Any] = created.json()
    return key


def _sdk_body(tenant: Tenant, **more: Any) -> dict[str, Any]:
    dispatch = {"agent_name": tenant.dispatch_name, "metadata": '{"plan": "pro"}'}
    return {"participant_name": "Ada", "room_config": {"agents": [dispatch]}, **more}


def _calls(db: Db, tenant: Tenant) -> int:
    return db.calls.count_documents({"tenant_id": tenant.id})


def test_a_publishable_key_starts_calls_from_its_origin_until_it_is_revoked(
    http: httpx.Client, acme: Tenant, db: Db
) -> None:
    key = _publishable(http, acme)
    headers = {**bearer(key["key"]), "origin": SHOP}

    issued = http.post(TOKEN, json=_sdk_body(acme), headers=headers)

    assert issued.status_code == 201, issued.text
    assert issued.headers["access-control-allow-origin"] == SHOP
    call = db.calls.find_one({"_id": issued.json()["call_id"]})
    assert call is not None
    assert call["status"] == "queued"
    assert call["type"] == "webrtc"
    assert call["metadata"] == {"plan": "pro", "type": "webrtc"}
    assert call["created_by"] == {"key_id": key["id"], "key_kind": "publishable"}
    assert call["room_name"] == issued.json()["room_name"]

    revoked = http.delete(f"/v1/publishable-keys/{key['id']}", headers=bearer(acme.api_key))
    assert revoked.status_code == 204
    time.sleep(CACHE_TTL_SECONDS + 0.2)
    before = _calls(db, acme)
    assert_problem(http.post(TOKEN, json=_sdk_body(acme), headers=headers), 401, "unauthenticated")
    assert _calls(db, acme) == before


def test_the_sandbox_path_serves_an_app_written_for_livekits_sandbox(
    http: httpx.Client, acme: Tenant, db: Db
) -> None:
    key = _publishable(http, acme)
    issued = http.post(
        SANDBOX, json=_sdk_body(acme), headers={"x-sandbox-id": key["key"], "origin": SHOP}
    )
    assert issued.status_code == 201, issued.text
    assert db.calls.find_one({"_id": issued.json()["call_id"]}) is not None


@pytest.mark.parametrize(
    ("origin", "body", "status", "code"),
    [
        ("https://evil.example", {}, 403, "origin_not_allowed"),
        (None, {}, 403, "origin_not_allowed"),
        (SHOP, {"room_name": "mine"}, 400, "invalid_request"),
        (SHOP, {"participant_identity": "me"}, 400, "invalid_request"),
    ],
)
def test_every_refusal_writes_nothing(
    http: httpx.Client,
    acme: Tenant,
    db: Db,
    origin: str | None,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    key = _publishable(http, acme)
    before = _calls(db, acme)
    headers = {**bearer(key["key"]), **({"origin": origin} if origin else {})}
    assert_problem(http.post(TOKEN, json=_sdk_body(acme, **body), headers=headers), status, code)
    assert _calls(db, acme) == before


def test_another_tenants_agent_is_404_like_a_missing_one(
    http: httpx.Client, acme: Tenant, globex: Tenant, db: Db
) -> None:
    key = _publishable(http, acme)
    headers = {**bearer(key["key"]), "origin": SHOP}
    before = _calls(db, acme) + _calls(db, globex)
    foreign = http.post(TOKEN, json=_sdk_body(globex), headers=headers)
    assert_problem(foreign, 404, "agent_not_found")
    assert _calls(db, acme) + _calls(db, globex) == before


@pytest.fixture(scope="module")
def proxied(
    env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, LiveServer]]:
    """Two servers with a share of 2 requests a minute per client address: one trusts the
    proxy in front of it (loopback, where the tests run), one trusts no proxy."""
    servers = {}
    for name, trusted in (("trusting", "127.0.0.1"), ("distrusting", "192.0.2.1")):
        servers[name] = LiveServer(
            {**env, "PUBLISHABLE_KEY_RATE_LIMIT_PER_IP": "2", "FORWARDED_ALLOW_IPS": trusted},
            tmp_path_factory.mktemp("logs") / f"{name}.log",
        ).start()
    yield servers
    for server in servers.values():
        server.stop()


def _from(server: LiveServer, key: str, tenant: Tenant, client_ip: str) -> int:
    headers = {**bearer(key), "origin": SHOP, "x-forwarded-for": client_ip}
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        return http.post(TOKEN, json=_sdk_body(tenant), headers=headers).status_code


def test_a_publishable_key_is_shared_per_client_address_behind_a_trusted_proxy(
    http: httpx.Client, acme: Tenant, proxied: dict[str, LiveServer]
) -> None:
    key = _publishable(http, acme)["key"]
    trusting, distrusting = proxied["trusting"], proxied["distrusting"]

    first_client = [_from(trusting, key, acme, "203.0.113.7") for _ in range(3)]
    second_client = _from(trusting, key, acme, "203.0.113.8")
    spoofed = [_from(distrusting, key, acme, f"203.0.113.{n}") for n in range(10, 13)]

    assert first_client == [201, 201, 429]
    assert second_client == 201
    assert spoofed == [201, 201, 429], "X-Forwarded-For from an untrusted peer is ignored"
