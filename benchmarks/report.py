"""The bench's verdict: a table on stdout and the targets (issue 19's figures, and the rules
that hold since issue 6), met or missed."""

from collections.abc import Callable
from typing import Any

Result = dict[str, Any]

TARGETS: dict[str, Callable[[Result], bool]] = {
    "ours >= 4x Python peer (rps)": lambda r: r["ratios"]["ours/peer"] >= 4.0,
    "ours >= 2x Node peer (rps)": lambda r: r["ratios"]["ours/node peer"] >= 2.0,
    "ours in memory >= 0.6x floor (rps)": lambda r: r["ratios"]["ours in memory/floor"] >= 0.6,
    "ours in memory >= 0.8x Node peer in memory (rps)": lambda r: (
        r["ratios"]["ours in memory/node peer in memory"] >= 0.8
    ),
    "p99 <= 10 ms at 80% of max": lambda r: r["paced"]["p99_ms"] <= 10.0,
    "paced run kept its rate (>= 95%)": lambda r: (
        r["paced"]["rps"] >= 0.95 * r["paced"]["target_rps"]
    ),
    "1 MongoDB command per request, every token route": lambda r: all(
        commands["total"] == 1.0
        for name, commands in r["mongo_commands_per_request"].items()
        if name.startswith("ours")
    ),
    "/v1/livekit/token >= 0.9x /v1/realtime/token (rps)": lambda r: (
        r["ratios"]["ours /v1/livekit/token / ours /v1/realtime/token"] >= 0.9
    ),
    "RSS at 100k within 5% of 10k": lambda r: r["memory"]["growth"] <= 1.05,
    "no errors": lambda r: (
        r["memory"]["errors"] == 0
        and all(run["errors"] == 0 for run in [*r["load"].values(), *paced_runs(r)])
    ),
}


def paced_runs(result: Result) -> list[dict[str, Any]]:
    return [*result["latency_curve"], result["paced"]]


def paced_label(run: dict[str, Any]) -> str:
    return f"ours paced @{run['target_rps']:.0f}/s ({run['fraction']:.0%} of max)"


def targets_met(result: dict[str, Any]) -> dict[str, bool]:
    met: dict[str, bool] = {}
    for name, check in TARGETS.items():
        try:
            met[name] = bool(check(result))
        except (KeyError, TypeError):
            met[name] = False
    return met


def _row(label: str, run: dict[str, Any]) -> str:
    cpu = run.get("cpu_us_per_request")
    return (
        f"{label:<40}{run['rps']:>9.0f}{run['p50_ms']:>9.2f}{run['p99_ms']:>9.2f}"
        f"{run['p999_ms']:>10.2f}{run['errors']:>8}{'' if cpu is None else f'{cpu:>12.0f}'}"
    )


def render(result: dict[str, Any]) -> str:
    lines = [
        f"realtime-tokens bench {result['measured_at']} @ {result['commit']}",
        f"machine: {result['machine']['summary']}; MongoDB: {result['mongodb']}",
        f"load average (1/5/15 min) at start {result['machine']['load_average_at_start']}, "
        f"at end {result['machine']['load_average_at_end']}",
        "",
        f"{'target':<40}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p99.9 ms':>10}{'errors':>8}"
        f"{'CPU us/req':>12}",
    ]
    lines += [_row(label, run) for label, run in result["load"].items()]
    lines += [_row(paced_label(run), run) for run in paced_runs(result)]
    lines.append("")
    lines += [f"{name}: {value}" for name, value in result["ratios"].items()]
    cpu_ratios = result.get("cpu_ratios", {}).items()
    lines += [f"{name}, by CPU a request: {value}" for name, value in cpu_ratios]
    for name, commands in result["mongo_commands_per_request"].items():
        counted = f"{commands['total']} {commands['by_name']}"
        lines.append(f"MongoDB commands/request, {name}: {commands.get('error', counted)}")
    memory = result["memory"]
    lines.append(
        f"RSS ours: {memory['rss_kib_at_baseline'] / 1024:.1f} MiB after "
        f"{memory['requests_at_baseline']} requests, {memory['rss_kib_at_end'] / 1024:.1f} MiB "
        f"after {memory['requests_at_end']} (x{memory['growth']})"
    )
    signing = result["signing"]
    lines.append(
        f"signing: AccessToken {signing['access_token_us']} us, direct HS256 "
        f"{signing['direct_hs256_us']} us per token (x{signing['speedup']})"
    )
    lines.append("")
    lines += [f"[{'met' if ok else 'MISSED'}] {name}" for name, ok in result["targets"].items()]
    return "\n".join(lines)
