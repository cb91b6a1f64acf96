"""The one settings object. Read from the environment once; components receive what they need as arguments."""

from __future__ import annotations

import json
import secrets
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from trainnet.data.examples import MAX_IMAGE_PIXELS
from trainnet.data.image_zip import ArchiveLimits
from trainnet.dispatch.messages import CPU_QUEUE
from trainnet.training.params import TrainingParams

MB = 1024 * 1024


def _param_default(name: str) -> float:
    default: float = TrainingParams.model_fields[name].default
    return default


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Everything TrainNet reads from the environment. Seed names (DATABASE_URL, REDIS_HOST, ...) are kept."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    data_dir: Path = Field(Path("trainnet-data"), validation_alias=_env("TRAINNET_DATA_DIR"))
    database_url: str | None = Field(None, validation_alias=_env("DATABASE_URL"))

    celery_broker_url: str | None = Field(None, validation_alias=_env("CELERY_BROKER_URL"))
    redis_host: str | None = Field(None, validation_alias=_env("REDIS_HOST"))
    redis_port: int = Field(6379, validation_alias=_env("REDIS_PORT"))
    redis_password: str | None = Field(None, validation_alias=_env("REDIS_PASSWORD"))
    broker_polling_interval: float = Field(0.1, validation_alias=_env("TRAINNET_BROKER_POLLING_INTERVAL"))
    visibility_timeout_seconds: int = Field(4 * 3600, validation_alias=_env("TRAINNET_VISIBILITY_TIMEOUT"))

    minio_endpoint: str | None = Field(None, validation_alias=_env("MINIO_ENDPOINT"))
    minio_access_key: str | None = Field(None, validation_alias=_env("MINIO_ACCESS_KEY"))
    minio_secret_key: str | None = Field(None, validation_alias=_env("MINIO_SECRET_KEY"))
    minio_secure: bool = Field(False, validation_alias=_env("MINIO_SECURE"))
    s3_region: str = Field("us-east-1", validation_alias=_env("MINIO_REGION", "AWS_REGION"))
    datasets_bucket: str = Field("datasets", validation_alias=_env("TRAINNET_DATASETS_BUCKET"))
    artifacts_bucket: str = Field("artifacts", validation_alias=_env("TRAINNET_ARTIFACTS_BUCKET"))
    models_bucket: str = Field("models", validation_alias=_env("TRAINNET_MODELS_BUCKET"))
    lora_bucket: str = Field("lora-adapters", validation_alias=_env("TRAINNET_LORA_BUCKET"))

    api_url: str = Field("http://127.0.0.1:8000", validation_alias=_env("TRAINNET_API_URL"))
    worker_token: str | None = Field(None, validation_alias=_env("TRAINNET_WORKER_TOKEN"))
    allow_private_urls: bool = Field(False, validation_alias=_env("TRAINNET_ALLOW_PRIVATE_URLS"))
    # Origins allowed to call the API from a browser: comma-separated or a JSON list. Empty: no CORS at all.
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("TRAINNET_CORS_ORIGINS")
    )

    max_upload_mb: float = Field(10, gt=0, validation_alias=_env("TRAINNET_MAX_UPLOAD_MB"))
    # The earlier name, in bytes; still honoured when TRAINNET_MAX_UPLOAD_MB is not set (see `max_upload_bytes`).
    legacy_max_upload_bytes: int | None = Field(None, gt=0, validation_alias=_env("TRAINNET_MAX_UPLOAD_BYTES"))
    # A client that sends its whole body before reading the answer (urllib, requests) only sees a 413 if the
    # server reads that body first; bodies up to this size are read and dropped, larger ones cut off.
    max_upload_drain_mb: float = Field(128, ge=0, validation_alias=_env("TRAINNET_MAX_UPLOAD_DRAIN_MB"))
    # A .zip of images: what it may expand into (members, uncompressed bytes, pixels of one image). Training
    # decodes images with a 4096x4096 bound, so the pixel limit can only be lowered.
    max_archive_members: int = Field(10_000, ge=1, validation_alias=_env("TRAINNET_MAX_ARCHIVE_MEMBERS"))
    max_archive_mb: float = Field(100, gt=0, validation_alias=_env("TRAINNET_MAX_ARCHIVE_MB"))
    max_image_pixels: int = Field(
        MAX_IMAGE_PIXELS, ge=1, le=MAX_IMAGE_PIXELS, validation_alias=_env("TRAINNET_MAX_IMAGE_PIXELS")
    )
    max_columns: int = Field(20_000, validation_alias=_env("TRAINNET_MAX_COLUMNS"))
    # Bounds on what one upload may expand into once parsed (a 10 MB file of one-character rows is 5 million
    # Python dicts); a base64 image of a few hundred KB fits in one cell.
    max_rows: int = Field(1_000_000, ge=1, validation_alias=_env("TRAINNET_MAX_ROWS"))
    max_cell_chars: int = Field(1_000_000, ge=1, validation_alias=_env("TRAINNET_MAX_CELL_CHARS"))
    max_shards: int = Field(64, validation_alias=_env("TRAINNET_MAX_SHARDS"))
    max_rounds: int = Field(50, validation_alias=_env("TRAINNET_MAX_ROUNDS"))
    max_epochs: int = Field(100, validation_alias=_env("TRAINNET_MAX_EPOCHS"))
    # The server's defaults for these training parameters; a task may set its own.
    eval_fraction: float = Field(_param_default("eval_fraction"), validation_alias=_env("TRAINNET_EVAL_FRACTION"))
    min_shard_fraction: float = Field(
        _param_default("min_shard_fraction"), validation_alias=_env("TRAINNET_MIN_SHARD_FRACTION")
    )
    train_queue: str = Field(CPU_QUEUE, validation_alias=_env("TRAINNET_TRAIN_QUEUE"))
    shard_max_retries: int = Field(2, validation_alias=_env("TRAINNET_SHARD_MAX_RETRIES"))
    shard_lease_seconds: int = Field(120, validation_alias=_env("TRAINNET_SHARD_LEASE_SECONDS"))
    # Wall time a training task may run, from the moment a worker starts it (time queued behind other jobs does
    # not count); over it, the sweeper ends the task with an error and its shards stop. 0 means no limit.
    task_time_limit_seconds: float = Field(6 * 3600, ge=0, validation_alias=_env("TRAINNET_TASK_TIME_LIMIT"))
    sweep_interval_seconds: float = Field(5.0, validation_alias=_env("TRAINNET_SWEEP_INTERVAL"))
    worker_heartbeat_seconds: float = Field(5.0, validation_alias=_env("TRAINNET_WORKER_HEARTBEAT"))
    torch_threads: int | None = Field(None, validation_alias=_env("TRAINNET_TORCH_THREADS"))
    embedded_workers: int | None = Field(None, validation_alias=_env("TRAINNET_EMBEDDED_WORKERS"))

    # The predict API: bounds on one request (a batch file is also bounded by the upload limit), and how many
    # loaded models the API process keeps in memory (MiniLM is about 100 MB).
    predict_max_inputs: int = Field(256, ge=1, validation_alias=_env("TRAINNET_PREDICT_MAX_INPUTS"))
    predict_max_rows: int = Field(10_000, ge=1, validation_alias=_env("TRAINNET_PREDICT_MAX_ROWS"))
    predict_max_text_chars: int = Field(20_000, ge=1, validation_alias=_env("TRAINNET_PREDICT_MAX_TEXT_CHARS"))
    predict_max_image_pixels: int = Field(4096 * 4096, ge=1, validation_alias=_env("TRAINNET_PREDICT_MAX_IMAGE_PIXELS"))
    predict_cached_models: int = Field(2, ge=1, validation_alias=_env("TRAINNET_PREDICT_CACHED_MODELS"))

    teacher_local_model: str = Field("smollm2", validation_alias=_env("TEACHER_LOCAL_MODEL"))
    # A GGUF file for the 'local' teacher, run on llama.cpp (instead of TEACHER_LOCAL_MODEL).
    llama_model_path: str | None = Field(None, validation_alias=_env("LLAMA_MODEL_PATH"))
    # How long a worker's child process may take to load a GGUF and decode a few tokens before the bindings are
    # trusted (a big model on a slow disk takes a while).
    llama_check_timeout_s: float = Field(120.0, gt=0, validation_alias=_env("TRAINNET_LLAMA_CHECK_TIMEOUT"))
    teacher_base_url: str | None = Field(None, validation_alias=_env("TEACHER_BASE_URL", "OPENAI_BASE_URL"))
    teacher_model: str | None = Field(None, validation_alias=_env("TEACHER_MODEL"))
    teacher_api_key: str | None = Field(None, validation_alias=_env("TEACHER_API_KEY", "OPENAI_API_KEY"))
    teacher_concurrency: int = Field(4, validation_alias=_env("TEACHER_CONCURRENCY"))
    max_generated_examples: int = Field(5000, validation_alias=_env("TRAINNET_MAX_GENERATED_EXAMPLES"))

    lora_model_name: str = Field("smollm2", validation_alias=_env("LORA_MODEL_NAME"))
    lora_n_trials: int = Field(8, validation_alias=_env("LORA_N_TRIALS"))
    lora_max_trials: int = Field(64, validation_alias=_env("LORA_MAX_TRIALS"))
    lora_rank_choices: list[int] | None = Field(None, validation_alias=_env("LORA_RANK_CHOICES"))
    lora_alpha_bounds: list[int] | None = Field(None, validation_alias=_env("LORA_ALPHA_BOUNDS"))
    lora_learning_rate_bounds: list[float] | None = Field(None, validation_alias=_env("LORA_LEARNING_RATE_BOUNDS"))

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value):
        if isinstance(value, str):
            value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
        return [origin.strip().rstrip("/") for origin in value if origin.strip()]

    def lora_overrides(self) -> dict:
        """The LoRA search space bounds set in the environment, as LoraTuningConfig overrides."""
        values = {
            "rank_choices": self.lora_rank_choices,
            "lora_alpha_bounds": self.lora_alpha_bounds,
            "learning_rate_bounds": self.lora_learning_rate_bounds,
        }
        return {k: v for k, v in values.items() if v is not None}

    @property
    def max_upload_bytes(self) -> int:
        """The largest dataset file accepted (an upload or a dataset_url download)."""
        if self.legacy_max_upload_bytes and "max_upload_mb" not in self.model_fields_set:
            return self.legacy_max_upload_bytes
        return int(self.max_upload_mb * MB)

    def archive_limits(self) -> ArchiveLimits:
        return ArchiveLimits(
            max_members=self.max_archive_members,
            max_total_bytes=int(self.max_archive_mb * MB),
            max_image_pixels=self.max_image_pixels,
        )

    @cached_property  # read on every request: resolving the path each time cost 6% of a status poll
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'trainnet.db').resolve()}"

    @property
    def broker_url(self) -> str:
        if self.celery_broker_url:
            return self.celery_broker_url
        if self.redis_host:
            auth = f":{quote(self.redis_password, safe='')}@" if self.redis_password else ""
            return f"redis://{auth}{self.redis_host}:{self.redis_port}/0"
        return f"sqla+sqlite:///{(self.data_dir / 'broker.db').resolve()}"

    @property
    def embedded_broker(self) -> bool:
        return self.broker_url.startswith("sqla+")

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def web_dir(self) -> Path:
        return Path(__file__).resolve().parents[2] / "web" / "dist"

    def resolved_worker_token(self) -> str:
        """The worker token: from the environment, else one generated once and kept (0600) in the data dir."""
        if self.worker_token:
            return self.worker_token
        path = self.data_dir / "worker_token"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32))
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
