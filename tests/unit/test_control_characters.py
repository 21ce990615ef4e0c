"""Names with terminal control sequences are refused; text that reaches a terminal is escaped."""

import io
import logging

import httpx
import pytest
import structlog

from entrypoints.logs import configure_logging, printable
from tests.support.world import Seeded, World

ESCAPES = ["Evil\x1b]0;owned\x07", "Bell\x07", "Erase\x1b[2J", "C1\x9b31m", "Nul\x00"]


def _auth(seeded: Seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.api_key}"}


@pytest.mark.parametrize("name", ESCAPES)
async def test_an_agent_name_with_control_characters_is_refused_naming_the_field(
    client: httpx.AsyncClient, seeded: Seeded, world: World, name: str
) -> None:
    created = await client.post("/v1/agents", json={"name": name}, headers=_auth(seeded))
    patched = await client.patch(
        f"/v1/agents/{seeded.agent.id}", json={"name": name}, headers=_auth(seeded)
    )

    for response in (created, patched):
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "invalid_name"
        assert [e["field"] for e in response.json()["errors"]] == ["name"]
    assert list(world.agents.items.values()) == [seeded.agent]


async def test_a_bad_dispatch_name_is_refused_naming_its_field(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        "/v1/agents", json={"name": "Fine", "dispatch_name": "bad\x1bname"}, headers=_auth(seeded)
    )

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["dispatch_name"]


def test_printable_escapes_control_characters_and_keeps_every_script() -> None:
    assert printable("a\x1b]0;x\x07b\x9b\x7f") == "a\\x1b]0;x\\x07b\\x9b\\x7f"
    assert printable("Поддержка サポート café\u202e") == "Поддержка サポート café\\u202e"


def test_the_console_log_escapes_control_characters_from_requests() -> None:
    output = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("console", stream=output)
        structlog.get_logger("ours").info("request\x1b[2J", path="/v1/\x1b]0;owned\x07")
        logging.getLogger("library").warning("stdlib %s", "\x1b[31mred")
    finally:
        root.handlers, root.level = saved
        structlog.reset_defaults()

    written = output.getvalue()
    assert "\x1b" not in written
    assert "\x07" not in written
    assert "/v1/\\x1b]0;owned\\x07" in written
    assert "stdlib \\x1b[31mred" in written
