from datetime import datetime, timedelta

from trainnet.dispatch.policy import Policy, job_key, older


def test_job_keys_name_a_job_as_workers_report_it_in_heartbeats():
    assert job_key("train_shard", "task_x", 0, 1) == "train_shard:task_x:0:1"


def test_a_moment_never_set_counts_as_old():
    now = datetime(2026, 12, 5)
    assert older(None, now, 60)
    assert older(now - timedelta(seconds=61), now, 60) and not older(now - timedelta(seconds=59), now, 60)


def test_the_policy_reads_the_settings_it_needs():
    class Settings:
        train_queue, shard_lease_seconds, worker_heartbeat_seconds, task_time_limit_seconds = "q", 30.0, 5.0, 60.0

    assert Policy.from_settings(Settings) == Policy("q", 30.0, 15.0, 60.0)
