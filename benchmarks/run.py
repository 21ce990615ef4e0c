"""`make bench`: floor, the two peers and ours against one MongoDB and one seeded data set, and
ours and the Node peer on in-memory stores; prints the
table, writes benchmarks/results/<timestamp>.json and a PNG beside it."""

import dataclasses
import http.client
import json
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.knobs import Knobs
from benchmarks.machine import describe_machine, load_average, measured_commit
from benchmarks.memory import soak
from benchmarks.mongo_wire import HOUSEKEEPING, CommandCountingProxy
from benchmarks.ours_in_memory import CREDENTIALS_ENV
from benchmarks.plot import plot
from benchmarks.process_tree import tree_cpu_seconds
from benchmarks.report import render, targets_met
from benchmarks.seed import BENCH_ORIGIN, Credential
from benchmarks.seeded_mongodb import forget_calls, seeded_mongodb
from benchmarks.signing import measure_signers
from benchmarks.targets import LIVEKIT_TOKEN_PATH, TOKEN_PATH, RunningTarget, Target
from benchmarks.wrk import Load, LoadResult, run_wrk

RESULTS = Path(__file__).with_name("results")
FLOOR, PEER, OURS, OURS_2 = (
    Target("floor", 1),
    Target("peer", 1),
    Target("ours", 1),
    Target("ours", 2),
)
OURS_IN_MEMORY = Target("ours-in-memory", 1, "no MongoDB")
NODE_PEER = Target("node-peer", 1, "Fastify + mongodb")
NODE_PEER_IN_MEMORY = Target(
    "node-peer-in-memory", 1, "no MongoDB", env=(("PEER_STORE", "memory"),)
)
OURS_LIVEKIT = Target("ours", 1, path=LIVEKIT_TOKEN_PATH)


class Bench:
    def __init__(
        self, knobs: Knobs, env: dict[str, str], credentials: dict[str, Path], logs: Path
    ) -> None:
        self.knobs = knobs
        self.env = env
        self.credentials = credentials  # by token route path
        self.logs = logs

    def _running(self, target: Target, **env: str) -> RunningTarget:
        forget_calls(self.env["MONGODB_URI"], self.env["MONGODB_DATABASE"])
        log = self.logs / f"{target.name}-{target.workers}.log"
        env = {**self.env, **dict(target.env), **env}
        return RunningTarget(target.label, target.command, env, log, target.path)

    def _load(self, running: RunningTarget) -> Load:
        return Load(
            running.url,
            self.credentials[running.path],
            self.knobs.connections,
            self.knobs.wrk_threads,
            route="livekit" if running.path == LIVEKIT_TOKEN_PATH else "realtime",
        )

    def _say(self, message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    def throughput(self, target: Target) -> LoadResult:
        with self._running(target) as running:
            return self._measure(running)

    def _measure(self, running: RunningTarget) -> LoadResult:
        self._say(f"{running.label}: {self.knobs.duration_s} s at full speed")
        run_wrk(self._load(running), self.knobs.warmup_s)
        return self._costed_run(running)

    def _costed_run(self, running: RunningTarget, rate: float = 0.0) -> LoadResult:
        """One measured wrk run, with the CPU the server's processes used a request."""
        cpu_before = tree_cpu_seconds(running.pid)
        result = run_wrk(self._load(running), self.knobs.duration_s, rate=rate)
        cpu_us = (tree_cpu_seconds(running.pid) - cpu_before) * 1e6 / max(result.requests, 1)
        return dataclasses.replace(result, cpu_us_per_request=round(cpu_us, 1))

    def paced(self, max_rps: float, fraction: float) -> dict[str, Any]:
        """One process paced at `fraction` of `max_rps` for a run a round; the run of median
        p99."""
        rate = max_rps * fraction
        with self._running(OURS) as running:
            self._say(f"{OURS.label}: {self.knobs.duration_s} s paced at {rate:.0f} req/s")
            run_wrk(self._load(running), self.knobs.warmup_s, rate=rate)
            runs = [self._costed_run(running, rate) for _ in range(self.knobs.rounds)]
        median = sorted(runs, key=lambda result: result.p99_ms)[len(runs) // 2]
        rounds_p99 = [result.p99_ms for result in runs]
        return {
            **median.as_json(),
            "fraction": fraction,
            "target_rps": round(rate, 1),
            "rounds_p99_ms": rounds_p99,
        }

    def median_throughputs(self, targets: list[Target]) -> dict[Target, dict[str, Any]]:
        """Each target once a round, the rounds interleaved; the run of median req/s."""
        runs: dict[Target, list[LoadResult]] = {target: [] for target in targets}
        for _ in range(self.knobs.rounds):
            for target in targets:
                runs[target].append(self.throughput(target))
        return {target: _median_run(results) for target, results in runs.items()}

    def memory(self, rps: float) -> dict[str, Any]:
        knobs = self.knobs
        self._say(f"{OURS.label}: RSS over {knobs.memory_total_requests} requests")
        with self._running(OURS) as running:
            result = soak(
                self._load(running),
                running.pid,
                baseline=knobs.memory_baseline_requests,
                total=knobs.memory_total_requests,
                rps=rps,
                limit_s=knobs.memory_time_limit_s,
            )
        return result.as_json()

    def commands_per_request(self, target: Target, mongodb_uri: str) -> dict[str, Any]:
        sample = self.knobs.command_sample_requests
        self._say(f"{target.label}: MongoDB commands over {sample} sequential requests")
        credentials = _read_credentials(self.credentials[target.path])
        # The expiry sweeper and the webhook relay are background work, not a request's: they
        # are off for this count.
        background_off = {"SWEEP_INTERVAL_SECONDS": "0", "WEBHOOK_POLL_SECONDS": "0"}
        with (
            CommandCountingProxy(mongodb_uri) as proxy,
            self._running(target, MONGODB_URI=proxy.uri, **background_off) as running,
        ):
            try:  # a count that gets no answer is reported, and the rest of the run kept
                # warm every key and agent
                _post_tokens(running.port, target.path, credentials, len(credentials))
                before = proxy.counts()
                answered = _post_tokens(running.port, target.path, credentials, sample)
            except (RuntimeError, OSError) as error:
                self._say(f"{target.label}: no count ({error})")
                return {"total": None, "by_name": {}, "error": str(error)}
            during = proxy.counts() - before
        by_name = {
            name: round(count / answered, 3)
            for name, count in sorted(during.items())
            if name not in HOUSEKEEPING
        }
        return {"total": round(sum(by_name.values()), 3), "by_name": by_name}


def _cpu_ratio(cpu: dict[Target, float | None], other: Target, ours: Target) -> float | None:
    theirs, mine = cpu[other], cpu[ours]
    return None if not theirs or not mine else round(theirs / mine, 2)


def _median_run(results: list[LoadResult]) -> dict[str, Any]:
    median = sorted(results, key=lambda result: result.rps)[len(results) // 2]
    return {
        **median.as_json(),
        "rounds_rps": [result.rps for result in results],
        "rounds_cpu_us_per_request": [result.cpu_us_per_request for result in results],
    }


def _read_credentials(path: Path) -> list[Credential]:
    return [Credential(*line.split()) for line in path.read_text().splitlines()]


def _token_request(path: str, credential: Credential, n: int) -> tuple[str, dict[str, str]]:
    headers = {"Authorization": f"Bearer {credential.api_key}", "Content-Type": "application/json"}
    if path == TOKEN_PATH:
        return json.dumps({"agent_id": credential.agent_id, "metadata": {"n": n}}), headers
    dispatch = {"agent_name": credential.agent_id, "metadata": json.dumps({"n": n})}
    body = json.dumps({"room_config": {"agents": [dispatch]}})
    return body, {**headers, "Origin": BENCH_ORIGIN}


def _post_tokens(port: int, path: str, credentials: list[Credential], count: int) -> int:
    """Sequential POSTs on one keep-alive connection; returns how many were answered 2xx."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answered = 0
    try:
        for n in range(count):
            body, headers = _token_request(path, credentials[n % len(credentials)], n)
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            response.read()
            answered += 200 <= response.status < 300
    finally:
        connection.close()
    if answered == 0:
        raise RuntimeError("no token request was answered 2xx")
    return answered


def run(knobs: Knobs, scratch: Path, logs: Path, stamp: str) -> dict[str, Any]:
    load_at_start = load_average()
    commit = measured_commit()
    signing = measure_signers()
    with seeded_mongodb(scratch, f"bench_{stamp.lower()}") as mongodb:
        env = {**mongodb.env, CREDENTIALS_ENV: str(mongodb.credentials)}
        credentials = {
            TOKEN_PATH: mongodb.credentials,
            LIVEKIT_TOKEN_PATH: mongodb.publishable_credentials,
        }
        bench = Bench(knobs, env, credentials, logs)
        targets = [FLOOR, PEER, NODE_PEER, OURS, OURS_LIVEKIT, OURS_2]
        targets += [OURS_IN_MEMORY, NODE_PEER_IN_MEMORY]
        load = bench.median_throughputs(targets)
        floor, peer, ours, ours_2 = (load[t]["rps"] for t in (FLOOR, PEER, OURS, OURS_2))
        node, in_memory = load[NODE_PEER]["rps"], load[OURS_IN_MEMORY]["rps"]
        node_in_memory = load[NODE_PEER_IN_MEMORY]["rps"]
        livekit = load[OURS_LIVEKIT]["rps"]
        cpu = {target: load[target]["cpu_us_per_request"] for target in targets}
        curve = [bench.paced(ours, fraction) for fraction in knobs.curve_fractions]
        paced = bench.paced(ours, knobs.paced_fraction)
        memory = bench.memory(ours)
        commands = {
            "ours": bench.commands_per_request(OURS, mongodb.uri),
            "ours /v1/livekit/token": bench.commands_per_request(OURS_LIVEKIT, mongodb.uri),
            "peer": bench.commands_per_request(PEER, mongodb.uri),
            "node peer": bench.commands_per_request(NODE_PEER, mongodb.uri),
        }
    result: dict[str, Any] = {
        "measured_at": stamp,
        "commit": commit,
        "machine": {**describe_machine(), "load_average_at_start": load_at_start},
        "mongodb": mongodb.kind,
        "knobs": asdict(knobs),
        "signing": signing,
        "load": {target.label: run for target, run in load.items()},
        "paced": paced,
        "latency_curve": curve,
        "ratios": {
            "ours/peer": round(ours / peer, 2),
            "ours/node peer": round(ours / node, 2),
            "ours/floor": round(ours / floor, 2),
            "ours in memory/floor": round(in_memory / floor, 2),
            "ours in memory/node peer in memory": round(in_memory / node_in_memory, 2),
            "ours 2 workers / 1 worker": round(ours_2 / ours, 2),
            "ours /v1/livekit/token / ours /v1/realtime/token": round(livekit / ours, 2),
        },
        # The same comparisons by CPU a request (the other's over ours): what each token costs
        # a core, not only how fast one process answers beside wrk and MongoDB.
        "cpu_ratios": {
            "ours/peer": _cpu_ratio(cpu, PEER, OURS),
            "ours/node peer": _cpu_ratio(cpu, NODE_PEER, OURS),
            "ours in memory/floor": _cpu_ratio(cpu, FLOOR, OURS_IN_MEMORY),
            "ours in memory/node peer in memory": _cpu_ratio(
                cpu, NODE_PEER_IN_MEMORY, OURS_IN_MEMORY
            ),
        },
        "mongo_commands_per_request": commands,
        "memory": memory,
    }
    result["targets"] = targets_met(result)
    return result


def main() -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    logs = RESULTS / f"{stamp}-logs"
    logs.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="realtime-tokens-bench-") as scratch:
        result = run(Knobs.from_env(), Path(scratch), logs, stamp)
    json_path = RESULTS / f"{stamp}.json"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    png_path = plot(result, json_path.with_suffix(".png"))
    print(render(result))
    print(f"\nwrote {json_path} and {png_path}")


if __name__ == "__main__":
    main()
