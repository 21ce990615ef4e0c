"""The README's client snippets, run as written against a live server."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Tenant
from tests.support.live import LiveServer

pytestmark = pytest.mark.e2e
README = (Path(__file__).parents[2] / "README.md").read_text()


def _snippet(heading: str) -> str:
    """The first fenced code block after a README heading."""
    section = README[README.index(f"\n{heading}\n") :]
    found = re.search(r"```\w+\n(.*?)```", section, re.DOTALL)
    assert found is not None
    return found.group(1)


def _env(env: dict[str, str], server: LiveServer, tenant: Tenant, key: str) -> dict[str, str]:
    return {
        **env,
        "REALTIME_TOKENS_URL": server.base_url,
        "REALTIME_TOKENS_API_KEY": key,
        "AGENT_ID": tenant.agent_id,
    }


def test_the_curl_snippet_gets_a_token(
    env: dict[str, str], server: LiveServer, acme: Tenant
) -> None:
    done = subprocess.run(
        ["bash", "-c", _snippet("### curl")],
        env=_env(env, server, acme, acme.api_key),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["room_name"].startswith("webrtc_")


def test_the_python_snippet_gets_a_token_and_reports_problems(
    env: dict[str, str], server: LiveServer, acme: Tenant
) -> None:
    code = _snippet("### Python (httpx)")
    ok = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(env, server, acme, acme.api_key),
        capture_output=True,
        text=True,
    )
    refused = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(env, server, acme, "rtk_wrong"),
        capture_output=True,
        text=True,
    )

    room_name, server_url = ok.stdout.split()
    assert room_name.startswith("webrtc_")
    assert server_url.startswith("wss://")
    assert refused.returncode == 1
    assert refused.stderr.startswith("unauthenticated: ")
