"""What the numbers were measured on, and which commit was measured."""

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: above the core count, something else was running."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def describe_machine() -> dict[str, Any]:
    cores = os.cpu_count() or 0
    cpu = _cpu_model()
    memory = _memory_gib()
    return {
        "cores": cores,
        "cpu": cpu,
        "memory_gib": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_end": load_average(),
        "summary": f"{cores} cores {cpu}, {memory} GiB, Python {platform.python_version()}",
    }


def measured_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    return commit + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
