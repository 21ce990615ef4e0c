"""A server's process tree, read from /proc: its resident memory and the CPU time it used
(uvicorn's workers are child processes of the one the bench started)."""

import os
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(child) for child in task.read_text().split())
    return found


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(_children(current))
    return found


def tree_rss_kib(pid: int) -> int:
    """VmRSS of `pid` and all its descendants."""
    total = 0
    for current in tree(pid):
        for line in Path(f"/proc/{current}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def tree_cpu_seconds(pid: int) -> float:
    """User and system CPU time of `pid` and its live descendants so far."""
    ticks = 0
    for current in tree(pid):
        # The fields after the command's closing parenthesis; utime and stime are 14 and 15.
        fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / _CLOCK_TICKS
