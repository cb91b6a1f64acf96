"""The LoRA fine-tuning search: search space, training budget and study settings, with their defaults.

Importing this module is cheap (no torch, no optuna), so the API and CLI can validate a request with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

MAX_N_TRIALS = 200

LLAMA_TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class LoraTrialParams:
    """The hyper-parameters one trial trains with: the point the search picks in the search space."""

    rank: int
    lora_alpha: int
    learning_rate: float


@dataclass(frozen=True)
class LoraTuningConfig:
    """Configuration of a LoRA fine-tuning job: what the Bayesian search explores and how each trial trains.

    Build it with `LoraTuningConfig.from_overrides({...})` from user or environment settings; every value is
    checked when the object is created, so an invalid config never reaches a worker.
    """

    model_name: str = field(
        default="smollm2",
        metadata={"help": "Base causal LM: 'smollm2' (packaged), a local model directory, or a cached hub id."},
    )
    n_trials: int = field(
        default=8,
        metadata={"help": f"Trial budget of the whole study, across restarts and workers (1..{MAX_N_TRIALS})."},
    )
    n_startup_trials: int | None = field(
        default=None,
        metadata={
            "help": "Start-up trials (a Latin-hypercube design) before TPE models the results; None means "
            "min(n_trials, max(3, n_trials // 3)), because Optuna's default of 10 random trials would make a small "
            "budget a pure random search."
        },
    )
    rank_choices: tuple[int, ...] = field(
        default=(4, 8, 16, 32),
        metadata={"help": "LoRA ranks `r` the search chooses from."},
    )
    lora_alpha_bounds: tuple[int, int] = field(
        default=(8, 64),
        metadata={"help": "Inclusive bounds of `lora_alpha`, searched on a log scale."},
    )
    learning_rate_bounds: tuple[float, float] = field(
        default=(1e-5, 1e-2),
        metadata={"help": "Inclusive bounds of the AdamW learning rate, searched on a log scale."},
    )
    lora_dropout: float = field(default=0.05, metadata={"help": "Dropout on the LoRA input, fixed for all trials."})
    target_modules: tuple[str, ...] = field(
        default=LLAMA_TARGET_MODULES,
        metadata={"help": "Modules that get LoRA adapters; the default is every linear layer of a Llama block."},
    )
    epochs: int = field(default=1, metadata={"help": "Passes over the training split per trial."})
    max_steps: int | None = field(
        default=None,
        metadata={"help": "Optimizer steps per trial; when set it replaces `epochs` (the data is cycled)."},
    )
    batch_size: int = field(default=4, metadata={"help": "Examples per optimizer step."})
    max_length: int = field(
        default=512,
        metadata={"help": "Token limit of prompt + response; longer responses are cut, longer prompts dropped."},
    )
    eval_fraction: float = field(
        default=0.1,
        metadata={"help": "Share of the records held out to score trials (0 < fraction <= 0.5)."},
    )
    min_eval_records: int = field(
        default=2,
        metadata={"help": "Fewest held-out records a meaningful eval loss needs; fewer is an error."},
    )
    evals_per_trial: int = field(
        default=4,
        metadata={"help": "Eval-loss measurements per trial, evenly spaced; the pruner sees each of them."},
    )
    pruning_warmup_evals: int = field(
        default=1,
        metadata={"help": "Evals of each trial that are never pruned (early losses say little)."},
    )
    pruning_percentile: float = field(
        default=75.0,
        metadata={
            "help": "A trial is pruned when its best eval loss so far is above this percentile of the "
            "completed trials' at the same step (50: the median). The budget counts trials, so only "
            "clear losers are cut: a higher learning rate often starts worse and ends best."
        },
    )
    max_grad_norm: float = field(default=1.0, metadata={"help": "Gradient clipping norm."})
    seed: int = field(default=0, metadata={"help": "Seed of the eval split, batch order, LoRA init and sampler."})
    heartbeat_seconds: int = field(
        default=60,
        metadata={"help": "How often a running trial records that its worker is alive in the study database."},
    )
    grace_seconds: int = field(
        default=180,
        metadata={"help": "A RUNNING trial without a heartbeat for this long belongs to a dead worker: FAIL."},
    )

    def __post_init__(self) -> None:
        problems = _type_problems(self) or _value_problems(self)
        if problems:
            raise ValueError("invalid LoRA tuning config: " + "; ".join(problems))

    @classmethod
    def from_overrides(cls, overrides: dict) -> LoraTuningConfig:
        """The defaults with `overrides` applied; unknown keys and invalid values raise ValueError."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            raise ValueError(f"unknown LoRA tuning settings {unknown}; known: {sorted(known)}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
        return replace(cls(), **values)

    @property
    def startup_trials(self) -> int:
        """Start-up trials of the search (also the completed trials the pruner waits for)."""
        wanted = max(3, self.n_trials // 3) if self.n_startup_trials is None else self.n_startup_trials
        return min(self.n_trials, wanted)

    def total_steps(self, n_train: int) -> int:
        """Optimizer steps of one trial on `n_train` training examples."""
        if self.max_steps is not None:
            return self.max_steps
        return self.epochs * -(-n_train // self.batch_size)

    def eval_steps(self, total_steps: int) -> list[int]:
        """The steps after which a trial measures its eval loss: evenly spaced, always including the last."""
        evals = range(1, self.evals_per_trial + 1)
        return sorted({max(1, round(total_steps * k / self.evals_per_trial)) for k in evals})


def _type_problems(config: LoraTuningConfig) -> list[str]:
    """Values of the wrong type, judged by each field's default (a None default means an optional int)."""
    problems = []
    for f in fields(config):
        value = getattr(config, f.name)
        if f.default is None and value is None:
            continue
        expected = int if f.default is None else type(f.default)
        ok = _is_number(value) if expected is float else isinstance(value, expected) and not isinstance(value, bool)
        if ok and expected is tuple:
            item = type(f.default[0])  # type: ignore[index]  # the tuple default checked above
            ok = all(_is_number(v) if item is float else isinstance(v, item) and not isinstance(v, bool) for v in value)
        if not ok:
            problems.append(f"{f.name} has the wrong type: {value!r} (default {f.default!r})")
    return problems


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _value_problems(config: LoraTuningConfig) -> list[str]:
    problems = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            problems.append(message)

    check(bool(config.model_name.strip()), "model_name is empty")
    check(
        1 <= config.n_trials <= MAX_N_TRIALS,
        f"n_trials must be between 1 and {MAX_N_TRIALS}, got {config.n_trials}",
    )
    check(
        config.n_startup_trials is None or config.n_startup_trials >= 1,
        f"n_startup_trials must be at least 1 (or None for the default), got {config.n_startup_trials}",
    )
    check(
        len(config.rank_choices) > 0 and all(r > 0 for r in config.rank_choices),
        f"rank_choices must be positive integers, got {config.rank_choices}",
    )
    check(
        _is_range(config.lora_alpha_bounds),
        f"lora_alpha_bounds must be (low, high) with 0 < low <= high, got {config.lora_alpha_bounds}",
    )
    check(
        _is_range(config.learning_rate_bounds) and config.learning_rate_bounds[1] < 1,
        f"learning_rate_bounds must be (low, high) with 0 < low <= high < 1, got {config.learning_rate_bounds}",
    )
    check(0 <= config.lora_dropout < 1, f"lora_dropout must be in [0, 1), got {config.lora_dropout}")
    check(len(config.target_modules) > 0, "target_modules is empty")
    check(config.epochs >= 1, f"epochs must be at least 1, got {config.epochs}")
    check(
        config.max_steps is None or config.max_steps >= 1,
        f"max_steps must be at least 1 (or None), got {config.max_steps}",
    )
    check(config.batch_size >= 1, f"batch_size must be at least 1, got {config.batch_size}")
    check(config.max_length >= 16, f"max_length must be at least 16 tokens, got {config.max_length}")
    check(0 < config.eval_fraction <= 0.5, f"eval_fraction must be in (0, 0.5], got {config.eval_fraction}")
    check(config.min_eval_records >= 1, f"min_eval_records must be at least 1, got {config.min_eval_records}")
    check(config.evals_per_trial >= 1, f"evals_per_trial must be at least 1, got {config.evals_per_trial}")
    check(config.pruning_warmup_evals >= 0, f"pruning_warmup_evals must be >= 0, got {config.pruning_warmup_evals}")
    check(
        0 < config.pruning_percentile <= 100, f"pruning_percentile must be in (0, 100], got {config.pruning_percentile}"
    )
    check(config.max_grad_norm > 0, f"max_grad_norm must be positive, got {config.max_grad_norm}")
    check(config.heartbeat_seconds >= 1, f"heartbeat_seconds must be at least 1, got {config.heartbeat_seconds}")
    check(
        config.grace_seconds >= config.heartbeat_seconds,
        f"grace_seconds ({config.grace_seconds}) must be at least heartbeat_seconds ({config.heartbeat_seconds})",
    )
    return problems


def _is_range(bounds: tuple) -> bool:
    return len(bounds) == 2 and 0 < bounds[0] <= bounds[1]
