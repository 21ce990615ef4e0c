"""A live server's logs and metrics, as an operator scrapes and ships them."""

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Tenant
from tests.support.live import LiveServer
from tests.support.prometheus import sample

pytestmark = pytest.mark.e2e
TOKEN = "/v1/realtime/token"


def _log_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _output_with(server: LiveServer, *texts: str) -> str:
    """The server's output once it holds `texts`: access lines are written within
    REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS (100 ms by default), not at once."""
    deadline = time.monotonic() + 5
    while not all(text in (output := server.output()) for text in texts):
        assert time.monotonic() < deadline, f"no {texts} in the log"
        time.sleep(0.02)
    return output


def test_a_token_request_logs_one_json_line_and_nothing_secret(
    http: httpx.Client, server: LiveServer, acme: Tenant
) -> None:
    issued = http.post(
        TOKEN,
        json={"agent_id": acme.agent_id},
        headers={"Authorization": f"Bearer {acme.api_key}", "X-Request-ID": "e2e-log-check"},
    ).json()
    http.post(TOKEN, json={"agent_id": acme.agent_id}, headers={"Authorization": "Bearer rtk_x"})

    output = _output_with(server, '"request_id":"e2e-log-check"', '"status":401')
    line = next(x for x in _log_lines(output) if x.get("request_id") == "e2e-log-check")
    assert line["event"] == "request"
    assert line["level"] == "info"
    assert line["tenant_id"] == acme.id
    assert line["call_id"] == issued["call_id"]
    assert line["status"] == 200
    assert isinstance(line["latency_ms"], float)
    assert acme.api_key not in output
    assert "rtk_" not in output
    assert "eyJ" not in output
    assert all(line.startswith("{") for line in output.splitlines()), "a line is not JSON"


def test_metrics_are_served_in_prometheus_format(http: httpx.Client, acme: Tenant) -> None:
    before = sample(http.get("/metrics").text, "realtime_tokens_issued_total", route=TOKEN) or 0
    http.post(
        TOKEN, json={"agent_id": acme.agent_id}, headers={"Authorization": f"Bearer {acme.api_key}"}
    )

    text = http.get("/metrics").text

    assert sample(text, "realtime_tokens_issued_total", route=TOKEN) == before + 1
    assert sample(text, "realtime_tokens_mongodb_embedded") == 0
    timed = "realtime_tokens_mongodb_command_duration_seconds_count"
    assert (sample(text, timed, command="insert", outcome="ok") or 0) >= 1


def test_with_several_workers_metrics_add_up_across_them(
    env: dict[str, str], acme: Tenant, tmp_path: Path
) -> None:
    server = LiveServer({**env, "TMPDIR": str(tmp_path)}, tmp_path / "workers.log")
    server.start("--workers", "2")
    try:
        for _ in range(8):  # a fresh connection each, so both workers get some
            response = httpx.post(
                f"{server.base_url}{TOKEN}",
                json={"agent_id": acme.agent_id},
                headers={"Authorization": f"Bearer {acme.api_key}"},
            )
            assert response.status_code == 200
        scrapes = [httpx.get(f"{server.base_url}/metrics").text for _ in range(4)]
    finally:
        server.stop()

    assert {sample(text, "realtime_tokens_issued_total", route=TOKEN) for text in scrapes} == {8}
    assert list(tmp_path.glob("realtime-tokens-metrics-*")) == [], "metrics directory left behind"
