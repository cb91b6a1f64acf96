"""Plan a training task from an uploaded table: examples, the held-out evaluation split and the shards."""

from __future__ import annotations

from dataclasses import dataclass

from trainnet.data.examples import ColumnMapping, Examples, build_examples, check_images, to_records
from trainnet.data.parsing import DatasetError, Table
from trainnet.data.sharding import make_shards, split_holdout, validation_fraction
from trainnet.training.params import TrainingParams


@dataclass
class TaskPlan:
    """The rows of a task: the held-out evaluation split (the reported scores), the validation split carved out
    of the training rows when the task stops early (it chooses the best round), and the shards."""

    examples: Examples
    eval_indices: list[int]
    shards: list[list[int]]
    validation_indices: list[int]

    @property
    def shard_rows(self) -> list[int]:
        return [len(s) for s in self.shards]

    def eval_records(self) -> bytes:
        return to_records(self.examples, self.eval_indices)

    def shard_records(self, index: int) -> bytes:
        return to_records(self.examples, self.shards[index])

    def validation_records(self) -> bytes:
        return to_records(self.examples, self.validation_indices)


def plan_task(table: Table, kind: str, mapping: ColumnMapping, params: TrainingParams) -> TaskPlan:
    """Check the data fits the model kind and cut it; raises DatasetError naming any problem."""
    examples = build_examples(table, kind, mapping)
    check_images(examples)
    train, evaluation = split_holdout(examples.labels, params.eval_fraction, params.seed)
    validation: list[int] = []
    if params.wants_validation:
        train, validation = split_holdout(examples.labels, validation_fraction(len(train)), params.seed + 1, train)
    shards = make_shards(examples.labels, train, params.num_shards, params.seed)
    if any(len(set(examples.labels[i] for i in shard)) < 1 for shard in shards):
        raise DatasetError("a shard came out empty")
    return TaskPlan(examples, evaluation, shards, validation)
