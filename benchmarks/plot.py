"""A small PNG beside the JSON: throughput and latency percentiles of every run."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot(result: dict[str, Any], path: Path) -> Path:
    runs = dict(result["load"])
    runs[f"ours paced @{result['paced']['target_rps']:.0f}/s"] = result["paced"]
    labels = list(runs)
    positions = range(len(labels))
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(11, 4))
    throughput.bar(labels[:-1], [runs[x]["rps"] for x in labels[:-1]], color="#4878a8")
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
        axis.tick_params(axis="x", labelrotation=25, labelsize=8)
    figure.suptitle(f"realtime-tokens @ {result['commit']} — {result['machine']['summary']}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
