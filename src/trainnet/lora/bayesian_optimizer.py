"""Bayesian search over LoRA hyper-parameters: an Optuna TPE study with percentile pruning, kept in a database.

A new study starts from a Latin-hypercube design of `config.startup_trials` points (each third of the
learning-rate decades gets one point when there are three), not from TPE's random start-up draws: with a budget
of 8 trials two random draws can both land in the decades where LoRA barely moves, and TPE then models noise.

The study lives in an Optuna RDB storage (SQLite or PostgreSQL URL) under the name `lora-<job_id>`, so a
restarted job resumes it and several workers can share it. A trial whose worker died stops sending
heartbeats and is marked FAIL; it does not count against the budget, so its slot is run again.
"""

from __future__ import annotations

import contextlib
import logging
import math
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import optuna
import sqlalchemy.exc
from optuna.trial import FrozenTrial, TrialState

from trainnet.lora.lora_tuning import (
    TokenizedExample,
    load_base_model,
    prepare_dataset,
    release_accelerator_memory,
    run_trial,
)
from trainnet.lora.lora_tuning_config import LoraTrialParams, LoraTuningConfig

log = logging.getLogger(__name__)

FAIL_REASON = "fail_reason"
LOST_WORKER = "its worker stopped before the trial finished (no heartbeat)"

OnTrialAdapter = Callable[[int, Path], None]
"""Called with (trial_number, adapter_dir) once a trial's adapter is saved; the directory may vanish after."""
OnProgress = Callable[[dict], None]
"""Called after each trial this worker finishes with that trial's summary entry plus `trials_done`, `n_trials`."""


class TrialFailed(Exception):
    """A trial raised; the reason is recorded on the trial and the study goes on."""


class SearchFailed(RuntimeError):
    """No trial of the study completed; `summary` says why each one failed."""

    def __init__(self, message: str, summary: dict) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass
class SearchResult:
    study_name: str
    best_trial: dict  # {"number", "params", "eval_loss"}
    summary: dict  # study_summary(study)
    trials_run: int  # trials this call ran (a resumed job runs only the rest of the budget)


def study_name(job_id: str) -> str:
    return f"lora-{job_id}"


def suggest_params(trial: optuna.Trial, config: LoraTuningConfig) -> LoraTrialParams:
    """The search space: rank (choices), lora_alpha and learning rate (both log scale)."""
    return LoraTrialParams(
        rank=trial.suggest_categorical("rank", list(config.rank_choices)),
        lora_alpha=trial.suggest_int("lora_alpha", *config.lora_alpha_bounds, log=True),
        learning_rate=trial.suggest_float("learning_rate", *config.learning_rate_bounds, log=True),
    )


def startup_points(config: LoraTuningConfig, seed: int) -> list[dict]:
    """A Latin-hypercube design over the search space: every parameter's range is cut into
    `config.startup_trials` equal strata (log scale for lora_alpha and learning_rate), one point per stratum."""
    from scipy.stats import qmc

    n = config.startup_trials
    ranks = list(config.rank_choices)
    points = []
    for u_rank, u_alpha, u_lr in qmc.LatinHypercube(d=3, seed=seed).random(n):
        alpha = _log_uniform(u_alpha, *config.lora_alpha_bounds)
        points.append(
            {
                "rank": ranks[min(int(u_rank * len(ranks)), len(ranks) - 1)],
                "lora_alpha": min(max(round(alpha), config.lora_alpha_bounds[0]), config.lora_alpha_bounds[1]),
                "learning_rate": _log_uniform(u_lr, *config.learning_rate_bounds),
            }
        )
    return points


def _log_uniform(u: float, low: float, high: float) -> float:
    return math.exp(math.log(low) + u * (math.log(high) - math.log(low)))


def tpe_sampler(config: LoraTuningConfig, seed: int) -> optuna.samplers.TPESampler:
    """TPE that models the results from the start-up design on (`startup_trials`); a small budget is then mostly
    guided search rather than Optuna's default of 10 random trials."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(
            n_startup_trials=config.startup_trials, multivariate=True, constant_liar=True, seed=seed
        )


def percentile_pruner(config: LoraTuningConfig, eval_steps: list[int]) -> optuna.pruners.PercentilePruner:
    """Stop a trial whose eval loss is above `config.pruning_percentile` of completed trials at the same step."""
    warmup = config.pruning_warmup_evals
    first_prunable_step = eval_steps[warmup] if warmup < len(eval_steps) else eval_steps[-1] + 1
    return optuna.pruners.PercentilePruner(
        config.pruning_percentile, n_startup_trials=config.startup_trials, n_warmup_steps=first_prunable_step
    )


def open_study(
    job_id: str,
    storage_url: str,
    config: LoraTuningConfig,
    pruner: optuna.pruners.BasePruner | None = None,
    sampler: optuna.samplers.BaseSampler | None = None,
) -> optuna.Study:
    """Create the job's study or load it, failing the RUNNING trials whose worker has stopped heartbeating."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = _rdb_storage(storage_url, config)
        study = optuna.create_study(
            storage=storage, study_name=study_name(job_id), direction="minimize", pruner=pruner, load_if_exists=True
        )
        optuna.storages.fail_stale_trials(study)
    # A resumed study must not replay the random start-up points of its first run.
    study.sampler = sampler or tpe_sampler(config, seed=config.seed + len(study.trials))
    return study


def _rdb_storage(storage_url: str, config: LoraTuningConfig) -> optuna.storages.RDBStorage:
    def connect() -> optuna.storages.RDBStorage:
        return optuna.storages.RDBStorage(
            storage_url,
            engine_kwargs={"connect_args": {"timeout": 60}} if storage_url.startswith("sqlite") else None,
            heartbeat_interval=config.heartbeat_seconds,
            grace_period=config.grace_seconds,
        )

    try:
        return connect()
    except sqlalchemy.exc.DBAPIError:
        # Workers opening a fresh database at once race to create Optuna's tables; the loser tries again.
        time.sleep(0.5)
        return connect()


def is_lost(trial: FrozenTrial) -> bool:
    """A trial failed because its worker died, not because its own code raised."""
    return trial.state == TrialState.FAIL and FAIL_REASON not in trial.user_attrs


def trials_spent(study: optuna.Study) -> int:
    """Trials that use up the budget: running and finished ones, except those lost with a worker.

    Enqueued (WAITING) trials are not spent yet: the next `optimize` call runs them first.
    """
    trials = study.get_trials(deepcopy=False)
    return sum(1 for trial in trials if trial.state != TrialState.WAITING and not is_lost(trial))


def run_search(
    job_id: str,
    records: list[dict],
    config: LoraTuningConfig,
    storage_url: str,
    on_trial_adapter: OnTrialAdapter | None = None,
    on_progress: OnProgress | None = None,
    adapters_dir: Path | None = None,
    cache_dir: Path | None = None,
    sampler: optuna.samplers.BaseSampler | None = None,
    pruner: optuna.pruners.BasePruner | None = None,
) -> SearchResult:
    """Run (or resume) the job's search until its trial budget is spent; return the best trial.

    Each trial's adapter is saved under `adapters_dir/trial-<n>` (a temporary directory when None) and handed
    to `on_trial_adapter`. Pass `cache_dir` so a GGUF base model is converted once, not once per trial.
    `sampler`/`pruner` replace TPE and the percentile pruner (benchmarks compare against random search).
    Raises ValueError for bad records or an unknown base model, SearchFailed when no trial completed.
    """
    base, tokenizer = load_base_model(config.model_name, cache_dir=cache_dir)
    _check_target_modules(base, config)
    del base
    train_set, eval_set = prepare_dataset(records, tokenizer, config)
    eval_steps = config.eval_steps(config.total_steps(len(train_set)))
    study = open_study(
        job_id, storage_url, config, pruner=pruner or percentile_pruner(config, eval_steps), sampler=sampler
    )
    if sampler is None and not study.get_trials(deepcopy=False):
        for point in startup_points(config, config.seed):
            study.enqueue_trial(point, skip_if_exists=True)  # two workers opening one new study: no duplicates

    objective = _objective(train_set, eval_set, config, eval_steps[-1], on_trial_adapter, adapters_dir, cache_dir)
    callbacks = [_progress_callback(on_progress, config)] if on_progress else None
    trials_run = 0
    while trials_spent(study) < config.n_trials:
        study.optimize(objective, n_trials=1, catch=(TrialFailed,), callbacks=callbacks)
        trials_run += 1

    summary = study_summary(study)
    if summary["best_trial"] is None:
        reasons = sorted({t["fail_reason"] for t in summary["trials"] if t.get("fail_reason")})
        raise SearchFailed(
            f"no LoRA trial of {study.study_name} completed: {'; '.join(reasons) or 'all pruned'}", summary
        )
    return SearchResult(study.study_name, summary["best_trial"], summary, trials_run)


def _objective(
    train_set: list[TokenizedExample],
    eval_set: list[TokenizedExample],
    config: LoraTuningConfig,
    last_step: int,
    on_trial_adapter: OnTrialAdapter | None,
    adapters_dir: Path | None,
    cache_dir: Path | None,
) -> Callable[[optuna.Trial], float]:
    def objective(trial: optuna.Trial) -> float:
        params = suggest_params(trial, config)

        def report(step: int, eval_loss: float) -> None:
            trial.report(eval_loss, step)
            if step < last_step and trial.should_prune():  # stopping at the last eval would save nothing
                raise optuna.TrialPruned(f"eval loss {eval_loss:.4f} at step {step} is among the worst so far")

        with _adapter_dir(adapters_dir, trial.number) as adapter_dir:
            try:
                result = run_trial(
                    config.model_name,
                    train_set,
                    eval_set,
                    params,
                    config,
                    report=report,
                    adapter_dir=adapter_dir,
                    cache_dir=cache_dir,
                )
                if on_trial_adapter is not None:
                    on_trial_adapter(trial.number, adapter_dir)
                return result.eval_loss
            except optuna.TrialPruned:
                raise
            except Exception as error:  # any failure (CUDA OOM included) fails this trial only
                log.exception("LoRA trial %d failed with %s", trial.number, params)
                reason = f"{type(error).__name__}: {error}"
        # Outside the except block the failed trial's frames (model, optimizer) are freed before the next one.
        trial.set_user_attr(FAIL_REASON, reason)
        release_accelerator_memory()
        raise TrialFailed(reason)

    return objective


@contextlib.contextmanager
def _adapter_dir(adapters_dir: Path | None, trial_number: int) -> Iterator[Path]:
    if adapters_dir is not None:
        yield Path(adapters_dir) / f"trial-{trial_number}"
        return
    with tempfile.TemporaryDirectory(prefix=f"lora-trial-{trial_number}-") as tmp:
        yield Path(tmp)


def _progress_callback(on_progress: OnProgress, config: LoraTuningConfig):
    def callback(study: optuna.Study, trial: FrozenTrial) -> None:
        on_progress({**trial_summary(trial), "trials_done": trials_spent(study), "n_trials": config.n_trials})

    return callback


def _check_target_modules(model, config: LoraTuningConfig) -> None:
    """Fail before the study when a target module matches nothing (PEFT matches names by suffix)."""
    names = [name for name, _ in model.named_modules()]
    missing = [t for t in config.target_modules if not any(n == t or n.endswith("." + t) for n in names)]
    if missing:
        linear = sorted({n.rsplit(".", 1)[-1] for n, m in model.named_modules() if type(m).__name__ == "Linear"})
        raise ValueError(f"target_modules {missing} are not in {config.model_name}; its linear layers are {linear}")


def trial_summary(trial: FrozenTrial) -> dict:
    """One trial as JSON: eval_loss is its best eval loss (the last reported one for a pruned trial);
    eval_losses lists [step, best eval loss so far] at each eval."""
    eval_loss = trial.value
    if eval_loss is None and trial.intermediate_values:
        eval_loss = trial.intermediate_values[max(trial.intermediate_values)]
    entry = {
        "number": trial.number,
        "params": dict(trial.params),
        "eval_loss": eval_loss,
        "state": trial.state.name,
        "seconds": trial.duration.total_seconds() if trial.duration is not None else None,
        "eval_losses": [[step, loss] for step, loss in sorted(trial.intermediate_values.items())],
    }
    if trial.state == TrialState.FAIL:
        entry["fail_reason"] = trial.user_attrs.get(FAIL_REASON, LOST_WORKER)
    return entry


def study_summary(study: optuna.Study) -> dict:
    """The study as JSON: every trial, state counts and the best completed trial (None when none completed)."""
    trials = [trial_summary(t) for t in study.get_trials(deepcopy=False)]
    completed = [t for t in trials if t["state"] == TrialState.COMPLETE.name]
    best = min(completed, key=lambda t: t["eval_loss"], default=None)
    states: dict[str, int] = {}
    for t in trials:
        states[t["state"]] = states.get(t["state"], 0) + 1
    return {
        "study_name": study.study_name,
        "direction": "minimize",
        "states": states,
        "trials": trials,
        "best_trial": None if best is None else {k: best[k] for k in ("number", "params", "eval_loss")},
    }
