"""The decisions of federated training, as pure functions over plain values: how far a task is, whether a round
can be finalized, what the sweep must re-send, whether a task is over its time limit.

The coordinator and the recovery sweep read rows into these values, call a rule and apply its answer; nothing here
touches the database, so each rule is tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from trainnet.dispatch.fleet import Fleet
from trainnet.dispatch.policy import Policy, job_key, older
from trainnet.status import ShardStatus


@dataclass(frozen=True)
class ShardState:
    """What the rules need to know of one shard of a round."""

    index: int
    status: str
    rows: int
    progress: float = 0.0
    worker: str | None = None
    heartbeat_at: datetime | None = None
    dispatched_at: datetime | None = None


def task_progress(
    rounds: int, current_round: int, shard_progress: list[float], round_done: bool, warmup_share: float
) -> float:
    """Overall progress in percent: the warm-up's share first, then finished rounds plus the current round's mean
    shard progress (90%; the finalizer is the rest). Capped at 99 until the task is done."""
    within = 1.0 if round_done else 0.9 * sum(shard_progress) / (100.0 * max(1, len(shard_progress)))
    done = (current_round + within) / max(1, rounds)
    return round(min(99.0, 100.0 * (warmup_share + (1 - warmup_share) * done)), 1)


def warmup_progress(warmup_share: float, progress: float) -> float:
    """Overall progress while the shared warm-up is `progress`% through."""
    return round(min(99.0, warmup_share * progress), 1)


@dataclass(frozen=True)
class RoundOutcome:
    """A round whose shards have all finished: which shards it keeps, the share of rows they cover, and whether
    that is enough to average them (`finalize`) or the task must end."""

    shards_used: list[int]
    rows_covered: float
    finalize: bool


def round_outcome(shards: list[ShardState], min_shard_fraction: float) -> RoundOutcome | None:
    """None while a shard is still queued or running."""
    if any(s.status not in (ShardStatus.DONE, ShardStatus.FAILED) for s in shards):
        return None
    done = [s for s in shards if s.status == ShardStatus.DONE]
    covered = sum(s.rows for s in done) / max(1, sum(s.rows for s in shards))
    return RoundOutcome(
        shards_used=[s.index for s in done],
        rows_covered=round(covered, 4),
        finalize=bool(done) and covered >= min_shard_fraction,
    )


def shards_to_resend(
    task_id: str, round_: int, shards: list[ShardState], workers: Fleet, now: datetime, policy: Policy
) -> list[int]:
    """Shards whose worker died (not live, or silent past the lease), and queued shards whose message was lost
    (never sent, or no live worker runs it while one of the queue's workers idles past the lease)."""
    idle = policy.queue in workers.idle_queues
    resend = []
    for s in shards:
        dead = s.status == ShardStatus.RUNNING and (
            s.worker not in workers.live or older(s.heartbeat_at, now, policy.lease_seconds)
        )
        lost = s.status == ShardStatus.QUEUED and (
            s.dispatched_at is None
            or (
                idle
                and job_key("train_shard", task_id, round_, s.index) not in workers.busy
                and older(s.dispatched_at, now, policy.lease_seconds)
            )
        )
        if dead or lost:
            resend.append(s.index)
    return resend


def job_lost(key: str, dispatched_at: datetime | None, workers: Fleet, now: datetime, policy: Policy) -> bool:
    """Whether a single job (prepare, finalize) must be sent again: never sent, or no live worker runs it while one
    of its queue's workers idles past the lease."""
    if key in workers.busy:
        return False
    return dispatched_at is None or (
        policy.queue in workers.idle_queues and older(dispatched_at, now, policy.lease_seconds)
    )


def over_time_limit(started_at: datetime | None, now: datetime, policy: Policy) -> bool:
    """Whether a started task has run longer than the wall-time limit (time spent queued does not count)."""
    return (
        bool(policy.time_limit_seconds) and started_at is not None and older(started_at, now, policy.time_limit_seconds)
    )


@dataclass(frozen=True)
class RoundScore:
    """A finished round's validation accuracy and loss."""

    accuracy: float
    loss: float


@dataclass(frozen=True)
class StopDecision:
    """After a round: whether training stops, which round's model is kept, and why it stopped."""

    stop: bool
    kept_round: int
    reason: str | None = None


def top_rounds(scores: list[RoundScore], k: int) -> list[int]:
    """The `k` best rounds by validation accuracy, best first; a tie goes to the lower loss, then to the earlier
    round."""
    return sorted(range(len(scores)), key=lambda r: (-scores[r].accuracy, scores[r].loss, r))[:k]


def best_round(scores: list[RoundScore]) -> int:
    """The round with the highest validation accuracy (the first of `top_rounds`)."""
    return top_rounds(scores, 1)[0]


def greedy_soup(ranked: list[int], best_score: float, score: Callable[[list[int]], float]) -> list[int]:
    """The rounds whose averaged weights make the final model: AutoGluon's default checkpoint averaging, the greedy
    soup of Wortsman et al. 2022 ("Model soups"). Start from the best round (`ranked[0]`, scoring `best_score`) and
    add each next-best round whose uniform average with the rounds taken so far scores at least as well on the
    validation split (`score` of a list of rounds)."""
    soup = ranked[:1]
    for candidate in ranked[1:]:
        candidate_score = score([*soup, candidate])
        if candidate_score >= best_score:
            soup, best_score = [*soup, candidate], candidate_score
    return soup


def after_round(
    round_: int,
    rounds: int,
    scores: list[RoundScore] | None,
    patience: int = 2,
    min_delta: float = 0.0,
    elapsed_seconds: float = 0.0,
    seconds_per_round: float = 0.0,
    budget_seconds: float | None = None,
) -> StopDecision:
    """Whether training goes on after `round_` (0-based) of at most `rounds`.

    Without early stopping (`scores` None) it stops after the last round asked for and keeps it. With it,
    `scores` holds every round's validation score so far (this one last), and training stops at the first of:
    `patience` rounds in a row without a gain of more than `min_delta` over the best before them; the last round
    allowed; or the time budget, which another round (as long as the mean round so far) would overrun. The kept
    round is the best by validation accuracy, so a late worse round never replaces a better model (Keras'
    EarlyStopping with restore_best_weights; Flower has no such rule).
    """
    if scores is None:
        last = round_ + 1 >= rounds
        return StopDecision(last, round_, f"ran the {rounds} round(s) asked for" if last else None)
    kept = best_round(scores)
    best, since = scores[0].accuracy, 0
    for score in scores[1:]:
        if score.accuracy > best + min_delta:
            best, since = score.accuracy, 0
        else:
            since += 1
    if since >= patience:
        reason = f"validation accuracy did not improve by more than {100 * min_delta:g} points for {patience} round(s)"
    elif round_ + 1 >= rounds:
        reason = f"reached the maximum of {rounds} rounds"
    elif budget_seconds is not None and elapsed_seconds + seconds_per_round > budget_seconds:
        reason = f"the {budget_seconds / 60:g}-minute time budget would be spent before another round ended"
    else:
        return StopDecision(False, kept)
    return StopDecision(True, kept, reason)
