"""Hold out a stratified evaluation split and cut the rest into stratified shards. Pure functions."""

from __future__ import annotations

import random
from collections import defaultdict

from trainnet.data.parsing import DatasetError

MIN_ROWS_PER_SHARD = 2


def _by_class(labels: list[int], indices: list[int], rng: random.Random) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i in indices:
        groups[labels[i]].append(i)
    for members in groups.values():
        rng.shuffle(members)
    return dict(sorted(groups.items()))


def split_holdout(labels: list[int], eval_fraction: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """Row indices (train, eval): each class contributes `eval_fraction` of its rows to eval (at least one
    row for classes with two or more), so both splits keep the class balance."""
    if not 0 < eval_fraction < 1:
        raise DatasetError(f"eval_fraction must be between 0 and 1, got {eval_fraction}")
    rng = random.Random(seed)
    train, evaluation = [], []
    for members in _by_class(labels, list(range(len(labels))), rng).values():
        n_eval = max(1, round(len(members) * eval_fraction)) if len(members) >= 2 else 0
        evaluation += members[:n_eval]
        train += members[n_eval:]
    if len(evaluation) < 2:
        raise DatasetError(f"{len(labels)} rows are too few to hold out an evaluation split")
    return sorted(train), sorted(evaluation)


def make_shards(labels: list[int], indices: list[int], num_shards: int, seed: int = 0) -> list[list[int]]:
    """Deal `indices` into `num_shards` shards class by class, so each shard has the overall class mix
    and shard sizes differ by at most one row."""
    if num_shards < 1:
        raise DatasetError(f"num_shards must be at least 1, got {num_shards}")
    needed = num_shards * MIN_ROWS_PER_SHARD
    if len(indices) < needed:
        raise DatasetError(
            f"{len(indices)} training rows are too few for {num_shards} shards "
            f"(each shard needs at least {MIN_ROWS_PER_SHARD}; use fewer shards or more data)"
        )
    rng = random.Random(seed + 1)
    shards: list[list[int]] = [[] for _ in range(num_shards)]
    position = 0
    for members in _by_class(labels, indices, rng).values():
        for i in members:
            shards[position % num_shards].append(i)
            position += 1
    return [sorted(s) for s in shards]
