import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict

import optuna
import pytest
import torch

from trainnet.lora.bayesian_optimizer import (
    LOST_WORKER,
    SearchFailed,
    open_study,
    run_search,
    study_summary,
    suggest_params,
)


def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'studies.db'}"


def load_summary(tmp_path, job_id: str) -> dict:
    return study_summary(optuna.load_study(study_name=f"lora-{job_id}", storage=sqlite_url(tmp_path)))


def test_suggested_params_stay_in_the_search_space(make_config):
    config = make_config(rank_choices=(4, 16), lora_alpha_bounds=(8, 32), learning_rate_bounds=(1e-4, 1e-2))
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        params = suggest_params(study.ask(), config)
        assert params.rank in (4, 16)
        assert 8 <= params.lora_alpha <= 32
        assert 1e-4 <= params.learning_rate <= 1e-2


def test_a_search_runs_end_to_end_and_its_best_adapter_loads_with_peft_and_generates(
    make_config, make_records, tiny_model_dir, tmp_path
):
    from peft import PeftModel

    from trainnet.lora.lora_tuning import evaluate_loss, load_base_model, prepare_dataset, prompt_text

    config = make_config(n_trials=2)
    uploaded, progress = {}, []

    def upload(trial_number, adapter_dir):  # stands in for the object store: the directory is temporary
        shutil.copytree(adapter_dir, tmp_path / "store" / str(trial_number))
        uploaded[trial_number] = sorted(p.name for p in adapter_dir.iterdir())

    result = run_search(
        "e2e", make_records(32), config, sqlite_url(tmp_path), on_trial_adapter=upload, on_progress=progress.append
    )

    assert result.study_name == "lora-e2e" and result.trials_run == 2
    assert [t["state"] for t in result.summary["trials"]] == ["COMPLETE", "COMPLETE"]
    assert set(uploaded) == {0, 1} and "adapter_model.safetensors" in uploaded[0]
    assert [(p["number"], p["trials_done"], p["n_trials"]) for p in progress] == [(0, 1, 2), (1, 2, 2)]
    best = result.best_trial
    assert best["eval_loss"] == min(t["eval_loss"] for t in result.summary["trials"])
    assert set(best["params"]) == {"rank", "lora_alpha", "learning_rate"}
    assert json.loads(json.dumps(result.summary)) == load_summary(tmp_path, "e2e")
    trial = result.summary["trials"][0]
    assert set(trial) == {"number", "params", "eval_loss", "state", "seconds", "eval_losses"}
    assert trial["seconds"] > 0 and [s for s, _ in trial["eval_losses"]] == [4, 8, 12]

    base, tokenizer = load_base_model(str(tiny_model_dir))
    model = PeftModel.from_pretrained(base, tmp_path / "store" / str(best["number"]))
    _, eval_set = prepare_dataset(make_records(32), tokenizer, config)
    assert evaluate_loss(model, eval_set, config.batch_size, tokenizer.pad_token_id) == pytest.approx(
        best["eval_loss"], rel=1e-4
    )
    prompt = tokenizer(prompt_text(tokenizer, "Greet Ana."), return_tensors="pt", add_special_tokens=False)
    generated = model.generate(**prompt, max_new_tokens=5, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    assert generated.shape[1] > prompt["input_ids"].shape[1]


DEAD_WORKER = """
import json, os, signal, sys
from pathlib import Path
from trainnet.lora import LoraTuningConfig
from trainnet.lora.bayesian_optimizer import run_search

def die_on_second_trial(trial_number, adapter_dir):
    if trial_number == 1:
        os.kill(os.getpid(), signal.SIGKILL)

config = LoraTuningConfig.from_overrides(json.loads(sys.argv[1]))
run_search("resume", json.loads(sys.argv[2]), config, sys.argv[3], on_trial_adapter=die_on_second_trial)
"""


def test_a_restarted_job_fails_the_dead_workers_trial_and_runs_only_the_remaining_budget(
    make_config, make_records, tmp_path
):
    config = make_config(n_trials=2)
    records = make_records(32)
    worker = subprocess.run(
        [sys.executable, "-c", DEAD_WORKER, json.dumps(asdict(config)), json.dumps(records), sqlite_url(tmp_path)],
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == -9, worker.stderr[-2000:]
    interrupted = load_summary(tmp_path, "resume")
    assert [t["state"] for t in interrupted["trials"]] == ["COMPLETE", "RUNNING"]

    time.sleep(config.grace_seconds + 1.5)  # the dead worker's heartbeat goes stale (SQLite keeps whole seconds)
    result = run_search("resume", records, config, sqlite_url(tmp_path))

    states = [(t["number"], t["state"]) for t in result.summary["trials"]]
    assert states == [(0, "COMPLETE"), (1, "FAIL"), (2, "COMPLETE")]
    assert result.summary["trials"][1]["fail_reason"] == LOST_WORKER
    assert result.summary["trials"][0] == interrupted["trials"][0]
    assert result.trials_run == 1


def test_a_failing_trial_is_recorded_and_the_study_continues(make_config, make_records, tmp_path):
    def out_of_memory_on_trial_1(trial_number, adapter_dir):
        if trial_number == 1:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    result = run_search(
        "oom",
        make_records(32),
        make_config(n_trials=3),
        sqlite_url(tmp_path),
        on_trial_adapter=out_of_memory_on_trial_1,
    )

    trials = result.summary["trials"]
    assert [t["state"] for t in trials] == ["COMPLETE", "FAIL", "COMPLETE"]
    assert trials[1]["fail_reason"] == "OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"
    assert result.best_trial["number"] in (0, 2) and result.summary["states"] == {"COMPLETE": 2, "FAIL": 1}


def test_a_search_where_every_trial_fails_raises_with_the_reasons(make_config, make_records, tmp_path):
    def broken_store(trial_number, adapter_dir):
        raise ConnectionError("object store unreachable")

    with pytest.raises(SearchFailed, match="no LoRA trial of lora-broken completed: ConnectionError: object store"):
        run_search(
            "broken", make_records(32), make_config(n_trials=1), sqlite_url(tmp_path), on_trial_adapter=broken_store
        )


def test_a_trial_in_the_worst_quarter_of_completed_trials_is_pruned(make_config, make_records, tmp_path):
    config = make_config(n_trials=2, n_startup_trials=1)
    study = open_study("prune", sqlite_url(tmp_path), config)
    study.enqueue_trial({"rank": 4, "lora_alpha": 8, "learning_rate": 2e-2})
    study.enqueue_trial({"rank": 4, "lora_alpha": 8, "learning_rate": 3e-3})  # far slower to learn

    result = run_search("prune", make_records(32), config, sqlite_url(tmp_path))

    good, slow = result.summary["trials"]
    assert (good["state"], slow["state"]) == ("COMPLETE", "PRUNED")
    assert [s for s, _ in slow["eval_losses"]] == [4, 8]  # warm-up eval at step 4, pruned at the second eval
    assert slow["eval_loss"] == slow["eval_losses"][-1][1] > good["eval_losses"][1][1]
    assert result.best_trial["number"] == 0


def test_two_workers_share_one_study_and_its_budget(make_config, make_records, tmp_path):
    config = make_config(n_trials=3)
    records = make_records(32)
    results, errors = [], []

    def worker():
        try:
            results.append(run_search("shared", records, config, sqlite_url(tmp_path)))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not errors
    summary = load_summary(tmp_path, "shared")
    numbers = [t["number"] for t in summary["trials"]]
    # Both workers may start a trial on the last free slot at once: the budget can be overshot by one.
    assert numbers == list(range(len(numbers))) and len(numbers) in (3, 4)
    assert all(t["state"] == "COMPLETE" for t in summary["trials"])
    assert sum(r.trials_run for r in results) == len(numbers)


def test_unknown_target_modules_fail_before_any_trial(make_config, make_records, tmp_path):
    with pytest.raises(ValueError, match=r"target_modules \['query_key_value'\] are not in .* linear layers are"):
        run_search(
            "typo", make_records(32), make_config(target_modules=("q_proj", "query_key_value")), sqlite_url(tmp_path)
        )


def test_the_startup_design_puts_one_point_in_each_stratum_of_every_parameter(make_config):
    from trainnet.lora.bayesian_optimizer import startup_points

    config = make_config(
        n_trials=8, rank_choices=(4, 8, 16), lora_alpha_bounds=(8, 64), learning_rate_bounds=(1e-5, 1e-2)
    )
    points = startup_points(config, seed=3)

    assert len(points) == config.startup_trials == 3
    assert sorted(p["rank"] for p in points) == [4, 8, 16]
    decades = sorted(int((math.log10(p["learning_rate"]) + 5) // 1) for p in points)  # thirds of 1e-5..1e-2
    assert decades == [0, 1, 2]
    alphas = sorted(p["lora_alpha"] for p in points)
    assert alphas[0] <= 16 and 16 <= alphas[1] <= 32 and alphas[2] >= 32  # thirds of log2(8..64)
    assert points == startup_points(config, seed=3) and points != startup_points(config, seed=4)


def test_a_new_study_runs_the_startup_design_first(make_config, make_records, tmp_path):
    from trainnet.lora.bayesian_optimizer import startup_points

    config = make_config(n_trials=3, n_startup_trials=2)
    result = run_search("design", make_records(32), config, sqlite_url(tmp_path))

    params = [t["params"] for t in result.summary["trials"]]
    assert params[:2] == startup_points(config, config.seed) and len(params) == 3
