"""The pure decisions of federated training, on plain values: no database, broker or clock."""

from datetime import datetime, timedelta

from trainnet.dispatch.fleet import Fleet
from trainnet.dispatch.policy import Policy
from trainnet.federated import rules
from trainnet.federated.rules import ShardState

NOW = datetime(2026, 12, 5, 12, 0, 0)
POLICY = Policy(queue="cpu_queue", lease_seconds=60, worker_timeout_seconds=10, time_limit_seconds=3600)
IDLE = Fleet(live=frozenset({"w1"}), busy=frozenset(), idle_queues=frozenset({"cpu_queue"}))
BUSY = Fleet(live=frozenset({"w1"}), busy=frozenset({"train_shard:t:0:0"}), idle_queues=frozenset())


def shard(index, status, rows=10, **fields):
    return ShardState(index=index, status=status, rows=rows, **fields)


def test_progress_counts_the_warm_up_then_rounds_and_stays_below_100():
    assert rules.task_progress(2, 0, [0.0, 0.0], False, 0.0) == 0.0
    assert rules.task_progress(2, 0, [100.0, 0.0], False, 0.0) == 22.5  # half the shards of round 1 of 2, 90%
    assert rules.task_progress(2, 0, [50.0, 50.0], True, 0.0) == 50.0
    assert rules.task_progress(2, 0, [0.0, 0.0], False, 0.2) == 20.0  # the warm-up is done
    assert rules.task_progress(2, 1, [100.0, 100.0], True, 0.2) == 99.0  # the model is not registered yet
    assert rules.warmup_progress(0.2, 50.0) == 10.0


def test_a_round_waits_for_every_shard():
    assert rules.round_outcome([shard(0, "done"), shard(1, "running")], 0.5) is None
    assert rules.round_outcome([shard(0, "done"), shard(1, "queued")], 0.5) is None


def test_a_round_is_finalized_with_enough_rows_and_failed_without():
    shards = [shard(0, "failed", rows=10), shard(1, "done", rows=10), shard(2, "done", rows=20)]
    outcome = rules.round_outcome(shards, 0.5)
    assert outcome == rules.RoundOutcome(shards_used=[1, 2], rows_covered=0.75, finalize=True)
    assert not rules.round_outcome(shards, 1.0).finalize
    assert not rules.round_outcome([shard(0, "failed"), shard(1, "failed")], 0.0).finalize  # nothing to average


def test_the_shard_of_a_dead_or_silent_worker_is_resent():
    shards = [
        shard(0, "running", worker="gone", heartbeat_at=NOW),  # its worker is not live
        shard(1, "running", worker="w1", heartbeat_at=NOW - timedelta(seconds=61)),  # silent past the lease
        shard(2, "running", worker="w1", heartbeat_at=NOW - timedelta(seconds=5)),
        shard(3, "done", worker="gone"),
    ]
    assert rules.shards_to_resend("t", 0, shards, IDLE, NOW, POLICY) == [0, 1]


def test_a_lost_message_is_resent_only_when_a_worker_of_its_queue_idles():
    never_sent = shard(0, "queued")
    waiting = shard(1, "queued", dispatched_at=NOW - timedelta(seconds=61))
    recent = shard(2, "queued", dispatched_at=NOW - timedelta(seconds=5))
    assert rules.shards_to_resend("t", 0, [never_sent, waiting, recent], IDLE, NOW, POLICY) == [0, 1]
    assert rules.shards_to_resend("t", 0, [never_sent, waiting, recent], BUSY, NOW, POLICY) == [0]


def test_a_single_job_is_lost_unless_a_worker_runs_it_or_the_fleet_is_busy():
    old = NOW - timedelta(seconds=61)
    assert rules.job_lost("prepare:t", None, IDLE, NOW, POLICY)
    assert rules.job_lost("prepare:t", old, IDLE, NOW, POLICY)
    assert not rules.job_lost("prepare:t", old, BUSY, NOW, POLICY)  # the fleet is busy: the message waits
    assert not rules.job_lost("train_shard:t:0:0", old, BUSY, NOW, POLICY)  # a worker runs it
    assert not rules.job_lost("prepare:t", NOW - timedelta(seconds=5), IDLE, NOW, POLICY)


def test_time_limit_counts_from_the_start_and_zero_turns_it_off():
    started = NOW - timedelta(seconds=3601)
    assert rules.over_time_limit(started, NOW, POLICY)
    assert not rules.over_time_limit(NOW - timedelta(seconds=3599), NOW, POLICY)
    assert not rules.over_time_limit(None, NOW, POLICY)  # queued, not started
    assert not rules.over_time_limit(started, NOW, Policy(time_limit_seconds=0))


def scores(*accuracies, loss=1.0):
    return [rules.RoundScore(a, loss) for a in accuracies]


def test_fixed_rounds_stop_after_the_last_and_keep_it():
    assert rules.after_round(0, 3, None) == rules.StopDecision(False, 0)
    assert rules.after_round(2, 3, None) == rules.StopDecision(True, 2, "ran the 3 round(s) asked for")


def test_early_stopping_waits_patience_rounds_without_a_gain_and_keeps_the_best_round():
    assert not rules.after_round(2, 20, scores(0.5, 0.7, 0.69), patience=2).stop
    decision = rules.after_round(3, 20, scores(0.5, 0.7, 0.69, 0.68), patience=2)
    assert decision.stop and decision.kept_round == 1 and "2 round(s)" in decision.reason


def test_a_gain_no_larger_than_min_delta_does_not_reset_patience():
    decision = rules.after_round(3, 20, scores(0.5, 0.7, 0.704, 0.705), patience=2, min_delta=0.005)
    assert decision.stop and decision.kept_round == 3  # the best round is kept, even by a hair
    assert not rules.after_round(3, 20, scores(0.5, 0.7, 0.704, 0.71), patience=2, min_delta=0.005).stop


def test_ties_keep_the_lower_loss_then_the_earlier_round():
    tied = [rules.RoundScore(0.8, 0.6), rules.RoundScore(0.8, 0.5), rules.RoundScore(0.8, 0.5)]
    assert rules.best_round(tied) == 1


def test_early_stopping_stops_at_the_round_limit_and_before_the_budget_runs_out():
    assert rules.after_round(4, 5, scores(0.1, 0.2, 0.3, 0.4, 0.5)).reason == "reached the maximum of 5 rounds"
    going = rules.after_round(1, 20, scores(0.1, 0.2), elapsed_seconds=400, seconds_per_round=150, budget_seconds=600)
    assert not going.stop
    late = rules.after_round(1, 20, scores(0.1, 0.2), elapsed_seconds=500, seconds_per_round=150, budget_seconds=600)
    assert late.stop and late.kept_round == 1 and "10-minute time budget" in late.reason


def test_top_rounds_rank_by_accuracy_then_loss_then_age():
    history = [
        rules.RoundScore(0.7, 0.9),
        rules.RoundScore(0.8, 0.6),
        rules.RoundScore(0.8, 0.5),
        rules.RoundScore(0.75, 1),
    ]
    assert rules.top_rounds(history, 3) == [2, 1, 3]
    assert rules.top_rounds(history[:1], 3) == [0]


def test_greedy_soup_adds_a_round_only_when_the_average_scores_at_least_as_well():
    scores = {(2, 1): 0.81, (2, 1, 3): 0.79, (2, 1, 0): 0.81}
    tried = []

    def score(rounds):
        tried.append(rounds)
        return scores[tuple(rounds)]

    assert rules.greedy_soup([2, 1, 3, 0], 0.80, score) == [2, 1, 0]
    assert tried == [[2, 1], [2, 1, 3], [2, 1, 0]]  # each candidate once, against the soup so far
    assert rules.greedy_soup([2], 0.80, score) == [2]
