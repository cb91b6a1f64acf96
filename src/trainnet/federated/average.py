"""Weighted federated averaging of model weights (FedAvg). A pure function: no I/O, no framework."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch


def average_weights(state_dicts: Sequence[Mapping[str, torch.Tensor]], weights: Sequence[float]) -> dict:
    """Average state dicts, each weighted by `weights` (e.g. its shard's row count).

    Floating tensors (parameters and BatchNorm running statistics) are averaged in float64 and cast back.
    Integer buffers such as BatchNorm's `num_batches_tracked` get the rounded weighted average, so a counter
    stays a counter; boolean buffers keep the weighted majority.
    """
    if not state_dicts:
        raise ValueError("average_weights needs at least one state dict")
    if len(state_dicts) != len(weights):
        raise ValueError(f"{len(state_dicts)} state dicts but {len(weights)} weights")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {list(weights)}")
    keys = list(state_dicts[0])
    for i, sd in enumerate(state_dicts[1:], start=1):
        if set(sd) != set(keys):
            missing = sorted(set(keys) ^ set(sd))[:3]
            raise ValueError(f"state dict {i} has different keys from state dict 0 (e.g. {missing})")
    total = float(sum(weights))
    fractions = [w / total for w in weights]
    averaged = {}
    for key in keys:
        tensors = [sd[key] for sd in state_dicts]
        first = tensors[0]
        for t in tensors[1:]:
            if t.shape != first.shape or t.dtype != first.dtype:
                raise ValueError(f"{key}: shapes/dtypes differ ({first.shape}/{first.dtype} vs {t.shape}/{t.dtype})")
        mean = torch.zeros_like(first, dtype=torch.float64)
        for t, f in zip(tensors, fractions):
            mean += t.to(torch.float64) * f
        if first.is_floating_point() or first.is_complex():
            averaged[key] = mean.to(first.dtype)
        elif first.dtype == torch.bool:
            averaged[key] = mean >= 0.5
        else:
            averaged[key] = torch.round(mean).to(first.dtype)
    return averaged
