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
from dataclasses import dataclass
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
