"""Where a benchmarked stage's CPU went: this process, and the whole machine.

On two cores a stage whose process waits on the database or on a projection
follower is not idle: the server and the follower use the other core. The
machine's busy time (``/proc/stat``) beside the process's own says whether a
change saved work or only moved it; it counts everything the machine did, so
measure with other work paused.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
_IDLE_FIELDS = (3, 4)  # idle, iowait in the "cpu" line of /proc/stat


def _process_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_s() -> float:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(value for index, value in enumerate(fields[:8]) if index not in _IDLE_FIELDS)
    return busy / _TICKS_PER_S


@dataclass
class CpuMeter:
    process_s: float = 0.0
    machine_s: float = 0.0

    def __enter__(self) -> CpuMeter:
        self._process_start, self._machine_start = _process_cpu_s(), _machine_busy_s()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.process_s = _process_cpu_s() - self._process_start
        self.machine_s = _machine_busy_s() - self._machine_start

    def summary(self) -> str:
        others = max(self.machine_s - self.process_s, 0.0)
        return (
            f"cpu: {self.process_s:.2f}s this process, {self.machine_s:.2f}s the machine "
            f"({others:.2f}s others: projection follower, database server, anything else running)"
        )


def machine_reference_s(rounds: int = 3) -> float:
    """Seconds for a fixed pure-Python workload, the best of ``rounds``: the machine's speed.

    The project machine is virtual and shared: on 2026-11-25 it ran the same code two to
    three times slower in one session than in the one before, and a loop of ten million
    additions took 1.0-1.6 s from one minute to the next. Printed beside a benchmark's
    figures (before and after it), this tells a slow machine from slow code."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        _reference_workload()
        best = min(best, time.perf_counter() - started)
    return best


def _reference_workload() -> None:
    # What the bulk paths do most: small dicts, Decimal cents arithmetic, string keys.
    total = Decimal(0)
    seen: dict[str, Decimal] = {}
    for n in range(200_000):
        amount = Decimal(n % 10_000) / 100
        total += amount
        seen[f"E{n % 5_000:07d}"] = amount


def reference_summary(before_s: float) -> str:
    """The reference measured again now, beside the one taken before the benchmark."""
    after_s = machine_reference_s()
    return (
        f"machine reference (bench/cpu.py, lower is faster): {before_s:.3f} s before, {after_s:.3f} s after"
    )
