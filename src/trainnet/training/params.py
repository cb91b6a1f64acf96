"""Training hyper-parameters of a task, declared once: the API's request schema, the CLI's `train` options and the
workers all derive from `TrainingParams` (names, defaults, bounds and help)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from trainnet.training.schedule import LrSchedule

Auto = Literal["auto"]
# `rounds: "auto"` trains up to this many rounds, stopping early on the validation split or the time budget; the
# learning-rate curve spans them. From scratch, rounds after the 4th gained under a point on every real data set
# measured (docs/benchmarks.md, issue 14).
AUTO_MAX_ROUNDS = 8
# `epochs: "auto"`: two local epochs a round, fewer when that would pass AUTO_STEPS_PER_ROUND optimizer steps on the
# mean shard (never under one epoch), so a large data set does not drift apart between averages.
AUTO_STEPS_PER_ROUND = 150
AUTO_MAX_EPOCHS = 2
# `warmup_epochs: "auto"`: a random init trains on all training rows for about AUTO_WARMUP_STEPS steps before the
# shards copy it (1 to AUTO_MAX_WARMUP_EPOCHS epochs). The warm-up's length mattered most: 8 epochs instead of 4
# lifted MNIST from 90.7% to 95.3% after 5 rounds of 4 shards, and 16 instead of 8 reached after 1 round (96.3%)
# what 8 reached after 8 (95.7%) (docs/benchmarks.md, issue 14).
AUTO_WARMUP_STEPS = 1000
AUTO_MAX_WARMUP_EPOCHS = 16


class TrainingParams(BaseModel):
    """Hyper-parameters shared by every shard of every round. `epochs` are local epochs per round."""

    # `model_config` is the API's name for config overrides, but pydantic reserves it: the field takes it as alias.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, protected_namespaces=())

    num_shards: int = Field(2, ge=1, description="shards the training split is cut into")
    rounds: Annotated[int, Field(ge=1)] | Auto = Field(
        "auto",
        description=(
            f"federated averaging rounds; auto: up to {AUTO_MAX_ROUNDS}, stopping when the validation accuracy stops "
            "improving (patience, min_delta) or before the time budget runs out, keeping the best round"
        ),
    )
    epochs: Annotated[int, Field(ge=1)] | Auto = Field(
        "auto",
        description=(
            f"local epochs each shard trains per round; auto: {AUTO_MAX_EPOCHS}, fewer when that passes "
            f"{AUTO_STEPS_PER_ROUND} optimizer steps on a shard"
        ),
    )
    early_stopping: bool = Field(
        False,
        description=(
            "hold out a validation split from the training rows, stop when its accuracy stops improving and keep the "
            "best round (rounds auto turns it on)"
        ),
    )
    patience: int = Field(2, ge=1, le=100, description="early stopping: rounds without improvement before stopping")
    min_delta: float = Field(
        0.005,
        ge=0,
        le=1,
        description=("early stopping: the smallest gain in validation accuracy that counts as an improvement"),
    )
    # Off by default: on the real data sets of issue 14 the soup of 3 changed held-out accuracy by +0.3, -2.0,
    # -0.7 and -0.3 points against the best round alone (docs/benchmarks.md): a validation split of a few hundred
    # rows lets averages in on ties and noise.
    soup_rounds: int = Field(
        1,
        ge=1,
        le=20,
        description=(
            "early stopping: the final model averages up to this many of the best rounds, each kept only when the "
            "average scores at least as well on the validation split (AutoGluon's greedy soup); 1: the best round"
        ),
    )
    time_budget_minutes: float = Field(
        10.0,
        gt=0,
        le=7 * 24 * 60,
        description=("early stopping: wall time for the whole task; no round starts that would end past it"),
    )
    warmup_epochs: Annotated[int, Field(ge=0)] | Auto = Field(
        "auto",
        description=(
            "random init only: epochs the initial model trains on all training rows before the shards copy it; "
            f"0: none; auto: about {AUTO_WARMUP_STEPS} steps, 1 to {AUTO_MAX_WARMUP_EPOCHS} epochs"
        ),
    )
    learning_rate: float | None = Field(None, gt=0, le=1, description="AdamW learning rate; None: per model")
    batch_size: int = Field(
        16,
        ge=1,
        le=1024,
        description=(
            "examples per optimizer step; from pretrained weights, per step of the whole round (each shard takes "
            "batch_size / num_shards)"
        ),
    )
    weight_decay: float = Field(0.01, ge=0, le=1, description="AdamW weight decay")
    lr_warmup: float = Field(
        0.05,
        ge=0,
        lt=1,
        description=(
            "share of the task's training (the warm-up's epochs, then every round's) over which the learning rate "
            "rises from 0"
        ),
    )
    lr_decay: Literal["cosine", "linear", "none"] = Field(
        "cosine",
        description=(
            "learning-rate decay after its warm-up, over the whole task (with early stopping, over the most rounds)"
        ),
    )
    # Off by default: on MNIST from scratch it cost 3 points (94.0% -> 91.0%, centralized, shifts on).
    label_smoothing: float = Field(0.0, ge=0, lt=1, description="cross-entropy label smoothing")
    augment_shift: int | None = Field(
        None,
        ge=0,
        le=16,
        description=(
            "image: random shift of up to N pixels while training; None: per model (2 from a random init, else 0)"
        ),
    )
    max_length: int = Field(128, ge=8, le=4096, description="text: tokens kept per example")
    image_size: int | None = Field(None, ge=8, le=1024, description="image: side in pixels; None: per model")
    eval_fraction: float = Field(0.2, gt=0, lt=1, description="share of rows held out for evaluation")
    min_shard_fraction: float = Field(0.5, gt=0, le=1, description="share of rows a round needs to proceed")
    recalibrate_batchnorm: bool = Field(True, description="re-estimate BatchNorm statistics after averaging")
    seed: int = Field(0, ge=0, le=2**31, description="seed for splits, shuffling and init")
    config_overrides: dict[str, int | float | str | bool] = Field(
        default_factory=dict,
        alias="model_config",
        description="config overrides for a random-init model (e.g. a tiny model for a smoke test)",
    )

    def resolved_learning_rate(self, kind: str, pretrained: bool) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        if pretrained:
            return 5e-5 if kind == "text" else 5e-4
        # A post-LN transformer from scratch diverges at 1e-3 on ~2k one-line texts (WordNet glosses, 10 epochs:
        # 36% at 1e-3, 68% at 3e-4, TF-IDF + logistic regression 72%; docs/benchmarks.md, issue 14).
        return 3e-4 if kind == "text" else 2e-3

    def shard_batch_size(self, pretrained: bool) -> int:
        """Examples per optimizer step on one shard.

        From pretrained weights the batch is split across the round's shards, as data-parallel training splits
        a global batch: each shard then takes as many steps per epoch as centralized training, and fine-tuned
        copies of one pretrained model stay in one basin, so their average keeps that progress (P2: 4 shards ×
        3 rounds of MiniLM reach centralized accuracy this way, 3.75 points short with whole batches). From a
        random init, copies that take that many steps drift into different basins and their average falls
        apart (P2: MobileNetV2 from scratch), so each shard steps on the whole batch.
        """
        if not pretrained:
            return self.batch_size
        return max(1, round(self.batch_size / self.num_shards))

    def shared_warmup_epochs(self, pretrained: bool) -> int:
        """Epochs of shared training before round 0: copies spawned from a random init take different paths in
        their first steps and their average falls apart, copies spawned after a short shared phase stay in one
        basin (Frankle et al. 2020, linear mode connectivity; P2: MobileNetV2 from scratch, 4 shards, round 1
        20% -> 89%, 3 rounds 88.6% -> 96.1% against 94.3% centralized). Pretrained weights are already past it."""
        if pretrained:
            return 0
        if self.warmup_epochs == "auto":
            raise ValueError("warmup_epochs is 'auto': resolve the parameters first")
        return self.warmup_epochs

    def lr_schedule(self, pretrained: bool, round_: int | None) -> LrSchedule | None:
        """The stretch of the task's learning-rate curve one job follows: the shared warm-up (`round_` None) or round
        `round_`, progress counted in epochs (the warm-up's, then `epochs` per round up to the most rounds). One
        curve over the task beat a warm-up and decay restarted every round: MNIST from scratch, 8 rounds, 95.7% vs
        91.7%, and without the restarts' dips that stop early stopping too soon. Pretrained weights keep a constant
        rate (None): MiniLM lost 1.5 points with the curve (docs/benchmarks.md, issue 14)."""
        if pretrained:
            return None
        warmup = self.shared_warmup_epochs(pretrained)
        total = warmup + self.round_count * self.local_epochs
        start, end = (
            (0, warmup)
            if round_ is None
            else (warmup + round_ * self.local_epochs, warmup + (round_ + 1) * self.local_epochs)
        )
        return LrSchedule(start / total, end / total, self.lr_warmup, self.lr_decay)

    def resolved_augment_shift(self, kind: str, pretrained: bool) -> int:
        """Pixels of random shift while training: images only, by default only from a random init."""
        if kind != "image":
            return 0
        if self.augment_shift is not None:
            return self.augment_shift
        return 0 if pretrained else 2

    def warmup_share(self) -> float:
        """The shared warm-up's part of a task's progress: its epochs against every local epoch of the rounds."""
        warmup = self.shared_warmup_epochs(pretrained=False)
        return warmup / (warmup + self.round_count * self.local_epochs)

    @property
    def round_count(self) -> int:
        """The number of rounds (with early stopping, the most); the parameters must be resolved."""
        if self.rounds == "auto":
            raise ValueError("rounds is 'auto': resolve the parameters first")
        return self.rounds

    @property
    def local_epochs(self) -> int:
        """Local epochs per round; the parameters must be resolved."""
        if self.epochs == "auto":
            raise ValueError("epochs is 'auto': resolve the parameters first")
        return self.epochs

    @property
    def wants_validation(self) -> bool:
        """Whether the task holds out a validation split for early stopping."""
        return self.early_stopping or self.rounds == "auto"

    def resolve(self, shard_rows: list[int]) -> TrainingParams:
        """Concrete numbers for 'auto', from the shards' sizes: rounds become the most an early-stopped run may take;
        epochs and warm-up epochs are sized in optimizer steps of `batch_size` (from-scratch batches; a pretrained
        model splits the batch and so takes more, smaller steps)."""
        changes: dict[str, Any] = {}
        if self.rounds == "auto":
            changes.update(rounds=AUTO_MAX_ROUNDS, early_stopping=True)
        if self.epochs == "auto":
            rows = max(1.0, sum(shard_rows) / max(1, len(shard_rows)))
            changes["epochs"] = epochs_for(AUTO_STEPS_PER_ROUND, rows, self.batch_size, AUTO_MAX_EPOCHS)
        if self.warmup_epochs == "auto":
            changes["warmup_epochs"] = epochs_for(
                AUTO_WARMUP_STEPS, sum(shard_rows), self.batch_size, AUTO_MAX_WARMUP_EPOCHS
            )
        return self.model_copy(update=changes)

    def resolved_image_size(self, pretrained: bool) -> int:
        return self.image_size or (160 if pretrained else 32)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingParams:
        """The parameters stored with a task (other keys stored beside them are ignored)."""
        return cls.model_validate(data)

    @classmethod
    def help(cls, name: str) -> str:
        """The help text of a parameter, with its default."""
        field = cls.model_fields[name]
        default = field.get_default(call_default_factory=True)
        return f"{field.description} (default: {default})" if default not in (None, {}) else str(field.description)


def epochs_for(steps: int, rows: float, batch_size: int, most: int) -> int:
    """The fewest epochs over `rows` that take about `steps` optimizer steps, from 1 to `most`."""
    steps_per_epoch = math.ceil(max(1.0, rows) / batch_size)
    return max(1, min(most, math.ceil(steps / steps_per_epoch)))
