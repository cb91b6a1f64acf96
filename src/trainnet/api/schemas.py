"""Request and response schemas at the API's edge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trainnet.lora import playground
from trainnet.status import DatasetStatus, LoraJobStatus, RoundStatus, ShardStatus, TaskStatus
from trainnet.training.params import TrainingParams

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", max_length=64)]


class Health(BaseModel):
    status: str
    version: str


class SkippedFile(BaseModel):
    file: str
    reason: str


class ImageArchiveSummary(BaseModel):
    """What was read from a .zip of images: its layout, the images kept, their sizes and what was skipped."""

    layout: str = Field(description="class folders, metadata.csv or metadata.jsonl")
    image_count: int
    sizes: dict[str, int] = Field(description="the most common image sizes (WxH) and how many images have each")
    formats: dict[str, int]
    skipped_count: int
    skipped: list[SkippedFile] = Field(description="the first files skipped, each with the reason")


class DatasetOut(BaseModel):
    dataset_id: str
    url: str
    name: str
    format: str
    status: DatasetStatus
    rows: int
    columns: list[str]
    kind: str | None = None
    label_column: str | None = None
    text_column: str | None = None
    image_column: str | None = None
    label_counts: dict[str, int] | None = None
    preview: list[dict[str, Any]] = []
    images: ImageArchiveSummary | None = None
    seed_dataset_id: str | None = None
    progress: float | None = None
    metrics: dict | None = None
    report: dict | None = None
    error: str | None = None
    created_at: datetime
    generation: dict | None = Field(
        None,
        description="a generation's live counters: the teacher used (and why, if it replaced another), candidates "
        "proposed, kept and rejected by reason, records per minute, tokens per second",
    )


class DatasetThumbnails(BaseModel):
    dataset_id: str
    thumbnails: dict[str, list[str]] = Field(description="per label, a few PNG thumbnails as data URLs")


class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    num_examples: int = Field(ge=1, description="records to generate")
    teacher: Literal["local", "gguf", "openai"] = Field(
        "local",
        description="local: the server's own model (the bundled SmolLM2 on llama.cpp by default, or "
        "LLAMA_MODEL_PATH); gguf: the GGUF file at teacher_model on the server; openai: an OpenAI-compatible "
        "endpoint (teacher_url and teacher_model, or the server's TEACHER_BASE_URL / TEACHER_MODEL)",
    )
    teacher_model: str | None = Field(
        None, max_length=1024, description="gguf: the .gguf file's path on the server; openai: the model name"
    )
    teacher_url: str | None = Field(
        None, max_length=2048, description="openai: the endpoint's base URL, e.g. http://gpu-box:8000/v1"
    )
    params: dict[str, int | float | bool] = Field(default_factory=dict, description="GenerationConfig overrides")


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: dict[str, int | float | None] = Field(default_factory=dict, description="ValidationPolicy overrides")


class DatasetStatusPatch(BaseModel):
    status: Literal[
        DatasetStatus.GENERATING,
        DatasetStatus.GENERATED,
        DatasetStatus.VALIDATING,
        DatasetStatus.READY_FOR_FINE_TUNING,
        DatasetStatus.DELETED,
        DatasetStatus.ERROR,
    ]
    rows: int | None = Field(None, ge=0)
    progress: float | None = Field(None, ge=0, le=100)
    metrics: dict | None = None
    report: dict | None = None
    error: str | None = Field(None, max_length=10_000)
    generation: dict | None = None


class TrainRequest(TrainingParams):
    """What to train on and how: the training parameters (`TrainingParams`, every one optional) plus the model, the
    data and its columns."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, protected_namespaces=())

    model_type: str = Field(max_length=64)
    dataset_id: Id | None = None
    dataset_url: str | None = Field(None, max_length=2048)
    text_column: str | None = Field(None, max_length=256)
    image_column: str | None = Field(None, max_length=256)
    label_column: str | None = Field(None, max_length=256)
    base_model: str | None = Field(None, max_length=512)

    def training_params(self, **defaults: Any) -> TrainingParams:
        """The parameters this request sets, over `defaults` (the server's), over `TrainingParams`' own."""
        given = self.model_dump(include=set(TrainingParams.model_fields), exclude_unset=True, by_alias=True)
        return TrainingParams.model_validate({**defaults, **given})

    @model_validator(mode="after")
    def _one_dataset(self):
        if not self.dataset_id and not self.dataset_url:
            raise ValueError("give dataset_id (from POST /api/datasets) or dataset_url")
        return self


class TaskCreated(BaseModel):
    task_id: str
    status: TaskStatus


class TaskStatusOut(BaseModel):
    task_id: str
    status: TaskStatus
    progress: float
    error: str | None = None


# The evaluation report, what the status page charts, and predictions of a trained classifier


class ClassScoresOut(BaseModel):
    label: str
    precision: float
    recall: float
    f1: float
    support: int = Field(description="evaluation rows of this label")


class MisclassifiedOut(BaseModel):
    input: str = Field(description='the text, or the image as a PNG thumbnail "data:image/png;base64,..." URL')
    label: str = Field(description="the true label")
    predicted: str
    score: float = Field(description="the probability the model gave `predicted`")


class EvaluationOut(BaseModel):
    """The kept model on the held-out evaluation split (`training.report`)."""

    accuracy: float
    macro_f1: float
    labels: list[str]
    confusion_matrix: list[list[int]] = Field(description="rows: true label, columns: predicted, in `labels` order")
    per_class: list[ClassScoresOut]
    examples: list[MisclassifiedOut] = Field(description="misclassified rows the model was surest of")


class ShardLossOut(BaseModel):
    shard: int
    train_loss: float = Field(description="the shard's mean local training loss in this round")


class BaseModelOut(BaseModel):
    """The weights a task started from, by name."""

    name: str = Field(description='e.g. "all-MiniLM-L6-v2"')
    source: Literal["bundled", "hub", "local", "random init"]


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: list[str] = Field(
        min_length=1, description="texts for a text model; base64 PNG/JPEG images (or data: URLs) for an image model"
    )
    top_k: int = Field(3, ge=1, le=1000, description="labels returned per input, most probable first")


class LabelScore(BaseModel):
    label: str
    score: float = Field(description="softmax probability")


class PredictResponse(BaseModel):
    predictions: list[list[LabelScore]] = Field(description="per input, the top_k labels")


class ShardOut(BaseModel):
    round: int
    index: int
    status: ShardStatus
    rows: int
    progress: float
    attempts: int
    worker: str | None = None
    train_loss: float | None = None
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RoundOut(BaseModel):
    round: int
    status: RoundStatus
    metrics: dict | None = None
    rows_covered: float | None = None
    shards_used: list[int] | None = None
    shard_losses: list[ShardLossOut] = Field(default_factory=list, description="each finished shard's train loss")


class TaskSummary(BaseModel):
    task_id: str
    status: TaskStatus
    progress: float
    model_type: str
    kind: str
    dataset_id: str
    created_at: datetime
    updated_at: datetime
    error: str | None = None


class BaselineOut(BaseModel):
    """A simple model trained and evaluated on the task's own splits, to compare the trained model with."""

    kind: Literal["majority", "classical"]
    name: str
    accuracy: float
    macro_f1: float


class TaskOut(TaskSummary):
    params: dict
    info: dict
    kept_round: int | None = Field(None, description="the best round by validation accuracy")
    averaged_rounds: list[int] | None = Field(
        None, description="the rounds whose weights the stored model averages (a greedy soup), best first"
    )
    stop_reason: str | None = Field(None, description="why training stopped")
    baseline: list[BaselineOut] | None = Field(None, description="baselines on the same splits")
    label_names: list[str]
    current_round: int
    shards: list[ShardOut]
    rounds: list[RoundOut]
    model_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    base_model: BaseModelOut | None = Field(None, description="the starting weights, once the task is prepared")
    evaluation: EvaluationOut | None = Field(None, description="the kept model's evaluation, once the task is done")


class ModelOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_id: str
    task_id: str
    model_type: str
    metrics: dict
    size: int
    created_at: datetime
    download_url: str


class ModelTypeOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_type: str
    kind: str
    description: str
    default_source: str
    pretrained_available: bool


class WorkerOut(BaseModel):
    name: str
    hostname: str
    queues: list[str]
    active_jobs: int
    jobs: list[str]
    last_heartbeat: datetime
    started_at: datetime


# Worker-only reports


class TaskStatusPatch(BaseModel):
    status: Literal[TaskStatus.RUNNING, TaskStatus.ERROR]
    error: str | None = Field(None, max_length=10_000)
    progress: float | None = Field(None, ge=0, le=100, description="the prepare job's warm-up, % done")


class PreparationReport(BaseModel):
    info: dict


class ShardReport(BaseModel):
    status: Literal[ShardStatus.RUNNING, ShardStatus.DONE, ShardStatus.FAILED]
    progress: float | None = Field(None, ge=0, le=100)
    worker: str | None = Field(None, max_length=255)
    train_loss: float | None = None
    error: str | None = Field(None, max_length=10_000)
    first_step: bool = False


class RoundReport(BaseModel):
    status: Literal[RoundStatus.FINALIZING, RoundStatus.DONE, RoundStatus.ERROR]
    metrics: dict | None = None
    error: str | None = Field(None, max_length=10_000)
    model_size: int | None = None
    final: bool | None = Field(None, description="training stops after this round")
    kept_round: int | None = Field(None, ge=0, description="the round whose model is stored")
    stop_reason: str | None = Field(None, max_length=1000)
    evaluation: EvaluationOut | None = Field(None, description="the kept model's report (the final round only)")


class Proceed(BaseModel):
    proceed: bool


class Heartbeat(BaseModel):
    name: str = Field(max_length=255)
    hostname: str = Field("", max_length=255)
    pid: int | None = None
    queues: list[str] = []
    jobs: list[str] = []


class LoraRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset_id: Id
    base_model: str | None = Field(None, max_length=512, description="local dir, HF id, or 'smollm2'")
    n_trials: int | None = Field(None, ge=1)
    params: dict[str, Any] = Field(default_factory=dict, description="LoraTuningConfig overrides")


class LoraJobCreated(BaseModel):
    job_id: str
    status: LoraJobStatus


class TrialOut(BaseModel):
    """One trial of a LoRA search, as `bayesian_optimizer.trial_summary` records it."""

    number: int
    params: dict[str, float | int] = Field(description="rank, lora_alpha, learning_rate")
    eval_loss: float | None = Field(None, description="best eval loss (the kept checkpoint's)")
    state: str = Field(description="COMPLETE, PRUNED, FAIL or RUNNING")
    seconds: float | None = None
    eval_losses: list[list[float]] = Field(default_factory=list, description="[step, best eval loss so far]")
    fail_reason: str | None = None


class BestTrialOut(BaseModel):
    number: int
    params: dict[str, float | int]
    eval_loss: float


class LoraJobOut(BaseModel):
    job_id: str
    status: LoraJobStatus
    dataset_id: str
    base_model: str
    n_trials: int
    trials: list[TrialOut]
    best_trial: BestTrialOut | None = None
    error: str | None = None
    created_at: datetime
    updated_at: datetime
    download_url: str | None = None


class LoraReport(BaseModel):
    status: Literal[LoraJobStatus.RUNNING, LoraJobStatus.DONE, LoraJobStatus.ERROR]
    trials: list[dict] | None = None
    best_trial: dict | None = None
    adapter_prefix: str | None = Field(None, max_length=512)
    error: str | None = Field(None, max_length=10_000)


# The adapter playground: POST /api/lora/{job_id}/generate


class PlaygroundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(max_length=playground.MAX_PROMPT_CHARS, description="an instruction, as in the training data")
    max_new_tokens: int = Field(playground.DEFAULT_MAX_NEW_TOKENS, ge=1, le=playground.MAX_NEW_TOKENS)

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, prompt: str) -> str:
        if not prompt.strip():
            raise ValueError("the prompt is empty")
        return prompt


class PlaygroundOut(BaseModel):
    """The same prompt completed greedily by the base model and by base + adapter."""

    base: str
    adapter: str
