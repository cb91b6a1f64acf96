"""The contract with workers: queue and task names, the messages the API sends, and where each training task's
artifacts live in storage.

A worker needs only these messages, the storage and the API URL: everything else it reads from storage.
"""

from __future__ import annotations

from pydantic import BaseModel

CPU_QUEUE = "cpu_queue"
GPU_QUEUE = "gpu_queue"

PREPARE_TASK = "trainnet.prepare_task"
TRAIN_SHARD_TASK = "trainnet.train_shard_task"
FINALIZE_ROUND_TASK = "trainnet.finalize_round_task"
GENERATE_DATASET_TASK = "trainnet.generate_dataset_task"
VALIDATE_DATASET_TASK = "trainnet.validate_dataset_task"
FINE_TUNE_LORA_TASK = "trainnet.fine_tune_lora_task"
DISCARD_ROUND_WEIGHTS_TASK = "trainnet.discard_round_weights_task"


class TaskLayout:
    """Storage keys of one training task (artifacts bucket), and of its final model (models bucket)."""

    def __init__(self, task_id: str):
        self.task_id = task_id
        self.root = f"tasks/{task_id}"

    @property
    def eval_data(self) -> str:
        return f"{self.root}/data/eval.jsonl"

    @property
    def validation_data(self) -> str:
        """Rows carved out of the training rows to choose the best round (early stopping only)."""
        return f"{self.root}/data/validation.jsonl"

    def shard_data(self, index: int) -> str:
        return f"{self.root}/data/shard-{index}.jsonl"

    @property
    def base(self) -> str:
        """Prefix of the initial Hugging Face directory (config, preprocessor, round-0 weights)."""
        return f"{self.root}/base"

    def global_weights(self, round_: int) -> str:
        """Weights every shard of `round_` starts from (round 0 starts from the base directory's)."""
        return f"{self.base}/model.safetensors" if round_ == 0 else f"{self.root}/rounds/{round_}/global.safetensors"

    def shard_weights(self, round_: int, index: int) -> str:
        return f"{self.root}/rounds/{round_}/shard-{index}.safetensors"

    def kept_weights(self, round_: int) -> str:
        """The averaged weights of a round among the best so far by validation accuracy (early stopping only): the
        ingredients of the final model's soup."""
        return f"{self.root}/rounds/kept/{round_}.safetensors"

    def round_prefix(self, round_: int) -> str:
        return f"{self.root}/rounds/{round_}/"

    @property
    def rounds_prefix(self) -> str:
        """Every round's weights (shard results and averaged starting points); none of it outlives the task."""
        return f"{self.root}/rounds/"

    @staticmethod
    def model_archive(model_id: str) -> str:
        return f"{model_id}/model.zip"

    @staticmethod
    def model_evaluation(model_id: str) -> str:
        """The model's evaluation report (also inside the zip), readable without unpacking it."""
        return f"{model_id}/evaluation.json"


class PrepareJob(BaseModel):
    task_id: str
    model_type: str
    kind: str
    base_model: str | None
    label_names: list[str]
    num_shards: int
    params: dict


class ShardJob(BaseModel):
    task_id: str
    round: int
    index: int
    attempt: int
    kind: str
    params: dict
    pretrained: bool


class DiscardJob(BaseModel):
    """Delete the round weights of a task that ended in error (a finished task's finalizer deleted its own)."""

    task_id: str


class ShardInRound(BaseModel):
    index: int
    rows: int


class ValidationScore(BaseModel):
    accuracy: float
    loss: float


class RoundJob(BaseModel):
    """Average one round. With early stopping, `validation_history` holds the earlier rounds' validation scores and
    the timings the time budget is checked against, so the finalizer decides whether to stop (`rules.after_round`);
    re-running it decides the same."""

    task_id: str
    round: int
    rounds_total: int
    kind: str
    model_type: str
    params: dict
    shards: list[ShardInRound]
    model_id: str
    info: dict
    dataset_name: str
    validation_history: list[ValidationScore] | None = None
    elapsed_seconds: float = 0.0
    seconds_per_round: float = 0.0


class StoredFile(BaseModel):
    """A dataset file in the datasets bucket, with the name its format is read from."""

    key: str
    name: str


class GenerateJob(BaseModel):
    dataset_id: str
    seed: StoredFile
    output_key: str
    teacher: dict
    config: dict


class ValidateJob(BaseModel):
    dataset_id: str
    data: StoredFile
    references: StoredFile | None = None
    policy: dict = {}


class LoraJobSpec(BaseModel):
    job_id: str
    dataset_id: str
    data: StoredFile
    base_model: str
    n_trials: int
    config: dict = {}
