"""One bounded wrk run against loopback, parsed from token.lua's JSON summary."""

import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SCRIPT = Path(__file__).with_name("token.lua")
_MARKER = "WRK_JSON "


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    errors: int
    error_kinds: dict[str, int]
    # The server's process tree's CPU time over the run, per request answered (`make bench`
    # fills it in): tokens per core, whatever share of the cores wrk and MongoDB took.
    cpu_us_per_request: float | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Load:
    url: str
    credentials: Path
    connections: int
    threads: int
    route: str = "realtime"  # or "livekit": token.lua's body and headers for that route


def run_wrk(load: Load, duration_s: int, rate: float = 0.0) -> LoadResult:
    """`rate` > 0 paces the total request rate; 0 sends as fast as the server answers."""
    if urlsplit(load.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"load goes to loopback only, not {load.url}")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    env = {
        **os.environ,
        "WRK_CREDENTIALS": str(load.credentials),
        "WRK_RATE_PER_THREAD": str(rate / load.threads),
        "WRK_ROUTE": load.route,
    }
    done = subprocess.run(
        [
            wrk,
            f"-t{load.threads}",
            f"-c{load.connections}",
            f"-d{duration_s}s",
            "--timeout=5s",
            "--latency",
            f"-s{SCRIPT}",
            load.url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=duration_s + 30,
    )
    return _parsed(done.stdout)


def _parsed(output: str) -> LoadResult:
    line = next((x for x in output.splitlines() if x.startswith(_MARKER)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    raw = json.loads(line.removeprefix(_MARKER))
    latency = {name: micros / 1000 for name, micros in raw["latency_us"].items()}
    duration_s = raw["duration_us"] / 1e6
    return LoadResult(
        requests=raw["requests"],
        duration_s=round(duration_s, 3),
        rps=round(raw["requests"] / duration_s, 1),
        p50_ms=latency["p50"],
        p90_ms=latency["p90"],
        p99_ms=latency["p99"],
        p999_ms=latency["p999"],
        max_ms=latency["max"],
        errors=sum(raw["errors"].values()),
        error_kinds={kind: count for kind, count in raw["errors"].items() if count},
    )
