"""Environment knobs of `make bench`; the defaults keep one run under ten minutes on 2 cores."""

import os
from dataclasses import dataclass


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def _fractions(name: str, default: str) -> tuple[float, ...]:
    raw = os.environ.get(name, default)
    return tuple(float(part) for part in raw.split(",") if part.strip())


@dataclass(frozen=True, slots=True)
class Knobs:
    duration_s: int
    rounds: int
    warmup_s: int
    connections: int
    wrk_threads: int
    paced_fraction: float
    curve_fractions: tuple[float, ...]
    memory_baseline_requests: int
    memory_total_requests: int
    memory_time_limit_s: int
    command_sample_requests: int

    @classmethod
    def from_env(cls) -> "Knobs":
        return cls(
            duration_s=int(_number("BENCH_DURATION", 10)),
            rounds=int(_number("BENCH_ROUNDS", 1)),
            warmup_s=int(_number("BENCH_WARMUP", 2)),
            connections=int(_number("BENCH_CONNECTIONS", 32)),
            wrk_threads=int(_number("BENCH_WRK_THREADS", 1)),
            paced_fraction=_number("BENCH_PACED_FRACTION", 0.8),
            curve_fractions=_fractions("BENCH_CURVE_FRACTIONS", "0.25,0.5"),
            memory_baseline_requests=int(_number("BENCH_MEMORY_BASELINE", 10_000)),
            memory_total_requests=int(_number("BENCH_MEMORY_REQUESTS", 100_000)),
            memory_time_limit_s=int(_number("BENCH_MEMORY_TIME_LIMIT", 300)),
            command_sample_requests=int(_number("BENCH_COMMAND_SAMPLE", 200)),
        )
