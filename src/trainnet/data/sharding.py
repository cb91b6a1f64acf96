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


def split_holdout(
    labels: list[int], eval_fraction: float, seed: int = 0, indices: list[int] | None = None
) -> tuple[list[int], list[int]]:
    """Row indices (train, eval) of `indices` (default: every row): each class contributes `eval_fraction` of its
    rows to eval (at least one row for classes with two or more), so both splits keep the class balance."""
    if not 0 < eval_fraction < 1:
        raise DatasetError(f"eval_fraction must be between 0 and 1, got {eval_fraction}")
    rng = random.Random(seed)
    train, evaluation = [], []
    rows = list(range(len(labels))) if indices is None else indices
    for members in _by_class(labels, rows, rng).values():
        n_eval = max(1, round(len(members) * eval_fraction)) if len(members) >= 2 else 0
        evaluation += members[:n_eval]
        train += members[n_eval:]
    if len(evaluation) < 2:
        raise DatasetError(f"{len(rows)} rows are too few to hold out an evaluation split")
    return sorted(train), sorted(evaluation)


def validation_fraction(train_rows: int) -> float:
    """The share of the training rows held out to choose the best round: AutoGluon's `default_holdout_frac`,
    which grows the split towards 500 rows on small data (at most 20%) and towards a stable 2,500 on larger data
    (at most 10%, at least 1%)."""
    if train_rows < 5000:
        return max(0.1, min(0.2, 500.0 / max(1, train_rows)))
    return max(0.01, min(0.1, 2500.0 / train_rows))


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
