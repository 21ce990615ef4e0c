"""Drive the real CLI and a real server process, as an operator would."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from adapters.embedded_mongo import free_port
from tests.support.world import TEST_LIVEKIT

EXECUTABLE = str(Path(sys.executable).with_name("realtime-tokens"))


def cli_json(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [EXECUTABLE, *args, "--json"], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXECUTABLE, *args], env=env, capture_output=True, text=True)


# What decides where a service's data and tokens go: the test's own env alone sets these.
SERVICE_ENV_PREFIXES = ("LIVEKIT_", "MONGODB_")


def base_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_ENV_PREFIXES)}
    env.update(values)
    return env


def service_env(home: Path, **values: str) -> dict[str, str]:
    """`base_env` for a service that signs with the tests' LiveKit credentials and keeps its
    state under `home`."""
    return base_env(
        LIVEKIT_URL=TEST_LIVEKIT.url,
        LIVEKIT_API_KEY=TEST_LIVEKIT.api_key,
        LIVEKIT_API_SECRET=TEST_LIVEKIT.api_secret,
        REALTIME_TOKENS_HOME=str(home),
        **values,
    )


class LiveServer:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._env = env
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, *extra: str) -> "LiveServer":
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [EXECUTABLE, "serve", "--port", str(self.port), *extra],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self._log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer in time:\n{self._log.read_text()}")

    def send_signal(self, signum: int) -> None:
        assert self._process is not None, "the server is not running"
        self._process.send_signal(signum)

    def stop(self) -> int:
        process, self._process = self._process, None
        if process is None:
            return 0
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait(timeout=10)

    def output(self) -> str:
        return self._log.read_text()
