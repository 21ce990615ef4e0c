"""Least privilege for callers: a microphone only, unless the agent takes more."""

from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest

from domain.agent import Agent
from domain.caller_permissions import CallerPermissions
from domain.errors import InvalidCallerPermissions
from tests.support.world import Seeded, World

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FIELD = "caller_permissions.can_publish_sources"


def _auth(seeded: Seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.api_key}"}


def test_a_new_agent_lets_its_callers_publish_a_microphone_only() -> None:
    agent = Agent.create("t", "Support", None, NOW)
    assert agent.caller_permissions == CallerPermissions(("microphone",), can_publish_data=False)


@pytest.mark.parametrize("sources", [(), ("microphone", "webcam"), ("MICROPHONE",)])
def test_sources_are_livekits_track_sources_and_never_none(sources: Any) -> None:
    """LiveKit reads an empty source list as every source, so an empty one is refused."""
    with pytest.raises(InvalidCallerPermissions) as refused:
        CallerPermissions(sources)
    assert refused.value.field == FIELD


def test_repeated_sources_count_once() -> None:
    assert CallerPermissions(("camera", "microphone", "camera")).can_publish_sources == (
        "camera",
        "microphone",
    )


async def _token_grants(client: httpx.AsyncClient, seeded: Seeded, agent_id: str) -> Any:
    issued = await client.post(
        "/v1/realtime/token", json={"agent_id": agent_id}, headers=_auth(seeded)
    )
    assert issued.status_code == 200, issued.text
    return jwt.decode(issued.json()["client_token"], options={"verify_signature": False})["video"]


async def test_an_agent_created_for_video_and_data_grants_them_in_its_tokens(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    wanted = {"can_publish_sources": ["microphone", "camera"], "can_publish_data": True}
    created = await client.post(
        "/v1/agents",
        json={"name": "Video desk", "caller_permissions": wanted},
        headers=_auth(seeded),
    )
    assert created.status_code == 201, created.text
    assert created.json()["caller_permissions"] == wanted

    grants = await _token_grants(client, seeded, created.json()["id"])
    assert (grants["canPublishSources"], grants["canPublishData"]) == (
        ["microphone", "camera"],
        True,
    )


async def test_an_agent_without_the_setting_grants_a_microphone_only(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    viewed = await client.get(f"/v1/agents/{seeded.agent.id}", headers=_auth(seeded))
    grants = await _token_grants(client, seeded, seeded.agent.id)

    assert viewed.json()["caller_permissions"] == {
        "can_publish_sources": ["microphone"],
        "can_publish_data": False,
    }
    assert (grants["canPublishSources"], grants["canPublishData"]) == (["microphone"], False)


async def test_a_patch_changes_the_permissions_and_the_next_token(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    patched = await client.patch(
        f"/v1/agents/{seeded.agent.id}",
        json={"caller_permissions": {"can_publish_sources": ["screen_share"]}},
        headers=_auth(seeded),
    )
    assert patched.status_code == 200, patched.text
    assert world.agents.items[seeded.agent.id].caller_permissions == CallerPermissions(
        ("screen_share",)
    )
    grants = await _token_grants(client, seeded, seeded.agent.id)
    assert grants["canPublishSources"] == ["screen_share"]


@pytest.mark.parametrize(
    "permissions",
    [
        {"can_publish_sources": []},
        {"can_publish_sources": ["webcam"]},
        {"can_publish_sources": "microphone"},
        {"can_publish_data": "yes"},
        {"can_publish_everything": True},
    ],
)
async def test_bad_permissions_are_400_naming_the_field_and_write_nothing(
    client: httpx.AsyncClient, seeded: Seeded, world: World, permissions: dict[str, Any]
) -> None:
    before = dict(world.agents.items)
    created = await client.post(
        "/v1/agents",
        json={"name": "Bad", "caller_permissions": permissions},
        headers=_auth(seeded),
    )
    patched = await client.patch(
        f"/v1/agents/{seeded.agent.id}",
        json={"caller_permissions": permissions},
        headers=_auth(seeded),
    )

    for response in (created, patched):
        assert response.status_code == 400, response.text
        problem = response.json()
        assert problem["code"] == "invalid_request"
        assert problem["errors"][0]["field"].startswith("caller_permissions")
    assert world.agents.items == before
