"""A publishable key cannot tell its tenant's other dispatch names from unknown ones, not by
the answer and not by where it comes from (issue 20, item 8): a key limited to some agents is
refused every other name before any lookup, and an unknown name is remembered like a known
one, so asking again costs MongoDB nothing either way."""

import uuid
from typing import Any

import httpx
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
from tests.support.http import assert_problem, bearer
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.integration
SITE = "https://shop.example.com"
TOKEN = "/v1/livekit/token"


def _counted(mongo_uri: str) -> tuple[Settings, CommandCounter, Container]:
    settings = Settings(
        mongodb_uri=mongo_uri,
        mongodb_database=f"names_{uuid.uuid4().hex[:12]}",
        livekit=TEST_LIVEKIT,
        sweep_interval_seconds=0,
        webhook_poll_seconds=0,
    )
    counter = CommandCounter()
    container = build_container(settings)
    container.store.override(
        providers.Singleton(MongoStore, mongo_uri, settings.mongodb_database, listeners=[counter])
    )
    return settings, counter, container


def _asking_for(name: str) -> dict[str, Any]:
    return {"room_config": {"agents": [{"agent_name": name}]}}


async def test_known_but_not_allowed_and_unknown_names_are_one_404_from_one_path(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings, counter, container = _counted(mongo_uri)
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        allowed = await seeding.create_agent()(tenant.id, "Front desk", "front-desk")
        await seeding.create_agent()(tenant.id, "Billing", "billing")  # the key may not call it
        key = await seeding.create_publishable_key()(
            tenant.id, [SITE], agents=[allowed.dispatch_name]
        )
    headers = {**bearer(key.plaintext), "origin": SITE}

    async with AsyncTestClient(create_app(container)) as client:
        warmed = await client.post(TOKEN, json=_asking_for("front-desk"), headers=headers)
        answers: dict[str, list[httpx.Response]] = {}
        commands: dict[str, list[list[str]]] = {}
        for name in ("billing", "no-such-agent", "billing", "no-such-agent"):
            counter.names.clear()
            answers.setdefault(name, []).append(
                await client.post(TOKEN, json=_asking_for(name), headers=headers)
            )
            commands.setdefault(name, []).append(list(counter.names))

    await mongo_client.drop_database(settings.mongodb_database)
    assert warmed.status_code == 201, warmed.text
    bodies = []
    for response in answers["billing"] + answers["no-such-agent"]:
        body = assert_problem(response, 404, "agent_not_found")
        body.pop("request_id")
        bodies.append(body)
        assert dict(response.headers).keys() == dict(answers["billing"][0].headers).keys()
    assert all(body == bodies[0] for body in bodies)
    assert commands == {"billing": [[], []], "no-such-agent": [[], []]}


async def test_an_unknown_name_asked_twice_reads_mongodb_once(
    mongo_uri: str, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings, counter, container = _counted(mongo_uri)
    async with running_container(settings) as seeding:
        tenant = await seeding.create_tenant()("Acme")
        await seeding.create_agent()(tenant.id, "Front desk", "front-desk")
        key = await seeding.create_publishable_key()(tenant.id, [SITE])  # every agent
        secret = (await seeding.create_api_key()(tenant.id)).plaintext
    headers = {**bearer(key.plaintext), "origin": SITE}

    async with AsyncTestClient(create_app(container)) as client:
        warmed = await client.post(TOKEN, json=_asking_for("front-desk"), headers=headers)
        counter.names.clear()
        unknown = [
            await client.post(TOKEN, json=_asking_for("no-such-agent"), headers=headers)
            for _ in range(2)
        ]
        sent = list(counter.names)
        created = await client.post(
            "/v1/agents",
            json={"name": "Late", "dispatch_name": "no-such-agent"},
            headers=bearer(secret),
        )
        after_creation = await client.post(
            TOKEN, json=_asking_for("no-such-agent"), headers=headers
        )

    await mongo_client.drop_database(settings.mongodb_database)
    assert warmed.status_code == 201, warmed.text
    for response in unknown:
        assert_problem(response, 404, "agent_not_found")
    assert sent == ["find"]
    assert created.status_code == 201, created.text
    assert after_creation.status_code == 201, "creating the agent here forgets the miss at once"
