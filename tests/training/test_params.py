from trainnet.training.params import TrainingParams


def test_pretrained_shards_split_the_batch_and_random_init_shards_keep_it():
    assert TrainingParams(batch_size=16, num_shards=4).shard_batch_size(pretrained=True) == 4
    assert TrainingParams(batch_size=16, num_shards=3).shard_batch_size(pretrained=True) == 5
    assert TrainingParams(batch_size=2, num_shards=8).shard_batch_size(pretrained=True) == 1
    assert TrainingParams(batch_size=16, num_shards=1).shard_batch_size(pretrained=True) == 16
    assert TrainingParams(batch_size=16, num_shards=4).shard_batch_size(pretrained=False) == 16


def test_only_a_random_init_gets_the_shared_warm_up():
    assert TrainingParams().shared_warmup_epochs(pretrained=False) == 1
    assert TrainingParams(warmup_epochs=3).shared_warmup_epochs(pretrained=False) == 3
    assert TrainingParams(warmup_epochs=0).shared_warmup_epochs(pretrained=False) == 0
    assert TrainingParams(warmup_epochs=3).shared_warmup_epochs(pretrained=True) == 0


def test_the_warm_up_takes_its_share_of_the_progress_by_epochs():
    assert TrainingParams(warmup_epochs=1, rounds=3, epochs=6).warmup_share() == 1 / 19
    assert TrainingParams(warmup_epochs=0, rounds=3, epochs=6).warmup_share() == 0
