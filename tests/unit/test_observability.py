"""Metrics and the access log over fakes: what an operator sees for each kind of request."""

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import structlog

from adapters.livekit.settings import LiveKitSettings
from entrypoints.access_log import write_access_line
from entrypoints.container import build_container
from entrypoints.logs import LOG_LEVEL_ENV, configure_logging, log_level_from_env
from entrypoints.settings import Settings
from tests.support.prometheus import sample
from tests.support.world import Seeded

TOKEN = "/v1/realtime/token"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    output = io.StringIO()
    configure_logging("json", stream=output)
    yield output
    root.handlers, root.level = saved
    logging.captureWarnings(False)
    structlog.reset_defaults()


JSON = "application/json"


def _auth(seeded: Seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.api_key}"}


def _json_lines(output: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.getvalue().splitlines()]


def _access_lines(output: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in _json_lines(output) if line["logger"] == "realtime_tokens.access"]


async def test_metrics_count_tokens_and_errors_by_code_and_time_requests(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for _ in range(2):
        await client.post(TOKEN, json={"agent_id": seeded.agent.id}, headers=_auth(seeded))
    await client.post(TOKEN, json={"agent_id": seeded.agent.id})
    await client.post(TOKEN, content=b"{", headers={**_auth(seeded), "content-type": JSON})
    await client.post(TOKEN, content=b"{}", headers={**_auth(seeded), "content-type": "text/plain"})
    await client.get("/no/such/route")

    response = await client.get("/metrics")

    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.text
    assert sample(text, "realtime_tokens_issued_total", route=TOKEN) == 2
    assert sample(text, "realtime_tokens_errors_total", code="unauthenticated") == 1
    assert sample(text, "realtime_tokens_errors_total", code="invalid_request") == 1
    assert sample(text, "realtime_tokens_errors_total", code="unsupported_media_type") == 1
    assert sample(text, "realtime_tokens_errors_total", code="not_found") == 1
    timed = "realtime_tokens_http_request_duration_seconds_count"
    assert sample(text, timed, method="POST", route=TOKEN, status="200") == 2
    assert sample(text, timed, method="POST", route=TOKEN, status="401") == 1
    assert sample(text, timed, method="GET", route="unmatched", status="404") == 1
    assert sample(text, "realtime_tokens_mongodb_embedded") == 0


@pytest.mark.parametrize(("embedded", "flag"), [(True, 1), (False, 0)])
def test_the_embedded_database_is_flagged(embedded: bool, flag: int) -> None:
    settings = Settings(mongodb_uri="mongodb://unused.invalid", mongodb_embedded=embedded)
    exposition = build_container(settings).metrics().exposition().decode()
    assert sample(exposition, "realtime_tokens_mongodb_embedded") == flag


async def test_each_request_logs_one_json_line_with_ids_status_and_latency(
    client: httpx.AsyncClient, seeded: Seeded, log_output: io.StringIO
) -> None:
    issued = await client.post(
        TOKEN,
        json={"agent_id": seeded.agent.id},
        headers={**_auth(seeded), "X-Request-ID": "req-issued"},
    )
    await client.post(
        TOKEN,
        json={"agent_id": seeded.tenant_id},
        headers={**_auth(seeded), "X-Request-ID": "req-missing"},
    )

    lines = {line["request_id"]: line for line in _access_lines(log_output)}
    ok, missing = lines["req-issued"], lines["req-missing"]
    assert ok["event"] == "request"
    assert ok["status"] == 200
    assert ok["tenant_id"] == seeded.tenant_id
    assert ok["call_id"] == issued.json()["call_id"]
    assert ok["route"] == TOKEN
    assert ok["latency_ms"] >= 0
    assert missing["status"] == 404
    assert missing["code"] == "agent_not_found"
    assert missing["tenant_id"] == seeded.tenant_id
    assert "call_id" not in missing


async def test_no_key_or_token_reaches_the_logs(
    client: httpx.AsyncClient, seeded: Seeded, log_output: io.StringIO
) -> None:
    issued = await client.post(TOKEN, json={"agent_id": seeded.agent.id}, headers=_auth(seeded))
    await client.post(TOKEN, json={"agent_id": seeded.agent.id}, headers={"Authorization": "x"})
    bad_key = {"Authorization": "Bearer rtk_" + "A" * 43}
    await client.post(TOKEN, json={"agent_id": seeded.agent.id}, headers=bad_key)

    output = log_output.getvalue()
    assert [line["status"] for line in _access_lines(log_output)] == [200, 401, 401]
    assert issued.json()["client_token"].startswith("eyJ")
    assert "rtk_" not in output
    assert "eyJ" not in output


def test_secrets_in_messages_and_fields_are_redacted(log_output: io.StringIO) -> None:
    key = "rtk_" + "k" * 43
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    logging.getLogger("some.library").warning("rejected %s", key)
    structlog.get_logger("ours").info("oops", header=f"Bearer {jwt}", nested={"keys": [key]})

    library, ours = _json_lines(log_output)
    assert library["event"] == "rejected [redacted]"
    assert ours["header"] == "Bearer [redacted]"
    assert ours["nested"] == {"keys": ["[redacted]"]}


def test_objects_and_tracebacks_are_redacted_too(log_output: io.StringIO) -> None:
    key = "rtk_" + "k" * 43
    settings = LiveKitSettings(url="wss://x.invalid", api_key="APIkey", api_secret="s3cr3t-value")
    log = structlog.get_logger("ours")
    log.info("objects", livekit=settings, raw=key.encode(), when=datetime(2026, 1, 1, tzinfo=UTC))
    try:
        raise ValueError(f"bad key {key}")
    except ValueError:
        log.exception("failed")

    objects, failed = _json_lines(log_output)
    assert "s3cr3t-value" not in log_output.getvalue()
    assert objects["livekit"] == repr(settings)
    assert objects["raw"] == "b'[redacted]'"
    assert objects["when"] == "2026-01-01T00:00:00+00:00"
    assert failed["level"] == "error"
    assert "ValueError: bad key [redacted]" in failed["exception"]
    assert "rtk_" not in log_output.getvalue()


async def test_at_warning_level_only_failed_requests_are_logged(
    client: httpx.AsyncClient, seeded: Seeded, log_output: io.StringIO
) -> None:
    configure_logging(
        "json", stream=log_output, level=log_level_from_env({LOG_LEVEL_ENV: "WARNING"})
    )
    logging.getLogger("some.library").info("chatter")
    await client.post(TOKEN, json={"agent_id": seeded.agent.id}, headers=_auth(seeded))
    structlog.get_logger("realtime_tokens.access").error("request", status=503)

    assert [line["status"] for line in _json_lines(log_output)] == [503]


@pytest.mark.parametrize("raw", ["verbose", "10"])
def test_an_unknown_log_level_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=LOG_LEVEL_ENV):
        log_level_from_env({LOG_LEVEL_ENV: raw})


def test_the_console_format_is_for_people() -> None:
    output = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("console", stream=output)
        structlog.get_logger("ours").info("request", status=200)
    finally:
        root.handlers, root.level = saved
        structlog.reset_defaults()
    assert "request" in output.getvalue()
    assert "status=200" in output.getvalue()


def test_webhook_signing_secrets_are_redacted(log_output: io.StringIO) -> None:
    secret = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWJ5dGVzLTEyMzQ1Njc4OTA="
    structlog.get_logger("ours").info("endpoint", secret=secret, note=f"made {secret}")

    [line] = _json_lines(log_output)
    assert line["secret"] == "[redacted]"
    assert line["note"] == "made [redacted]"


@pytest.mark.parametrize("level", [logging.INFO, logging.ERROR])
def test_the_access_line_is_the_line_structlog_writes(log_output: io.StringIO, level: int) -> None:
    """The access log skips structlog's pipeline, not what its configuration writes."""
    fields: dict[str, Any] = {
        "method": "POST",
        "path": "/v1/x/rtk_" + "k" * 43,
        "route": "unmatched",
        "status": 200,
        "latency_ms": 1.25,
        "tenant_id": "t-1",
        "code": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
    }
    access = structlog.get_logger("realtime_tokens.access")
    with structlog.contextvars.bound_contextvars(request_id="r-1"):
        write_access_line(level, dict(fields))
        (access.error if level >= logging.ERROR else access.info)("request", **fields)

    fast, reference = _json_lines(log_output)
    assert fast.pop("timestamp")[:16] == reference.pop("timestamp")[:16]
    assert list(fast.items()) == list(reference.items())
    assert "rtk_" not in log_output.getvalue()
