"""How many CPU cores a job may use: the ones this process may run on, and of those, the ones that are idle now.

A generation that is the only job on a machine should use every core; one that starts beside a training shard
should not fight it for the cores it already keeps busy.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_STAT = Path("/proc/stat")


def usable_cores() -> int:
    """Cores this process may be scheduled on (its CPU affinity; a container's cpuset shows here)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def free_cores(sample_s: float = 0.25) -> int:
    """Usable cores that were idle over the last `sample_s` seconds, at least 1.

    Measured from /proc/stat (idle and iowait time of the whole machine); where it cannot be read, every usable
    core counts as free.
    """
    cores = usable_cores()
    before = _idle_and_total()
    if before is None:
        return cores
    time.sleep(sample_s)
    after = _idle_and_total()
    if after is None or after[1] <= before[1]:
        return cores
    idle_fraction = (after[0] - before[0]) / (after[1] - before[1])
    machine_cores = os.cpu_count() or cores
    return max(1, min(cores, round(idle_fraction * machine_cores)))


def _idle_and_total() -> tuple[int, int] | None:
    try:
        fields = [int(value) for value in _STAT.read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return idle, sum(fields[:8])
