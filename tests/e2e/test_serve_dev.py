"""What `make run` does: embedded MongoDB, dev LiveKit credentials, a seeded demo, a curl."""

import shlex
import subprocess
from pathlib import Path

import httpx
import pytest
from livekit.api import TokenVerifier

from entrypoints.settings import DEV_LIVEKIT
from tests.support.live import LiveServer, base_env

pytestmark = pytest.mark.e2e


def _printed_curl(output: str) -> list[str]:
    line = next(line.strip() for line in output.splitlines() if line.strip().startswith("curl "))
    return shlex.split(line)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_serve_dev_prints_a_curl_that_gets_a_token(tmp_path: Path) -> None:
    env = base_env(REALTIME_TOKENS_HOME=str(tmp_path))
    server = LiveServer(env, tmp_path / "serve.log").start("--dev")
    try:
        done = subprocess.run(_printed_curl(server.output()), capture_output=True, text=True)
        body = httpx.Response(200, content=done.stdout).json()
        restarted_key = (tmp_path / "demo.json").read_text()
    finally:
        exit_code = server.stop()

    claims = TokenVerifier(DEV_LIVEKIT.api_key, DEV_LIVEKIT.api_secret).verify(body["client_token"])
    assert claims.video is not None
    assert claims.video.room == body["room_name"]
    assert body["server_url"] == "ws://localhost:7880"
    assert "embedded nx-27017" in server.output()
    assert exit_code == 0
    assert not (tmp_path / "mongo" / "server.json").exists(), "embedded MongoDB left running"
    assert (tmp_path / "demo.json").stat().st_mode & 0o077 == 0
    assert restarted_key


def test_a_second_dev_run_reuses_the_demo_tenant(tmp_path: Path) -> None:
    env = base_env(REALTIME_TOKENS_HOME=str(tmp_path))
    curls = []
    for attempt in range(2):
        server = LiveServer(env, tmp_path / f"serve{attempt}.log").start("--dev")
        curls.append(_printed_curl(server.output())[5:])  # all but the URL's random port
        server.stop()
    assert curls[0] == curls[1]
