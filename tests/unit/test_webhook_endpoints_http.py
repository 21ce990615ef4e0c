"""Managing webhook endpoints over HTTP with the tenant's secret key."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from domain.webhook_signature import signed_headers
from tests.support.http import assert_problem, bearer
from tests.support.world import Seeded, World

ENDPOINTS = "/v1/webhook-endpoints"
HOOK = "https://hooks.example.com/realtime"
VIEW_FIELDS = {"id", "url", "events", "description", "disabled", "disabled_reason", "created_at"}


async def _create(client: httpx.AsyncClient, seeded: Seeded, **body: Any) -> httpx.Response:
    return await client.post(ENDPOINTS, json={"url": HOOK, **body}, headers=bearer(seeded.api_key))


async def test_an_endpoint_is_created_with_a_secret_shown_only_then(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    created = await _create(
        client, seeded, events=["call.ended", "call.started"], description="ops"
    )

    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    body = created.json()
    assert set(body) == VIEW_FIELDS | {"secret"}
    assert body["secret"].startswith("whsec_")
    assert body["url"] == HOOK
    assert body["events"] == ["call.ended", "call.started"]
    assert body["disabled"] is False
    assert world.webhook_endpoints.items[body["id"]].tenant_id == seeded.tenant_id
    shown = await client.get(f"{ENDPOINTS}/{body['id']}", headers=bearer(seeded.api_key))
    listed = await client.get(ENDPOINTS, headers=bearer(seeded.api_key))
    assert set(shown.json()) == VIEW_FIELDS
    assert body["secret"] not in shown.text
    assert body["secret"] not in listed.text


async def test_endpoints_are_listed_newest_first_by_cursor_per_tenant(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    ids = []
    for _ in range(3):
        ids.append((await _create(client, seeded)).json()["id"])
        world.clock.advance(timedelta(seconds=1))
    other = await world.seed_tenant("Globex")
    await _create(client, other)

    first = (await client.get(f"{ENDPOINTS}?limit=2", headers=bearer(seeded.api_key))).json()
    rest = await client.get(
        f"{ENDPOINTS}?limit=2&cursor={first['next_cursor']}", headers=bearer(seeded.api_key)
    )

    assert [e["id"] for e in first["data"]] == [ids[2], ids[1]]
    assert [e["id"] for e in rest.json()["data"]] == [ids[0]]
    assert rest.json()["next_cursor"] is None


async def test_an_endpoint_is_updated_and_deleted(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    endpoint_id = (await _create(client, seeded)).json()["id"]
    path = f"{ENDPOINTS}/{endpoint_id}"

    patched = await client.patch(
        path,
        json={"url": "https://other.example.com/in", "events": ["call.expired"], "disabled": True},
        headers=bearer(seeded.api_key),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["url"] == "https://other.example.com/in"
    assert patched.json()["events"] == ["call.expired"]
    assert patched.json()["disabled"] is True
    enabled = await client.patch(path, json={"disabled": False}, headers=bearer(seeded.api_key))
    assert enabled.json()["disabled"] is False
    assert enabled.json()["events"] == ["call.expired"]

    deleted = await client.delete(path, headers=bearer(seeded.api_key))
    assert deleted.status_code == 204
    assert endpoint_id not in world.webhook_endpoints.items
    assert_problem(
        await client.get(path, headers=bearer(seeded.api_key)), 404, "webhook_endpoint_not_found"
    )


async def test_another_tenants_endpoint_answers_exactly_like_a_missing_one(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    endpoint_id = (await _create(client, seeded)).json()["id"]
    before = world.webhook_endpoints.items[endpoint_id]
    other = await world.seed_tenant("Globex")
    missing = "00000000-0000-4000-8000-000000000000"

    for target in (endpoint_id, missing):
        path = f"{ENDPOINTS}/{target}"
        answers = [
            await client.get(path, headers=bearer(other.api_key)),
            await client.patch(path, json={"disabled": True}, headers=bearer(other.api_key)),
            await client.delete(path, headers=bearer(other.api_key)),
            await client.post(f"{path}/rotate-secret", headers=bearer(other.api_key)),
            await client.get(f"{path}/deliveries", headers=bearer(other.api_key)),
        ]
        for answer in answers:
            body = assert_problem(answer, 404, "webhook_endpoint_not_found")
            assert target in answer.url.path
            assert set(body) == {
                "type",
                "title",
                "status",
                "code",
                "detail",
                "instance",
                "request_id",
            }
    assert world.webhook_endpoints.items[endpoint_id] == before


async def test_rotating_the_secret_keeps_the_old_one_signing_for_a_day(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    created = (await _create(client, seeded)).json()

    rotated = await client.post(
        f"{ENDPOINTS}/{created['id']}/rotate-secret", headers=bearer(seeded.api_key)
    )

    assert rotated.status_code == 201, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != created["secret"]
    endpoint = world.webhook_endpoints.items[created["id"]]
    now = world.clock.now()
    headers = signed_headers("evt_1", "{}", endpoint.signing_secrets(now), now)
    assert headers["webhook-signature"].count("v1,") == 2
    assert endpoint.signing_secrets(now) == [new_secret, created["secret"]]
    assert endpoint.signing_secrets(now + timedelta(hours=24)) == [new_secret]
    Webhook(created["secret"]).sign("evt_1", now, "{}")  # the old secret is still a valid key


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/", "https"),
        ("https://127.0.0.1/hook", "private"),
        ("https://[::1]/hook", "private"),
        ("https://10.1.2.3/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://metadata.google.internal/", "private"),
        ("https://localhost:8443/", "private"),
        ("https://resolves-private.example.com/", "private"),
        ("https://resolves-to-metadata.example.com/", "private"),
        ("https://resolves-nowhere.example.com/", "resolve"),
        ("https://user:pw@hooks.example.com/", "credentials"),
        ("hooks.example.com/in", "https"),
        ("https://93.184.215.14/\u001b[2J", "control"),  # an escape that broke every send
        ("https://hooks.example.com/in\r\n", "control"),
        ("https://HOOKS.example.com/", "host"),
        ("https://hööks.example.com/", "ASCII"),
        ("https://[2002:7f00:1::]/hook", "private"),  # 6to4 of 127.0.0.1
        ("https://resolves-to-6to4.example.com/", "private"),
    ],
)
async def test_an_unsafe_url_is_refused_naming_the_field_and_nothing_is_stored(
    client: httpx.AsyncClient, seeded: Seeded, world: World, url: str, reason: str
) -> None:
    world.resolver.answers["resolves-private.example.com"] = ["93.184.215.14", "192.168.1.9"]
    world.resolver.answers["resolves-to-metadata.example.com"] = ["169.254.169.254"]
    world.resolver.answers["resolves-nowhere.example.com"] = []
    world.resolver.answers["resolves-to-6to4.example.com"] = ["2002:a9fe:a9fe::"]

    refused = await _create(client, seeded, url=url)

    problem = assert_problem(refused, 400, "invalid_webhook_url")
    assert problem["errors"][0]["field"] == "url"
    assert reason in problem["errors"][0]["message"]
    assert world.webhook_endpoints.items == {}


async def test_a_patch_to_an_unsafe_url_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    endpoint_id = (await _create(client, seeded)).json()["id"]
    before = world.webhook_endpoints.items[endpoint_id]

    refused = await client.patch(
        f"{ENDPOINTS}/{endpoint_id}",
        json={"url": "https://169.254.169.254/", "disabled": True},
        headers=bearer(seeded.api_key),
    )

    assert_problem(refused, 400, "invalid_webhook_url")
    assert world.webhook_endpoints.items[endpoint_id] == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (
            {"url": HOOK, "events": ["call.created", "call.exploded"]},
            "invalid_webhook_event",
            "events[1]",
        ),
        ({"url": HOOK, "secret": "whsec_mine"}, "invalid_request", "secret"),
        ({"events": ["call.created"]}, "invalid_request", "url"),
        ({"url": HOOK, "description": "x" * 301}, "invalid_request", "description"),
    ],
)
async def test_a_bad_body_is_refused_naming_the_field(
    client: httpx.AsyncClient,
    seeded: Seeded,
    world: World,
    body: dict[str, Any],
    code: str,
    field: str,
) -> None:
    refused = await client.post(ENDPOINTS, json=body, headers=bearer(seeded.api_key))

    problem = assert_problem(refused, 400, code)
    assert problem["errors"][0]["field"] == field
    assert world.webhook_endpoints.items == {}


async def test_private_targets_are_allowed_only_when_configured(world: World) -> None:
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from entrypoints.http.app import create_app

    world.container.settings.override(
        replace(world.container.settings(), webhook_allow_private_targets=True)
    )
    seeded = await world.seed_tenant()
    async with AsyncTestClient(create_app(world.container)) as client:
        created = await _create(client, seeded, url="http://127.0.0.1:9/hook")
    assert created.status_code == 201, created.text
