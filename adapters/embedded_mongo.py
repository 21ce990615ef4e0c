"""The embedded MongoDB for dev and tests: nx-27017 (MongoDB wire protocol over SQLite)."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

_READY_TIMEOUT_SECONDS = 30.0
_OWNER_ONLY = 0o077  # the umask nx-27017 runs with: its database is the owner's alone


class EmbeddedMongoError(RuntimeError):
    pass


def _open_private(path: Path, flags: int) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | flags, 0o600)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def _executable() -> str:
    beside_python = Path(sys.executable).with_name("nx-27017")
    found = str(beside_python) if beside_python.exists() else shutil.which("nx-27017")
    if found is None:
        raise EmbeddedMongoError("nx-27017 is not installed (pip install nx-27017)")
    return found


class EmbeddedMongo:
    """Starts nx-27017 on a free loopback port with its data under `data_dir`, or reuses the
    one another process of ours already runs there (recorded in `server.json`)."""

    def __init__(self, data_dir: Path, port: int = 0) -> None:
        self.data_dir = data_dir
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    @property
    def _record(self) -> Path:
        return self.data_dir / "server.json"

    def start(self) -> "EmbeddedMongo":
        self._make_private()
        if self._reuse_running():
            return self
        self.port = self.port or free_port()
        log = os.fdopen(_open_private(self.data_dir / "nx-27017.log", os.O_APPEND), "ab")
        self._process = subprocess.Popen(  # noqa: S603 - fixed executable and arguments
            [
                _executable(),
                "--db",
                str(self.data_dir / "db.sqlite"),
                "--host",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--log-file",
                str(self.data_dir / "nx-27017.log"),
                "--pid-file",
                str(self.data_dir / "nx-27017.pid"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=_OWNER_ONLY,
        )
        log.close()
        self._wait_until_ready()
        record = json.dumps({"pid": self._process.pid, "port": self.port}).encode()
        with os.fdopen(_open_private(self._record, os.O_TRUNC), "wb") as file:
            file.write(record)
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        self._record.unlink(missing_ok=True)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _make_private(self) -> None:
        """0700 for the directory, 0600 for its files, also those an earlier version left
        world-readable."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        for path in self.data_dir.iterdir():
            if path.is_file():
                path.chmod(0o600)

    @property
    def owned(self) -> bool:
        return self._process is not None

    def _reuse_running(self) -> bool:
        try:
            record = json.loads(self._record.read_text())
            os.kill(int(record["pid"]), 0)
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if not _answers(int(record["port"])):
            return False
        self.port = int(record["port"])
        return True

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + _READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmbeddedMongoError(
                    f"nx-27017 exited with {self._process.returncode}; see {self.data_dir}"
                )
            if _answers(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedMongoError(f"nx-27017 did not listen on port {self.port} in time")

    def __enter__(self) -> "EmbeddedMongo":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
