import pytest

from trainnet.training.params import AUTO_MAX_ROUNDS, TrainingParams, epochs_for


def test_pretrained_shards_split_the_batch_and_random_init_shards_keep_it():
    assert TrainingParams(batch_size=16, num_shards=4).shard_batch_size(pretrained=True) == 4
    assert TrainingParams(batch_size=16, num_shards=3).shard_batch_size(pretrained=True) == 5
    assert TrainingParams(batch_size=2, num_shards=8).shard_batch_size(pretrained=True) == 1
    assert TrainingParams(batch_size=16, num_shards=1).shard_batch_size(pretrained=True) == 16
    assert TrainingParams(batch_size=16, num_shards=4).shard_batch_size(pretrained=False) == 16


def test_only_a_random_init_gets_the_shared_warm_up():
    assert TrainingParams(warmup_epochs=1).shared_warmup_epochs(pretrained=False) == 1
    assert TrainingParams(warmup_epochs=3).shared_warmup_epochs(pretrained=False) == 3
    assert TrainingParams(warmup_epochs=0).shared_warmup_epochs(pretrained=False) == 0
    assert TrainingParams(warmup_epochs=3).shared_warmup_epochs(pretrained=True) == 0


def test_the_warm_up_takes_its_share_of_the_progress_by_epochs():
    assert TrainingParams(warmup_epochs=1, rounds=3, epochs=6).warmup_share() == 1 / 19
    assert TrainingParams(warmup_epochs=0, rounds=3, epochs=6).warmup_share() == 0


def test_auto_resolves_from_the_data_size_and_turns_early_stopping_on():
    params = TrainingParams(num_shards=4, batch_size=16)  # every budget field left at auto
    assert params.wants_validation and not params.early_stopping
    small = params.resolve([240, 240, 240, 240])  # 15 steps a shard epoch, 60 a warm-up epoch (17 for 1,000 steps)
    assert (small.rounds, small.epochs, small.warmup_epochs, small.early_stopping) == (AUTO_MAX_ROUNDS, 2, 16, True)
    middle = params.resolve([500] * 4)  # 125 steps a warm-up epoch: 8 make 1,000
    assert middle.warmup_epochs == 8
    large = params.resolve([20_000] * 4)  # a shard epoch is already 1,250 steps
    assert (large.epochs, large.warmup_epochs) == (1, 1)
    fixed = TrainingParams(rounds=3, epochs=2, warmup_epochs=1).resolve([240, 240])
    assert (fixed.rounds, fixed.epochs, fixed.warmup_epochs, fixed.early_stopping) == (3, 2, 1, False)
    assert not fixed.wants_validation


def test_unresolved_auto_values_are_refused_where_a_number_is_needed():
    with pytest.raises(ValueError, match="resolve"):
        _ = TrainingParams().round_count
    with pytest.raises(ValueError, match="resolve"):
        _ = TrainingParams(rounds=2).local_epochs


def test_epochs_for_a_step_target_stay_between_one_and_the_most():
    assert epochs_for(100, 240, 16, 10) == 7
    assert epochs_for(150, 240, 16, 2) == 2
    assert epochs_for(100, 10, 16, 10) == 10
    assert epochs_for(100, 100_000, 16, 10) == 1


def test_the_learning_rate_warms_up_then_decays_over_the_whole_task_and_the_jobs_tile_it():
    params = TrainingParams(warmup_epochs=1, rounds=3, epochs=3, lr_warmup=0.1, lr_decay="cosine")
    warm, rounds = params.lr_schedule(False, None), [params.lr_schedule(False, r) for r in range(3)]
    assert (warm.start, warm.end) == (0, 0.1)
    assert [(s.start, s.end) for s in rounds] == [(0.1, 0.4), (0.4, 0.7), (0.7, 1.0)]
    assert 0 < warm.factor(0, 10) <= 0.11 and abs(warm.factor(9, 10) - 1) < 1e-9
    assert rounds[2].factor(9, 10) < 0.01
    factors = [s.factor(k, 10) for s in rounds for k in range(10)]
    assert factors == sorted(factors, reverse=True)


def test_pretrained_weights_keep_a_constant_rate_and_only_random_init_images_are_shifted():
    params = TrainingParams(rounds=2, epochs=2, warmup_epochs=1)
    assert params.lr_schedule(True, 0) is None and params.lr_schedule(False, 0) is not None
    assert params.resolved_augment_shift("image", pretrained=False) == 2
    assert params.resolved_augment_shift("image", pretrained=True) == 0
    assert params.resolved_augment_shift("text", pretrained=False) == 0
    assert TrainingParams(augment_shift=0).resolved_augment_shift("image", pretrained=False) == 0
