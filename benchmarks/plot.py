"""A small PNG beside the JSON: throughput and latency percentiles of every run."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.report import paced_label, paced_runs


def plot(result: dict[str, Any], path: Path) -> Path:
    full_speed = list(result["load"])
    runs = {**result["load"], **{paced_label(run): run for run in paced_runs(result)}}
    labels = list(runs)
    positions = range(len(labels))
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(13, 4.5))
    throughput.bar(full_speed, [runs[x]["rps"] for x in full_speed], color="#4878a8")
    throughput.set_ylabel("requests/s")
    throughput.set_title("Throughput")
    width = 0.27
    for offset, (key, name) in enumerate(
        (("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9"))
    ):
        latency.bar(
            [p + (offset - 1) * width for p in positions],
            [runs[x][key] for x in labels],
            width,
            label=name,
        )
    latency.set_xticks(list(positions), labels)
    latency.set_yscale("log")
    latency.set_ylabel("ms (log)")
    latency.set_title("Latency")
    latency.legend()
    for axis in (throughput, latency):
        plt.setp(axis.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    figure.suptitle(f"realtime-tokens @ {result['commit']} — {result['machine']['summary']}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
