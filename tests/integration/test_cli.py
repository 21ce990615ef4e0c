import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from pymongo import MongoClient

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.support.in_process_cli import cli, cli_json
from tests.support.live import base_env
from tests.support.live import cli as cli_process
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.integration


@pytest.fixture
def database_name() -> str:
    return f"cli_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def env(mongo_uri: str, tmp_path: Path, database_name: str) -> Iterator[dict[str, str]]:
    yield base_env(
        MONGODB_URI=mongo_uri, MONGODB_DATABASE=database_name, REALTIME_TOKENS_HOME=str(tmp_path)
    )
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    client.drop_database(database_name)
    client.close()


@pytest.fixture
def database(mongo_uri: str, database_name: str) -> Iterator[Any]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri, tz_aware=True)
    yield client[database_name]
    client.close()


def test_the_operator_flow_prints_one_json_object_per_command(env: dict[str, str]) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    key = cli_json(env, "api-keys", "create", tenant["id"])
    agent = cli_json(env, "agents", "create", tenant["id"], "Front desk", "--dispatch-name", "desk")
    listed = cli_json(env, "agents", "list", tenant["id"])
    revoked = cli_json(env, "api-keys", "revoke", key["id"])

    assert set(tenant) == {"id", "name"}
    assert key["key"].startswith("rtk_")
    assert key["tenant_id"] == tenant["id"]
    assert agent["dispatch_name"] == "desk"
    assert [a["id"] for a in listed["agents"]] == [agent["id"]]
    assert revoked["id"] == key["id"]
    assert revoked["revoked_at"]


def test_human_output_shows_the_key_once_with_a_warning(env: dict[str, str]) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    done = cli(env, "api-keys", "create", tenant["id"])
    assert done.returncode == 0
    assert "rtk_" in done.stdout
    assert "shown once" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("api-keys", "create", "no-such-tenant"),
        ("agents", "create", "no-such-tenant", "Agent"),
        ("api-keys", "revoke", "no-such-key"),
    ],
)
def test_unknown_ids_fail_with_a_message_and_exit_1(
    env: dict[str, str], args: tuple[str, ...]
) -> None:
    done = cli(env, *args)
    assert done.returncode == 1
    assert "not found" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_names_are_usage_errors(env: dict[str, str]) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    done = cli(env, "agents", "create", tenant["id"], "Agent", "--dispatch-name", "bad name")
    assert done.returncode == 2
    assert "dispatch name" in done.stderr


def test_an_agent_may_let_its_callers_publish_more_than_a_microphone(
    env: dict[str, str],
) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    voice = cli_json(env, "agents", "create", tenant["id"], "Voice")
    video = cli_json(
        env,
        *("agents", "create", tenant["id"], "Video"),
        *("--caller-source", "microphone", "--caller-source", "camera", "--caller-data"),
    )
    bad = cli(env, "agents", "create", tenant["id"], "Bad", "--caller-source", "webcam")

    assert voice["caller_permissions"] == {
        "can_publish_sources": ["microphone"],
        "can_publish_data": False,
    }
    assert video["caller_permissions"] == {
        "can_publish_sources": ["microphone", "camera"],
        "can_publish_data": True,
    }
    assert bad.returncode == 2
    assert "--caller-source" in bad.stderr


def test_an_invalid_ttl_is_refused_before_anything_runs(env: dict[str, str]) -> None:
    done = cli({**env, "TOKEN_TTL_SECONDS": "5"}, "tenants", "create", "Acme", "--json")
    assert done.returncode == 2
    assert "TOKEN_TTL_SECONDS" in done.stderr
    assert done.stdout == ""


def test_listing_an_unknown_tenant_shows_no_agents(env: dict[str, str]) -> None:
    assert json.loads(cli(env, "agents", "list", "nobody", "--json").stdout) == {"agents": []}


def test_keys_can_expire_and_are_listed_without_their_secret(env: dict[str, str]) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    expiring = cli_json(env, "api-keys", "create", tenant["id"], "--expires-in-days", "30")
    forever = cli_json(env, "api-keys", "create", tenant["id"])
    listed = cli_json(env, "api-keys", "list", tenant["id"])

    assert expiring["expires_at"] is not None
    assert forever["expires_at"] is None
    assert {k["id"] for k in listed["api_keys"]} == {expiring["id"], forever["id"]}
    shown = json.dumps(listed)
    assert expiring["key"] not in shown
    assert expiring["key"][4:12] not in shown


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com"])  # noqa: S104 - refused
def test_dev_mode_refuses_to_listen_beyond_loopback(env: dict[str, str], host: str) -> None:
    done = cli_process(env, "serve", "--dev", "--host", host, "--port", "1")
    assert done.returncode == 2
    assert "loopback" not in done.stdout
    assert "127.0.0.1" in done.stderr


def test_names_with_control_characters_are_refused_and_never_printed_raw(
    env: dict[str, str], mongo_uri: str
) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    refused = cli(env, "agents", "create", tenant["id"], "Evil\x1b]0;owned\x07")
    agent = cli_json(env, "agents", "create", tenant["id"], "Front desk")
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    stored_before_the_check = "Old\x1b[2J\x9b31m"
    client[env["MONGODB_DATABASE"]]["agents"].update_one(
        {"_id": agent["id"]}, {"$set": {"name": stored_before_the_check}}
    )
    client.close()

    listed = cli(env, "agents", "list", tenant["id"])

    assert refused.returncode == 2
    assert "control characters" in refused.stderr
    assert "\x1b" not in refused.stderr
    assert listed.returncode == 0
    assert "Old\\x1b[2J\\x9b31m" in listed.stdout
    assert "\x1b" not in listed.stdout
    assert "\x9b" not in listed.stdout


def test_serve_without_mongodb_uri_refuses_the_throwaway_database(tmp_path: Path) -> None:
    done = cli_process(base_env(REALTIME_TOKENS_HOME=str(tmp_path)), "serve", "--port", "1")
    assert done.returncode == 2
    assert "MONGODB_URI" in done.stderr
    assert "--embedded-mongodb" in done.stderr
    assert not (tmp_path / "mongo").exists(), "the embedded MongoDB was started anyway"


def test_serve_refuses_a_uri_and_the_embedded_database_together(env: dict[str, str]) -> None:
    done = cli_process(env, "serve", "--embedded-mongodb", "--port", "1")
    assert done.returncode == 2
    assert "MONGODB_URI" in done.stderr


def test_publishable_keys_are_created_listed_and_revoked(
    env: dict[str, str], database: Any
) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    cli_json(env, "agents", "create", tenant["id"], "Front desk", "--dispatch-name", "desk")
    key = cli_json(
        env,
        "publishable-keys",
        "create",
        tenant["id"],
        "--origin",
        "https://Shop.example.com:443",
        "--origin",
        "https://*.example.org",
        "--agent",
        "desk",
        "--allow-native",
    )
    listed = cli_json(env, "publishable-keys", "list", tenant["id"])
    revoked = cli_json(env, "publishable-keys", "revoke", key["id"])

    assert key["key"].startswith("rtpk_")
    assert key["origins"] == ["https://shop.example.com", "https://*.example.org"]
    assert (key["agents"], key["allow_native"]) == (["desk"], True)
    assert [k["id"] for k in listed["publishable_keys"]] == [key["id"]]
    assert key["key"] not in json.dumps(listed)
    assert revoked["id"] == key["id"]
    assert revoked["revoked_at"]
    stored = database.publishable_keys.find_one({"_id": key["id"]})
    assert stored["revoked_at"] is not None
    assert stored["tenant_id"] == tenant["id"]
    assert key["key"] not in json.dumps(stored, default=str)


def test_a_publishable_key_is_shown_once_with_a_warning(env: dict[str, str]) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    done = cli(env, "publishable-keys", "create", tenant["id"], "--origin", "http://localhost:3000")
    assert done.returncode == 0
    assert "rtpk_" in done.stdout
    assert "shown once" in done.stdout


@pytest.mark.parametrize(
    ("args", "exit_code", "said"),
    [
        (("--origin", "https://*.com"), 2, "https://*.com"),
        (("--origin", "https://shop.example.com/"), 2, "https://shop.example.com/"),
        ((), 2, "--allow-native"),
        (("--origin", "https://shop.example.com", "--agent", "nobody"), 1, "not found"),
    ],
)
def test_refused_publishable_keys_say_why_and_write_nothing(
    env: dict[str, str], database: Any, args: tuple[str, ...], exit_code: int, said: str
) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    done = cli(env, "publishable-keys", "create", tenant["id"], *args)
    assert done.returncode == exit_code, done.stderr
    assert said in done.stderr
    assert "Traceback" not in done.stderr
    assert database.publishable_keys.count_documents({}) == 0


@pytest.mark.parametrize(
    "args",
    [
        ("publishable-keys", "create", "no-such-tenant", "--origin", "https://a.example.com"),
        ("publishable-keys", "revoke", "no-such-key"),
    ],
)
def test_unknown_publishable_key_ids_fail_with_a_message_and_exit_1(
    env: dict[str, str], args: tuple[str, ...]
) -> None:
    done = cli(env, *args)
    assert done.returncode == 1
    assert "not found" in done.stderr
    assert "Traceback" not in done.stderr


PUBLIC_HOOK = "https://93.184.215.14/hook"  # a literal public address: no DNS in the test


def test_webhook_endpoints_are_created_listed_and_deleted(
    env: dict[str, str], database: Any
) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    endpoint = cli_json(
        env,
        "webhook-endpoints",
        "create",
        tenant["id"],
        PUBLIC_HOOK,
        "--event",
        "call.ended",
        "--event",
        "call.expired",
    )
    listed = cli_json(env, "webhook-endpoints", "list", tenant["id"])
    deleted = cli_json(env, "webhook-endpoints", "delete", endpoint["id"])

    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["url"] == PUBLIC_HOOK
    assert endpoint["events"] == ["call.ended", "call.expired"]
    assert [e["id"] for e in listed["webhook_endpoints"]] == [endpoint["id"]]
    assert endpoint["secret"] not in json.dumps(listed)
    assert deleted == {"id": endpoint["id"], "deleted": True}
    assert database.webhook_endpoints.count_documents({}) == 0


@pytest.mark.parametrize(
    ("args", "exit_code", "said"),
    [
        (("http://93.184.215.14/hook",), 2, "https"),
        (("https://127.0.0.1/hook",), 2, "private"),
        (("https://169.254.169.254/latest",), 2, "private"),
        ((PUBLIC_HOOK, "--event", "call.exploded"), 2, "call.exploded"),
    ],
)
def test_refused_webhook_endpoints_say_why_and_write_nothing(
    env: dict[str, str], database: Any, args: tuple[str, ...], exit_code: int, said: str
) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    done = cli(env, "webhook-endpoints", "create", tenant["id"], *args)
    assert done.returncode == exit_code, done.stderr
    assert said in done.stderr
    assert "Traceback" not in done.stderr
    assert database.webhook_endpoints.count_documents({}) == 0


@pytest.mark.parametrize(
    "args",
    [
        ("webhook-endpoints", "create", "no-such-tenant", PUBLIC_HOOK),
        ("webhook-endpoints", "delete", "no-such-endpoint"),
    ],
)
def test_unknown_webhook_ids_fail_with_a_message_and_exit_1(
    env: dict[str, str], args: tuple[str, ...]
) -> None:
    done = cli(env, *args)
    assert done.returncode == 1
    assert "not found" in done.stderr
    assert "Traceback" not in done.stderr


async def test_the_cli_prints_each_resource_exactly_as_the_api_answers_it(
    env: dict[str, str], mongo_uri: str, database_name: str
) -> None:
    tenant = cli_json(env, "tenants", "create", "Acme")
    key = cli_json(env, "api-keys", "create", tenant["id"])
    t = tenant["id"]
    created = {
        "agents": cli_json(env, "agents", "create", t, "Desk", "--dispatch-name", "desk"),
        "publishable-keys": cli_json(
            env, "publishable-keys", "create", t, "--origin", "https://shop.example.com"
        ),
        "webhook-endpoints": cli_json(
            env, "webhook-endpoints", "create", t, PUBLIC_HOOK, "--description", "billing"
        ),
    }
    settings = Settings(
        mongodb_uri=mongo_uri,
        mongodb_database=database_name,
        livekit=TEST_LIVEKIT,
        sweep_interval_seconds=0,
        webhook_poll_seconds=0,
    )
    async with AsyncTestClient(create_app(build_container(settings))) as client:
        auth = {"authorization": f"Bearer {key['key']}"}
        for resource, shown in created.items():
            answered = (await client.get(f"/v1/{resource}", headers=auth)).json()["data"]
            listed = cli_json(env, resource, "list", t)[resource.replace("-", "_")]

            assert listed == answered
            once = {k: v for k, v in shown.items() if k not in ("key", "secret")}
            assert [once] == answered
