"""The spec's contract, over real HTTP, against a live server and MongoDB."""

import json
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from livekit.api import TokenVerifier
from pymongo.database import Database

from tests.e2e.conftest import CACHE_TTL_SECONDS, Tenant
from tests.support.live import LiveServer, cli_json
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.e2e
PATHS = ["/v1/realtime/token", "/v1/webrtc/token"]
Db = Database[dict[str, Any]]


def _auth(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.api_key}"}


def _calls(db: Db, tenant: Tenant) -> int:
    return db.calls.count_documents({"tenant_id": tenant.id})


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize("path", PATHS)
def test_a_token_joins_the_callers_own_room_and_dispatches_the_agent(
    http: httpx.Client, acme: Tenant, path: str
) -> None:
    response = http.post(
        path,
        json={"agent_id": acme.agent_id, "metadata": {"source": "web-app"}},
        headers=_auth(acme),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["server_url"] == TEST_LIVEKIT.url
    assert body["room_name"] == f"webrtc_{body['call_id']}"
    claims = TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret).verify(
        body["client_token"]
    )
    assert claims.identity == body["participant_identity"]
    assert claims.video is not None
    assert claims.video.room_join
    assert claims.video.room == body["room_name"]
    assert claims.room_config is not None
    assert [a.agent_name for a in claims.room_config.agents] == [acme.dispatch_name]
    assert "web-app" not in body["client_token"]


def test_the_stored_call_is_queued_webrtc_with_the_callers_metadata(
    http: httpx.Client, acme: Tenant, db: Db
) -> None:
    response = http.post(
        PATHS[0],
        json={"agent_id": acme.agent_id, "metadata": {"user_id": "usr_456", "type": "sip"}},
        headers=_auth(acme),
    )
    body = response.json()

    call = db.calls.find_one({"_id": body["call_id"]})

    assert call is not None
    assert call["status"] == "queued"
    assert call["type"] == "webrtc"
    assert call["metadata"] == {"user_id": "usr_456", "type": "webrtc"}
    assert call["tenant_id"] == acme.id
    assert call["agent_id"] == acme.agent_id
    assert call["room_name"] == body["room_name"]
    assert call["participant_identity"] == body["participant_identity"]
    assert call["expires_at"] - call["created_at"] == timedelta(seconds=300)
    assert datetime.fromisoformat(body["expires_at"]) == call["expires_at"]


def test_every_request_gets_a_distinct_room_and_identity(http: httpx.Client, acme: Tenant) -> None:
    bodies = [
        http.post(PATHS[i % 2], json={"agent_id": acme.agent_id}, headers=_auth(acme)).json()
        for i in range(6)
    ]
    assert len({b["room_name"] for b in bodies}) == 6
    assert len({b["participant_identity"] for b in bodies}) == 6
    assert len({b["call_id"] for b in bodies}) == 6


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{}", "agent_id"),
        (b'{"metadata": {}}', "agent_id"),
        (b'{"agent_id": "12345"}', "agent_id"),
        (b'{"agent_id": "550e8400-e29b-41d4-a716-446655440000", "metadata": [1]}', "metadata"),
        (b"{malformed", "body"),
        (b"", "body"),
    ],
)
def test_invalid_payloads_are_400_and_write_nothing(
    http: httpx.Client, acme: Tenant, db: Db, content: bytes, field: str
) -> None:
    before = _calls(db, acme)
    response = http.post(
        PATHS[0], content=content, headers={**_auth(acme), "content-type": "application/json"}
    )
    body = _problem(response, 400, "invalid_request")
    assert body["errors"][0]["field"] == field
    assert _calls(db, acme) == before


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Token abc", "Bearer rtk_not-a-real-key", "Bearer rtk_" + "x" * 43],
)
def test_missing_malformed_or_unknown_keys_are_401(
    http: httpx.Client, acme: Tenant, db: Db, authorization: str | None
) -> None:
    before = _calls(db, acme)
    headers = {} if authorization is None else {"Authorization": authorization}
    response = http.post(PATHS[0], json={"agent_id": acme.agent_id}, headers=headers)
    _problem(response, 401, "unauthenticated")
    assert _calls(db, acme) == before


def test_a_revoked_key_stops_working_within_the_cache_ttl(
    http: httpx.Client, acme: Tenant, env: dict[str, str], db: Db
) -> None:
    key = cli_json(env, "api-keys", "create", acme.id)
    headers = {"Authorization": f"Bearer {key['key']}"}
    assert http.post(PATHS[0], json={"agent_id": acme.agent_id}, headers=headers).is_success

    cli_json(env, "api-keys", "revoke", key["id"])  # another process: the server's cache
    time.sleep(CACHE_TTL_SECONDS)  # is the documented staleness bound

    response = http.post(PATHS[0], json={"agent_id": acme.agent_id}, headers=headers)
    _problem(response, 401, "unauthenticated")
    stored = db.api_keys.find_one({"_id": key["id"]})
    assert stored is not None
    assert stored["revoked_at"] is not None


def test_another_tenants_agent_is_404_like_a_missing_one_and_writes_nothing(
    http: httpx.Client, acme: Tenant, globex: Tenant, db: Db
) -> None:
    before = (_calls(db, acme), _calls(db, globex))

    foreign = http.post(PATHS[0], json={"agent_id": globex.agent_id}, headers=_auth(acme))
    missing = http.post(PATHS[1], json={"agent_id": str(uuid.uuid4())}, headers=_auth(acme))

    foreign_body = _problem(foreign, 404, "agent_not_found")
    missing_body = _problem(missing, 404, "agent_not_found")
    assert {k: v for k, v in foreign_body.items() if k not in ("request_id", "instance")} == {
        k: v for k, v in missing_body.items() if k not in ("request_id", "instance")
    }
    assert globex.agent_id not in foreign.text
    assert (_calls(db, acme), _calls(db, globex)) == before


def test_without_livekit_configuration_it_is_500_and_nothing_is_written(
    unconfigured_server: LiveServer, acme: Tenant, db: Db
) -> None:
    before = _calls(db, acme)
    with httpx.Client(base_url=unconfigured_server.base_url) as client:
        response = client.post(PATHS[0], json={"agent_id": acme.agent_id}, headers=_auth(acme))
        ready = client.get("/readyz")
        alive = client.get("/healthz")

    _problem(response, 500, "livekit_not_configured")
    assert _calls(db, acme) == before
    assert ready.status_code == 503
    assert ready.json()["checks"]["livekit"].endswith("not set")
    assert ready.json()["checks"]["mongodb"] == "ok"
    assert alive.status_code == 200


def test_health_readiness_and_openapi(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok", "checks": {}}
    assert http.get("/readyz").json()["status"] == "ready"
    schema = http.get("/schema/openapi.json").json()
    assert set(schema["paths"]) >= set(PATHS)


def test_api_keys_are_stored_as_hashes_only(acme: Tenant, db: Db) -> None:
    stored = json.dumps(list(db.api_keys.find({}, {"_id": 0})), default=str)
    assert acme.api_key not in stored
    assert acme.api_key[4:] not in stored


def test_ambiguous_requests_are_400_over_real_http_and_write_nothing(
    http: httpx.Client, acme: Tenant, db: Db
) -> None:
    before = _calls(db, acme)
    two_keys = http.post(
        PATHS[0],
        json={"agent_id": acme.agent_id},
        headers=[
            ("Authorization", f"Bearer {acme.api_key}"),
            ("Idempotency-Key", "first"),
            ("Idempotency-Key", "second"),
        ],
    )
    twice = f'{{"agent_id": "{acme.agent_id}", "agent_id": "{uuid.uuid4()}"}}'.encode()
    two_ids = http.post(
        PATHS[0], content=twice, headers={**_auth(acme), "content-type": "application/json"}
    )

    _problem(two_keys, 400, "invalid_idempotency_key")
    assert _problem(two_ids, 400, "invalid_request")["errors"][0]["field"] == "agent_id"
    assert _calls(db, acme) == before
