"""The hot path's cost in MongoDB commands, counted by PyMongo's command monitoring: the
budget written in IssueRealtimeToken's docstring."""

import secrets
import uuid
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from pymongo import AsyncMongoClient

from adapters.mongo.store import MongoStore
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.runtime import running_container
from entrypoints.settings import Settings
from tests.support.command_counter import CommandCounter
from tests.support.http import bearer
from tests.support.livekit_webhooks import agent_joined_body, signed_headers, webhook_body
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.integration


def _settings(mongo_uri: str, **changed: Any) -> Settings:
    """A database of the test's own; the sweeper's and the webhook dispatcher's commands are
    their own, never a request's, so they are off."""
    return Settings(
        mongodb_uri=mongo_uri,
        mongodb_database=f"trips_{uuid.uuid4().hex[:12]}",
        livekit=TEST_LIVEKIT,
        sweep_interval_seconds=0,
        webhook_poll_seconds=0,
        **changed,
    )


def _counted(settings: Settings) -> tuple[CommandCounter, Container]:
    """A container whose MongoDB commands are counted (the driver's handshakes aside)."""
    counter = CommandCounter()
    container = build_container(settings)
    uri = settings.mongodb_uri or ""
    container.store.override(
        providers.Singleton(MongoStore, uri, settings.mongodb_database, listeners=[counter])
    )
    return counter, container


@pytest.mark.parametrize("path", ["/v1/realtime/token", "/v1/webrtc/token"])
async def test_a_warm_token_request_costs_one_insert(
    path: str, mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = _settings(mongo_uri)
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        key = (await seeding.create_api_key()(tenant.id)).plaintext
        agent = await seeding.create_agent()(tenant.id, "Agent", None)
    counter, container = _counted(settings)
    request = {"agent_id": agent.id}
    headers = {"Authorization": f"Bearer {key}"}

    async with AsyncTestClient(create_app(container)) as client:
        cold = await client.post(path, json=request, headers=headers)
        counter.names.clear()
        warm = [await client.post(path, json=request, headers=headers) for _ in range(5)]
        sent = list(counter.names)

    await mongo_client.drop_database(settings.mongodb_database)
    assert cold.status_code == 200
    assert [response.status_code for response in warm] == [200] * 5
    assert sent == ["insert"] * 5


async def test_bad_keys_cost_one_find_each_at_most_and_stop_at_the_failure_limit(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = _settings(mongo_uri, auth_failures_per_minute=20)
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        revoked = await seeding.create_api_key()(tenant.id)
        await seeding.revoke_api_key()(revoked.key.id)
    counter, container = _counted(settings)
    unknown = "rtk_" + secrets.token_urlsafe(32)

    async with AsyncTestClient(create_app(container)) as client:
        sent = []
        for key in (revoked.plaintext, unknown) * 2:
            counter.names.clear()
            await client.post("/v1/realtime/token", json={}, headers=bearer(key))
            sent.append(list(counter.names))
        counter.names.clear()
        burst = [
            await client.post(
                "/v1/realtime/token", json={}, headers=bearer("rtk_" + secrets.token_urlsafe(32))
            )
            for _ in range(200)
        ]

    await mongo_client.drop_database(settings.mongodb_database)
    assert sent == [["find"], ["find"], [], []]
    assert counter.names == ["find"] * 16  # 20 failures a minute: 4 were spent above
    assert {r.status_code for r in burst[:16]} == {401}
    assert {r.status_code for r in burst[16:]} == {429}


async def test_a_warm_publishable_key_lookup_costs_no_command(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = _settings(mongo_uri)
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        minted = await seeding.create_publishable_key()(tenant.id, ["https://a.example.com"])
    counter, container = _counted(settings)
    store = container.store()
    authenticate = container.authenticate_publishable_key()
    try:
        cold = await authenticate(minted.plaintext)
        counter.names.clear()
        warm = [await authenticate(minted.plaintext) for _ in range(5)]
        sent = list(counter.names)
    finally:
        await store.close()

    await mongo_client.drop_database(settings.mongodb_database)
    assert cold == minted.key
    assert warm == [minted.key] * 5
    assert sent == []


async def test_a_warm_request_to_livekits_token_endpoint_costs_one_insert(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = _settings(mongo_uri)
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        agent = await seeding.create_agent()(tenant.id, "Agent", None)
        key = await seeding.create_publishable_key()(tenant.id, ["https://shop.example.com"])
    counter, container = _counted(settings)
    body = {"room_config": {"agents": [{"agent_name": agent.dispatch_name}]}}
    headers = {**bearer(key.plaintext), "origin": "https://shop.example.com"}

    async with AsyncTestClient(create_app(container)) as client:
        cold = await client.post("/v1/livekit/token", json=body, headers=headers)
        counter.names.clear()
        warm = [
            await client.post("/v1/livekit/token", json=body, headers=headers) for _ in range(5)
        ]
        sent = list(counter.names)

    await mongo_client.drop_database(settings.mongodb_database)
    assert cold.status_code == 201, cold.text
    assert [response.status_code for response in warm] == [201] * 5
    assert sent == ["insert"] * 5


async def test_each_livekit_webhook_of_a_call_costs_one_read_one_update_one_record(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    """The caller's join, the agent's join, the caller's leave: each one read of the call, one
    conditional update, one insert of its id; a redelivery moves nothing (no update for the
    agent's, whose join is already on the call as read)."""
    settings = _settings(mongo_uri)
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        key = (await seeding.create_api_key()(tenant.id)).plaintext
        agent = await seeding.create_agent()(tenant.id, "Agent", None)
    counter, container = _counted(settings)

    async with AsyncTestClient(create_app(container)) as client:
        call = (
            await client.post(
                "/v1/realtime/token", json={"agent_id": agent.id}, headers=bearer(key)
            )
        ).json()
        room, caller = call["room_name"], call["participant_identity"]
        bodies = [
            webhook_body("participant_joined", room, caller, event_id="EV_join"),
            agent_joined_body(room, event_id="EV_agent"),
            webhook_body("participant_left", room, caller, event_id="EV_left"),
        ]
        sent, outcomes = [], []
        for body in [*bodies, bodies[1]]:
            counter.names.clear()
            answer = await client.post(
                "/v1/livekit/webhook", content=body, headers=signed_headers(body, TEST_LIVEKIT)
            )
            outcomes.append(answer.json()["outcome"])
            sent.append(list(counter.names))
        shown = (await client.get(f"/v1/calls/{call['call_id']}", headers=bearer(key))).json()

    await mongo_client.drop_database(settings.mongodb_database)
    assert outcomes == ["applied", "applied", "applied", "duplicate"]
    assert sent == [["find", "update", "insert"]] * 3 + [["find", "insert"]]
    assert (shown["status"], shown["end_reason"]) == ("ended", "participant_left")
    assert shown["agent_joined_at"] is not None
