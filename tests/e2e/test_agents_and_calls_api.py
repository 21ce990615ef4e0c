"""The agents and calls APIs over real HTTP and MongoDB, with another tenant on every route."""

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo.database import Database

from tests.e2e.conftest import Tenant
from tests.support.live import LiveServer
from tests.support.livekit_webhooks import signed_headers, webhook_body
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.e2e
Db = Database[dict[str, Any]]


def _as(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.api_key}"}


def test_an_agent_lives_through_create_list_get_patch_and_delete(
    http: httpx.Client, acme: Tenant, db: Db
) -> None:
    created = http.post(
        "/v1/agents",
        json={
            "name": "Front desk",
            "dispatch_name": "front-desk",
            "default_metadata": {"lang": "en"},
        },
        headers=_as(acme),
    )
    assert created.status_code == 201, created.text
    agent = created.json()
    path = f"/v1/agents/{agent['id']}"

    listed = http.get("/v1/agents", params={"limit": 100}, headers=_as(acme)).json()
    assert agent["id"] in [a["id"] for a in listed["data"]]
    assert http.get(path, headers=_as(acme)).json() == agent

    patched = http.patch(path, json={"name": "Reception"}, headers=_as(acme)).json()
    assert (patched["name"], patched["dispatch_name"]) == ("Reception", "front-desk")

    token = http.post(
        "/v1/realtime/token",
        json={"agent_id": agent["id"], "metadata": {"lang": "de"}},
        headers=_as(acme),
    ).json()
    stored_call = db.calls.find_one({"_id": token["call_id"]})
    assert stored_call is not None
    assert stored_call["metadata"] == {"lang": "de", "type": "webrtc"}

    assert http.delete(path, headers=_as(acme)).status_code == 204
    assert http.get(path, headers=_as(acme)).status_code == 404
    refused = http.post("/v1/realtime/token", json={"agent_id": agent["id"]}, headers=_as(acme))
    assert refused.status_code == 404
    call = http.get(f"/v1/calls/{token['call_id']}", headers=_as(acme))
    assert call.json()["agent_id"] == agent["id"], "a deleted agent's calls keep their reference"


@pytest.mark.parametrize(
    "field", [{"tenant_id": "x"}, {"id": str(uuid.uuid4())}, {"created_at": "2020-01-01T00:00:00Z"}]
)
def test_mass_assignment_is_refused(
    http: httpx.Client, acme: Tenant, field: dict[str, str]
) -> None:
    created = http.post("/v1/agents", json={"name": "Agent", **field}, headers=_as(acme))
    patched = http.patch(f"/v1/agents/{acme.agent_id}", json=field, headers=_as(acme))
    assert (created.status_code, patched.status_code) == (400, 400)


def test_agents_page_with_a_stable_cursor(http: httpx.Client, globex: Tenant) -> None:
    for index in range(3):
        http.post("/v1/agents", json={"name": f"Paged {index}"}, headers=_as(globex))
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = http.get("/v1/agents", params=params, headers=_as(globex)).json()
        seen += [a["id"] for a in page["data"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) >= 4


def test_calls_are_listed_filtered_and_moved_by_webhooks(http: httpx.Client, acme: Tenant) -> None:
    token = http.post(
        "/v1/realtime/token", json={"agent_id": acme.agent_id}, headers=_as(acme)
    ).json()
    body = webhook_body("participant_joined", token["room_name"], token["participant_identity"])
    hook = http.post(
        "/v1/livekit/webhook", content=body, headers=signed_headers(body, TEST_LIVEKIT)
    )
    assert hook.json() == {"outcome": "applied"}

    call = http.get(f"/v1/calls/{token['call_id']}", headers=_as(acme)).json()
    assert call["status"] == "in_progress"
    assert call["joined_at"] is not None
    in_progress = http.get(
        "/v1/calls", params={"status": "in_progress", "limit": 100}, headers=_as(acme)
    ).json()
    assert token["call_id"] in [c["id"] for c in in_progress["data"]]
    queued = http.get("/v1/calls", params={"status": "queued", "limit": 100}, headers=_as(acme))
    assert token["call_id"] not in [c["id"] for c in queued.json()["data"]]
    by_agent = http.get(
        "/v1/calls", params={"agent_id": acme.agent_id, "limit": 100}, headers=_as(acme)
    ).json()
    assert all(c["agent_id"] == acme.agent_id for c in by_agent["data"])


def test_another_tenant_gets_404_on_every_route_and_changes_nothing(
    http: httpx.Client, acme: Tenant, globex: Tenant, db: Db
) -> None:
    token = http.post(
        "/v1/realtime/token", json={"agent_id": acme.agent_id}, headers=_as(acme)
    ).json()
    agent_path, call_path = f"/v1/agents/{acme.agent_id}", f"/v1/calls/{token['call_id']}"
    before = db.agents.find_one({"_id": acme.agent_id})

    attempts = [
        http.get(agent_path, headers=_as(globex)),
        http.patch(agent_path, json={"name": "Hijacked"}, headers=_as(globex)),
        http.delete(agent_path, headers=_as(globex)),
        http.get(call_path, headers=_as(globex)),
        http.post("/v1/realtime/token", json={"agent_id": acme.agent_id}, headers=_as(globex)),
        http.post(
            "/v1/realtime/token",
            json={"agent_id": acme.agent_id},
            headers={**_as(globex), "Idempotency-Key": "cross-tenant"},
        ),
    ]
    missing = http.get(f"/v1/agents/{uuid.uuid4()}", headers=_as(globex))

    assert [a.status_code for a in attempts] == [404] * len(attempts)
    assert attempts[0].json()["code"] == missing.json()["code"]
    assert db.agents.find_one({"_id": acme.agent_id}) == before
    theirs = http.get("/v1/calls", params={"limit": 100}, headers=_as(globex)).json()["data"]
    assert token["call_id"] not in [c["id"] for c in theirs]
    assert all(c["id"] != token["call_id"] for c in theirs)


def test_the_sweeper_expires_unjoined_calls_in_a_live_server(
    server: LiveServer, acme: Tenant, db: Db
) -> None:
    call_id = str(uuid.uuid4())
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    stale: dict[str, Any] = {
        "_id": call_id,
        "tenant_id": acme.id,
        "agent_id": acme.agent_id,
        "type": "webrtc",
        "status": "queued",
        "metadata": {"type": "webrtc"},
        "room_name": f"webrtc_{call_id}",
        "participant_identity": f"caller_{call_id}",
        "created_at": long_ago,
        "expires_at": long_ago + timedelta(minutes=10),
        "joined_at": None,
        "ended_at": None,
        "end_reason": None,
    }
    db.calls.insert_one(stale)

    with httpx.Client(base_url=server.base_url) as client:
        read = client.get(f"/v1/calls/{call_id}", headers=_as(acme)).json()
    assert (read["status"], read["end_reason"]) == ("expired", "not_joined")

    deadline = time.monotonic() + 10
    while (db.calls.find_one({"_id": call_id}) or {}).get("status") != "expired":
        assert time.monotonic() < deadline, "the sweeper did not run"
        time.sleep(0.2)
