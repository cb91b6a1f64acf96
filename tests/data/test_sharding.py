from collections import Counter

import pytest

from trainnet.data.parsing import DatasetError
from trainnet.data.sharding import make_shards, split_holdout


def test_holdout_is_stratified_and_disjoint():
    labels = [0] * 80 + [1] * 20
    train, evaluation = split_holdout(labels, 0.2, seed=1)
    assert not set(train) & set(evaluation) and len(train) + len(evaluation) == 100
    assert Counter(labels[i] for i in evaluation) == {0: 16, 1: 4}


def test_holdout_is_reproducible_from_its_seed():
    labels = [i % 3 for i in range(60)]
    assert split_holdout(labels, 0.2, seed=7) == split_holdout(labels, 0.2, seed=7)
    assert split_holdout(labels, 0.2, seed=7) != split_holdout(labels, 0.2, seed=8)


def test_shards_cover_the_training_rows_once_with_balanced_classes():
    labels = [0] * 40 + [1] * 20
    shards = make_shards(labels, list(range(60)), 4)
    assert sorted(i for s in shards for i in s) == list(range(60))
    assert {len(s) for s in shards} == {15}
    for shard in shards:
        assert Counter(labels[i] for i in shard) == {0: 10, 1: 5}


def test_too_few_rows_for_the_shards_is_an_error():
    with pytest.raises(DatasetError, match="too few for 4 shards"):
        make_shards([0, 1] * 3, list(range(6)), 4)


def test_a_tiny_dataset_cannot_hold_out_an_eval_split():
    with pytest.raises(DatasetError, match="too few"):
        split_holdout([0, 1], 0.2)
