"""Models and the training of one shard: the model zoo, encoding batches, the shard trainer, evaluation."""
