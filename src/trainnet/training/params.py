"""Training hyper-parameters of a task, with defaults that train the docs' examples well in minutes on 2 CPU
cores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass
class TrainingParams:
    """Hyper-parameters shared by every shard of every round. `epochs` are local epochs per round."""

    num_shards: int = field(default=2, metadata={"help": "shards the training split is cut into"})
    rounds: int = field(default=2, metadata={
        "help": "federated averaging rounds; 2-3 reach centralized accuracy (benchmarks, P2)"})
    epochs: int = field(default=2, metadata={"help": "local epochs each shard trains per round"})
    warmup_epochs: int = field(default=1, metadata={
        "help": "random init only: epochs the initial model trains on all training rows before the shards copy it"})
    learning_rate: float | None = field(default=None, metadata={"help": "AdamW learning rate; None: per model"})
    batch_size: int = field(default=16, metadata={
        "help": "examples per optimizer step; from pretrained weights, per step of the whole round (each shard "
                "takes batch_size / num_shards)"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    max_length: int = field(default=128, metadata={"help": "text: tokens kept per example"})
    image_size: int | None = field(default=None, metadata={"help": "image: side in pixels; None: per model"})
    eval_fraction: float = field(default=0.2, metadata={"help": "share of rows held out for evaluation"})
    min_shard_fraction: float = field(default=0.5, metadata={"help": "share of rows a round needs to proceed"})
    recalibrate_batchnorm: bool = field(default=True, metadata={"help": "re-estimate BN stats after averaging"})
    seed: int = field(default=0, metadata={"help": "seed for splits, shuffling and init"})
    model_config: dict = field(default_factory=dict, metadata={"help": "config overrides for a random init"})

    def resolved_learning_rate(self, kind: str, pretrained: bool) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        if pretrained:
            return 5e-5 if kind == "text" else 5e-4
        return 1e-3 if kind == "text" else 2e-3

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
        return 0 if pretrained else self.warmup_epochs

    def warmup_share(self) -> float:
        """The shared warm-up's part of a task's progress: its epochs against every local epoch of the rounds."""
        return self.warmup_epochs / (self.warmup_epochs + self.rounds * self.epochs)

    def resolved_image_size(self, pretrained: bool) -> int:
        return self.image_size or (160 if pretrained else 32)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainingParams:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
