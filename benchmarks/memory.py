"""A server's resident memory over a count-bounded soak."""

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.process_tree import tree_rss_kib
from benchmarks.wrk import Load, run_wrk

_MAX_CHUNK_S = 30


@dataclass(frozen=True, slots=True)
class MemoryResult:
    requests_at_baseline: int
    rss_kib_at_baseline: int
    requests_at_end: int
    rss_kib_at_end: int
    errors: int
    seconds: float

    @property
    def growth(self) -> float:
        return self.rss_kib_at_end / self.rss_kib_at_baseline

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "growth": round(self.growth, 4)}


def soak(load: Load, pid: int, baseline: int, total: int, rps: float, limit_s: int) -> MemoryResult:
    """Drive `total` requests in wrk runs of at most 30 s, sampling RSS once `baseline` have
    been answered and again at the end; stops early when `limit_s` runs out."""
    started = time.monotonic()
    done = errors = 0
    rss_baseline = -1
    requests_at_baseline = 0
    for goal in (baseline, total):
        while done < goal and time.monotonic() - started < limit_s:
            chunk_s = max(1, min(_MAX_CHUNK_S, math.ceil((goal - done) / max(rps, 1.0))))
            result = run_wrk(load, chunk_s)
            done += result.requests
            errors += result.errors
            rps = result.rps
        if rss_baseline < 0:
            rss_baseline, requests_at_baseline = tree_rss_kib(pid), done
    return MemoryResult(
        requests_at_baseline=requests_at_baseline,
        rss_kib_at_baseline=rss_baseline,
        requests_at_end=done,
        rss_kib_at_end=tree_rss_kib(pid),
        errors=errors,
        seconds=round(time.monotonic() - started, 1),
    )
