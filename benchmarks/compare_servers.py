"""`make bench-servers`: which ASGI server and settings to deploy. The floor, ours on the
seeded MongoDB, and ours on in-memory repositories (no database, so the server's share shows)
under each candidate, interleaved over rounds to even out a shared machine's noise; medians."""

import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.knobs import Knobs
from benchmarks.machine import describe_machine, measured_commit
from benchmarks.ours_in_memory import CREDENTIALS_ENV
from benchmarks.seeded_mongodb import seeded_mongodb
from benchmarks.targets import BIN, RunningTarget
from benchmarks.wrk import Load, LoadResult, run_wrk
from entrypoints.combined_writes import PROTOCOL

RESULTS = Path(__file__).with_name("results")
APPS = {
    "floor": "benchmarks.floor:create_floor_app",
    "ours, MongoDB": "entrypoints.asgi:app_from_env",
    "ours, in-memory repositories": "benchmarks.ours_in_memory:create_in_memory_app",
}
Command = Callable[[str, int, int], list[str]]


def _uvicorn(*extra: str) -> Command:
    def command(app: str, port: int, workers: int) -> list[str]:
        return [
            str(BIN / "uvicorn"),
            "--factory",
            app,
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
            "--no-server-header",
            *extra,
        ]

    return command


def _granian(*extra: str) -> Command:
    def command(app: str, port: int, workers: int) -> list[str]:
        return [
            str(BIN / "granian"),
            *("--interface", "asgi", "--factory", "--loop", "uvloop", "--no-access-log"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
            *extra,
            app,
        ]

    return command


SERVERS: dict[str, Command] = {
    "uvicorn+httptools, access log": _uvicorn("--log-level", "info"),
    "uvicorn+httptools, no access log": _uvicorn("--no-access-log"),
    "uvicorn+httptools, combined writes, no access log (deployed)": _uvicorn(
        "--no-access-log", "--http", PROTOCOL
    ),
    "granian mt, no access log": _granian(),
    "granian st, no access log": _granian("--runtime-mode", "st"),
}


def _measure(app: str, server: Command, env: dict[str, str], knobs: Knobs, log: Path) -> LoadResult:
    with RunningTarget(app, lambda port: server(app, port, 1), env, log) as running:
        load = Load(running.url, Path(env[CREDENTIALS_ENV]), knobs.connections, knobs.wrk_threads)
        run_wrk(load, knobs.warmup_s)
        return run_wrk(load, knobs.duration_s)


def main() -> None:
    knobs = Knobs.from_env()
    rounds = int(os.environ.get("BENCH_SERVER_ROUNDS", "3"))
    runs: dict[str, dict[str, list[LoadResult]]] = {a: {s: [] for s in SERVERS} for a in APPS}
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with (
        tempfile.TemporaryDirectory(prefix="realtime-tokens-servers-") as scratch,
        seeded_mongodb(Path(scratch), f"servers_{stamp.lower()}") as mongodb,
    ):
        env = {**mongodb.env, CREDENTIALS_ENV: str(mongodb.credentials)}
        log = Path(scratch) / "server.log"
        for round_ in range(1, rounds + 1):
            for app_name, app in APPS.items():
                for server_name, server in SERVERS.items():
                    print(f"[servers] round {round_}: {app_name} on {server_name}", file=sys.stderr)
                    runs[app_name][server_name].append(_measure(app, server, env, knobs, log))
    summary = {
        app_name: {name: _median(results) for name, results in by_server.items()}
        for app_name, by_server in runs.items()
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{stamp}-servers.json"
    header = {
        "commit": measured_commit(),
        "machine": describe_machine(),
        "rounds": rounds,
        "duration_s": knobs.duration_s,
    }
    path.write_text(json.dumps({**header, **summary}, indent=2))
    print(f"{'app':<30}{'server':<34}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
    for app_name, medians in summary.items():
        for server_name, median in medians.items():
            print(
                f"{app_name:<30}{server_name:<34}{median['rps']:>8.0f}"
                f"{median['p50_ms']:>8.2f}{median['p99_ms']:>8.2f}"
            )
    print(f"\nmedians of {rounds} interleaved rounds; wrote {path}")


def _median(results: list[LoadResult]) -> dict[str, Any]:
    return {
        "rps": statistics.median(r.rps for r in results),
        "p50_ms": statistics.median(r.p50_ms for r in results),
        "p99_ms": statistics.median(r.p99_ms for r in results),
        "errors": sum(r.errors for r in results),
        "runs": [r.rps for r in results],
    }


if __name__ == "__main__":
    main()
