"""Outside --dev, the throwaway embedded database runs only when asked for, and says so."""

from pathlib import Path

import httpx
import pytest

from tests.support.live import LiveServer, service_env

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("asked_by_env", "flags"),
    [({"REALTIME_TOKENS_EMBEDDED_MONGODB": "1"}, ()), ({}, ("--embedded-mongodb",))],
)
def test_the_embedded_database_asked_for_by_name_serves_and_readyz_says_so(
    tmp_path: Path, asked_by_env: dict[str, str], flags: tuple[str, ...]
) -> None:
    env = service_env(
        tmp_path,
        **asked_by_env,
    )
    server = LiveServer(env, tmp_path / "serve.log").start(*flags)
    try:
        ready = httpx.get(f"{server.base_url}/readyz", timeout=10)
    finally:
        server.stop()
    assert ready.status_code == 200
    assert ready.json()["database"] == "embedded nx-27017"
