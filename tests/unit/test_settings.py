from pathlib import Path

import pytest
from click.testing import CliRunner

from entrypoints.cli import main
from entrypoints.configuration import flag
from entrypoints.environment import DECLARED
from entrypoints.settings import (
    DEV_LIVEKIT,
    ConfigurationError,
    Settings,
    configuration_table,
)


def test_defaults_leave_livekit_unconfigured_and_use_the_standard_database() -> None:
    settings = Settings.from_env({})
    assert settings.mongodb_uri is None
    assert settings.mongodb_database == "realtime_tokens"
    assert settings.token_ttl_seconds == 600
    assert settings.livekit.problem() is not None


def test_livekits_own_variable_names_are_read() -> None:
    settings = Settings.from_env(
        {
            "MONGODB_URI": "mongodb://db.internal:27017/?replicaSet=rs0",
            "MONGODB_DATABASE": "tokens",
            "LIVEKIT_URL": "wss://lk.example.com",
            "LIVEKIT_API_KEY": "APIabc",
            "LIVEKIT_API_SECRET": "s3cret",
            "TOKEN_TTL_SECONDS": "120",
        }
    )
    assert settings.mongodb_uri == "mongodb://db.internal:27017/?replicaSet=rs0"
    assert settings.mongodb_database == "tokens"
    assert (settings.livekit.url, settings.livekit.api_key) == ("wss://lk.example.com", "APIabc")
    assert settings.token_ttl_seconds == 120


def test_dev_fills_only_what_is_missing_with_livekit_server_dev_credentials() -> None:
    assert Settings.from_env({}, dev=True).livekit == DEV_LIVEKIT
    mixed = Settings.from_env({"LIVEKIT_URL": "wss://lk.example.com"}, dev=True).livekit
    assert mixed.url == "wss://lk.example.com"
    assert mixed.api_key == DEV_LIVEKIT.api_key


@pytest.mark.parametrize("ttl", ["59", "86401", "-1", "ten"])
def test_token_ttl_is_bounded(ttl: str) -> None:
    with pytest.raises(ConfigurationError, match="TOKEN_TTL_SECONDS"):
        Settings.from_env({"TOKEN_TTL_SECONDS": ttl})


@pytest.mark.parametrize("ttl", ["60", "86400"])
def test_token_ttl_bounds_are_inclusive(ttl: str) -> None:
    assert Settings.from_env({"TOKEN_TTL_SECONDS": ttl}).token_ttl_seconds == int(ttl)


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("mongodb://127.0.0.1:27017/", "mongodb://127.0.0.1:27017/"),
        (
            "mongodb://app:s3cr%40t@db1:27017,db2/?replicaSet=rs0",
            "mongodb://app:***@db1:27017,db2/?replicaSet=rs0",
        ),
        ("mongodb+srv://app:pw@cluster.example.net", "mongodb+srv://app:***@cluster.example.net"),
    ],
)
def test_the_mongodb_uri_is_shown_without_its_password(uri: str, shown: str) -> None:
    assert Settings(mongodb_uri=uri).mongodb_uri_for_display() == shown


LONG_ENOUGH = "x" * 32
LIVEKIT_ENV = {"LIVEKIT_URL": "wss://lk.example.com", "LIVEKIT_API_KEY": "APIabc"}


@pytest.mark.parametrize("secret", ["secret", "x" * 31, "é" * 15])
def test_a_livekit_secret_under_32_bytes_is_a_problem_outside_dev(secret: str) -> None:
    livekit = Settings.from_env({**LIVEKIT_ENV, "LIVEKIT_API_SECRET": secret}).livekit
    problem = livekit.problem()
    assert problem == "LIVEKIT_API_SECRET is shorter than 32 bytes"
    assert secret not in problem


def test_a_livekit_secret_of_32_bytes_is_accepted() -> None:
    livekit = Settings.from_env({**LIVEKIT_ENV, "LIVEKIT_API_SECRET": LONG_ENOUGH}).livekit
    assert livekit.problem() is None


@pytest.mark.parametrize("env", [{}, {**LIVEKIT_ENV, "LIVEKIT_API_SECRET": "short"}])
def test_dev_accepts_livekit_server_devs_short_secret(env: dict[str, str]) -> None:
    assert Settings.from_env(env, dev=True).livekit.problem() is None


def test_outside_dev_the_embedded_database_must_be_asked_for() -> None:
    with pytest.raises(ConfigurationError, match="MONGODB_URI") as refused:
        Settings.from_env({}).require_a_database(dev=False)
    assert "REALTIME_TOKENS_EMBEDDED_MONGODB=1" in str(refused.value)
    assert "--embedded-mongodb" in str(refused.value)


@pytest.mark.parametrize(
    ("env", "dev"),
    [
        ({"MONGODB_URI": "mongodb://db.internal:27017/"}, False),
        ({"REALTIME_TOKENS_EMBEDDED_MONGODB": "1"}, False),
        ({}, True),
    ],
)
def test_a_uri_an_explicit_request_or_dev_chooses_the_database(
    env: dict[str, str], dev: bool
) -> None:
    Settings.from_env(env, dev=dev).require_a_database(dev=dev)


def test_a_uri_and_the_embedded_database_together_are_refused() -> None:
    env = {"MONGODB_URI": "mongodb://db.internal:27017/", "REALTIME_TOKENS_EMBEDDED_MONGODB": "1"}
    with pytest.raises(ConfigurationError, match="ask for one database"):
        Settings.from_env(env).require_a_database(dev=False)


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " True "])
def test_the_embedded_database_flag_accepts_what_every_other_flag_accepts(raw: str) -> None:
    assert Settings.from_env({"REALTIME_TOKENS_EMBEDDED_MONGODB": raw}).mongodb_embedded


@pytest.mark.parametrize("raw", ["", "0", "false", "No", "off"])
def test_the_embedded_database_flag_is_off_for_every_false_spelling(raw: str) -> None:
    assert not Settings.from_env({"REALTIME_TOKENS_EMBEDDED_MONGODB": raw}).mongodb_embedded


def test_a_flag_that_is_neither_true_nor_false_is_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match="REALTIME_TOKENS_EMBEDDED_MONGODB"):
        Settings.from_env({"REALTIME_TOKENS_EMBEDDED_MONGODB": "enabled"})


def test_readmes_configuration_table_is_the_declarations() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("## Configuration (environment)\n\n", 1)[1].split("\n\n", 1)[0]
    assert shown == configuration_table()


def test_every_setting_has_one_declaration_and_takes_its_default() -> None:
    filled = [d.field for d in DECLARED if d.field is not None]
    assert sorted(filled) == sorted(f for f in Settings.__dataclass_fields__ if f != "livekit")
    assert len({d.env for d in DECLARED}) == len(DECLARED)
    unset = Settings.from_env({})
    assert all(getattr(unset, str(d.field)) == d.default for d in DECLARED if d.field)


def test_serve_help_names_every_variable() -> None:
    shown = CliRunner().invoke(main, ["serve", "--help"]).output
    assert all(d.env in shown for d in DECLARED)


@pytest.mark.parametrize(
    ("raw", "value"),
    [(r, True) for r in ("1", "true", "True", "YES", "on")]
    + [(r, False) for r in ("0", "false", "FALSE", "no", "Off")],
)
def test_the_one_boolean_parser_reads_every_spelling(raw: str, value: bool) -> None:
    assert flag(raw) is value
    assert (
        Settings.from_env({"WEBHOOK_ALLOW_PRIVATE_TARGETS": raw}).webhook_allow_private_targets
        is value
    )


@pytest.mark.parametrize("raw", ["2", "y", "enabled", "tru e", "-1"])
def test_the_boolean_parser_refuses_anything_else_saying_what_it_takes(raw: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({"WEBHOOK_ALLOW_PRIVATE_TARGETS": raw})
    takes = "must be one of 1/true/yes/on or 0/false/no/off"
    assert str(refused.value) == f"WEBHOOK_ALLOW_PRIVATE_TARGETS: {takes}, not {raw!r}"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MONGODB_TIMEOUT_MS": "0"}, "MONGODB_TIMEOUT_MS: must be 1 or more"),
        ({"MONGODB_TIMEOUT_MS": "1.5"}, "MONGODB_TIMEOUT_MS: must be a whole number, not '1.5'"),
        ({"CACHE_TTL_SECONDS": "61"}, "CACHE_TTL_SECONDS: must be 0, at most 60"),
        ({"SWEEP_INTERVAL_SECONDS": "-1"}, "SWEEP_INTERVAL_SECONDS: must be 0 (off) or more"),
        (
            {"RATE_LIMIT_PER_MINUTE": "lots"},
            "RATE_LIMIT_PER_MINUTE: must be a whole number, not 'lots'",
        ),
    ],
)
def test_a_setting_out_of_its_bounds_is_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env(env)
    assert str(refused.value) == message
