"""The device a job trains on."""

from __future__ import annotations

import torch


def training_device() -> torch.device:
    """CUDA when this worker has a GPU, else the CPU. Called per job, never at import, so CUDA is not touched in a
    process that forks workers."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
