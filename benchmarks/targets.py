"""The three servers under test, each started as a process of its own and stopped again."""

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapters.embedded_mongo import free_port

BIN = Path(sys.executable).parent
NODE_PEER = Path(__file__).parent / "peers" / "fastify_mongodb" / "server.js"
READY_TIMEOUT_S = 30.0
TOKEN_PATH = "/v1/realtime/token"
LIVEKIT_TOKEN_PATH = "/v1/livekit/token"


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    workers: int
    note: str = ""
    path: str = TOKEN_PATH
    env: tuple[tuple[str, str], ...] = ()  # on top of the bench's environment

    def command(self, port: int) -> list[str]:
        common = ["--port", str(port), "--workers", str(self.workers)]
        if self.name == "ours":
            return [str(BIN / "realtime-tokens"), "serve", "--host", "127.0.0.1", *common]
        if self.name.startswith("node-peer"):  # one Node process: --workers does not apply
            return ["node", str(NODE_PEER), "--port", str(port)]
        return [sys.executable, "-m", "benchmarks.serve_target", self.name, *common]

    @property
    def label(self) -> str:
        workers = f"{self.workers} worker{'s' if self.workers > 1 else ''}"
        route = "" if self.path == TOKEN_PATH else self.path
        return f"{self.name} ({', '.join(filter(None, (workers, self.note, route)))})"


class RunningTarget:
    """A server process started from `command(port)`, healthy on entry, stopped on exit."""

    def __init__(
        self,
        label: str,
        command: Callable[[int], list[str]],
        env: dict[str, str],
        log: Path,
        path: str = TOKEN_PATH,
    ) -> None:
        self.label = label
        self.path = path
        self.port = free_port()
        self._command = command(self.port)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._env = env
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.base_url + self.path

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def __enter__(self) -> "RunningTarget":
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(self._command, env=self._env, stdout=log, stderr=log)
        self._wait_until_healthy()
        return self

    def __exit__(self, *_: object) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _wait_until_healthy(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.label} exited early; see {self._log}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=0.5):  # noqa: S310 - loopback
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"{self.label} did not answer /healthz; see {self._log}")
