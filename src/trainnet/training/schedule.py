"""The learning-rate curve of a task, which every job follows a stretch of."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class LrSchedule:
    """The learning rate over a task's training, as a factor of the peak rate at each point of its progress (0: the
    start of the shared warm-up, 1: the end of the last round): a linear warm-up over the first `warmup` share, then
    `decay` ("cosine", "linear" or "none") down to 0 at 1. One job covers [`start`, `end`] of that progress with its
    steps spread evenly, so the shards of a round follow the same stretch of one curve."""

    start: float = 0.0
    end: float = 1.0
    warmup: float = 0.0
    decay: str = "none"

    def factor(self, step: int, total_steps: int) -> float:
        width = (self.end - self.start) / max(total_steps, 1)
        progress = self.start + width * step
        if self.warmup > 0 and progress < self.warmup:
            return min(1.0, (progress + width) / self.warmup)
        if self.decay == "none":
            return 1.0
        rest = min(1.0, (progress - self.warmup) / max(1e-9, 1.0 - self.warmup))
        return 0.5 * (1 + math.cos(math.pi * rest)) if self.decay == "cosine" else 1.0 - rest
