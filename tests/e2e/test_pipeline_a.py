"""Pipeline A end to end: a real `trainnet serve` with real worker processes on the embedded broker.

Upload → train tiny models of each model type through 2 shards and 2 rounds → download the zip → load it
with transformers exactly as a user would → predict.
"""

import io
import subprocess
import sys
import zipfile

import pytest
import torch
from transformers import (
    AutoImageProcessor,
    AutoModelForImageClassification,
    AutoModelForSequenceClassification,
    AutoTokenizer,
)

from tests.conftest import TINY_DISTILBERT, TINY_MOBILENET, digits_rows, to_csv, wait_for_task
from trainnet.training.params import AUTO_MAX_ROUNDS

pytestmark = pytest.mark.slow


def train(api, content: bytes, name: str, **request) -> dict:
    upload = api.post("/api/datasets", files={"file": (name, content)})
    assert upload.status_code == 201, upload.text
    response = api.post(
        "/api/train",
        json={"dataset_id": upload.json()["dataset_id"], "num_shards": 2, "rounds": 2, "epochs": 1, **request},
    )
    assert response.status_code == 202, response.text
    task = wait_for_task(api, response.json()["task_id"])
    assert task["status"] == "done", task["error"]
    return task


def download(api, task: dict, folder):
    response = api.get(f"/api/tasks/{task['task_id']}/download_model")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    return folder


def check_rounds(task: dict) -> None:
    assert [r["round"] for r in task["rounds"]] == [0, 1]
    for r in task["rounds"]:
        assert r["status"] == "done" and r["shards_used"] == [0, 1] and r["rows_covered"] == 1.0
        assert set(r["metrics"]) >= {"accuracy", "macro_f1", "loss"}
    assert len(task["shards"]) == 4 and all(s["status"] == "done" for s in task["shards"])
    assert task["progress"] == 100.0 and task["model_id"]


def test_distilbert_from_scratch_trains_and_loads_with_transformers(api, text_csv, tmp_path):
    task = train(api, text_csv, "reviews.csv", model_type="distilbert", model_config=TINY_DISTILBERT)
    check_rounds(task)
    assert task["info"]["pretrained"] is False and "random init" in task["info"]["note"]
    # warmup_epochs is auto: the epochs resolved from the data size are the ones the worker trained
    assert task["info"]["warmup"]["epochs"] == task["params"]["warmup_epochs"] >= 1
    assert task["info"]["warmup"]["rows"] == sum(s["rows"] for s in task["shards"] if s["round"] == 0)
    folder = download(api, task, tmp_path)
    assert {"config.json", "model.safetensors", "tokenizer.json", "metrics.json", "README.md"} <= {
        p.name for p in folder.iterdir()
    }
    model = AutoModelForSequenceClassification.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert model.config.id2label == {0: "neg", 1: "pos"}
    logits = model(**tokenizer(["great movie loved it", "boring and awful"], return_tensors="pt", padding=True)).logits
    assert logits.shape == (2, 2)
    models = api.get("/api/models").json()
    assert task["model_id"] in {m["model_id"] for m in models}
    assert api.get(f"/api/models/{task['model_id']}").json()["metrics"]["accuracy"] >= 0


def test_early_stopping_keeps_the_best_round_and_reports_baselines(api, text_csv, tmp_path):
    """No gain can beat min_delta=1.0, so patience 1 stops after round 1 of 4 and the better round is stored."""
    task = train(
        api,
        text_csv,
        "reviews.csv",
        model_type="distilbert",
        model_config=TINY_DISTILBERT,
        rounds=4,
        early_stopping=True,
        patience=1,
        min_delta=1.0,
    )
    assert [r["round"] for r in task["rounds"]] == [0, 1] and task["params"]["early_stopping"] is True
    assert task["stop_reason"] == "validation accuracy did not improve by more than 100 points for 1 round(s)"
    validation = [r["metrics"]["validation"] for r in task["rounds"]]
    best = min((0, 1), key=lambda r: (-validation[r]["accuracy"], validation[r]["loss"], r))
    assert task["kept_round"] == best
    budget = task["info"]["budget"]
    assert budget["max_rounds"] == 4 and budget["validation_rows"] > 0
    rows = len(text_csv.decode().strip().splitlines()) - 1  # less the header
    assert budget["validation_rows"] + sum(task["info"]["shard_rows"]) + task["info"]["eval_rows"] == rows
    assert [b["kind"] for b in task["baseline"]] == ["majority", "classical"]
    assert all(0 <= b["accuracy"] <= 1 and 0 <= b["macro_f1"] <= 1 for b in task["baseline"])
    import json

    stored = json.loads((download(api, task, tmp_path) / "metrics.json").read_text())
    assert stored["kept_round"] == best and stored["accuracy"] == task["rounds"][best]["metrics"]["accuracy"]
    model = api.get(f"/api/models/{task['model_id']}").json()
    assert model["metrics"]["accuracy"] == task["rounds"][best]["metrics"]["accuracy"]


def test_the_model_is_a_greedy_soup_of_the_best_rounds_and_reports_its_own_scores(api, text_csv, tmp_path):
    task = train(
        api,
        text_csv,
        "reviews.csv",
        model_type="distilbert",
        model_config=TINY_DISTILBERT,
        rounds=3,
        early_stopping=True,
        patience=5,
        soup_rounds=3,
    )
    validation = [r["metrics"]["validation"] for r in task["rounds"]]
    ranked = sorted(range(3), key=lambda r: (-validation[r]["accuracy"], validation[r]["loss"], r))
    soup = task["averaged_rounds"]
    assert task["kept_round"] == ranked[0] and soup[0] == ranked[0] and set(soup) <= set(ranked)
    final = task["rounds"][-1]["metrics"]["model"]
    assert final["rounds"] == soup and final["validation"]["accuracy"] >= validation[ranked[0]]["accuracy"]
    model = api.get(f"/api/models/{task['model_id']}").json()
    assert model["metrics"]["accuracy"] == final["accuracy"] and model["metrics"]["averaged_rounds"] == soup
    import json

    stored = json.loads((download(api, task, tmp_path) / "metrics.json").read_text())
    assert stored["averaged_rounds"] == soup and stored["accuracy"] == final["accuracy"]


def test_auto_rounds_stop_when_the_time_budget_is_spent(api, text_csv):
    # 6 ms: spent by round 0 however fast the machine (a warm server trains a round of this in 0.3 s)
    task = train(
        api,
        text_csv,
        "reviews.csv",
        model_type="distilbert",
        model_config=TINY_DISTILBERT,
        rounds="auto",
        epochs="auto",
        time_budget_minutes=0.0001,
    )
    assert len(task["rounds"]) == 1 and task["kept_round"] == 0
    assert task["stop_reason"] == "the 0.0001-minute time budget would be spent before another round ended"
    assert (
        task["params"]["rounds"] == AUTO_MAX_ROUNDS
        and task["params"]["epochs"] >= 1
        and task["info"]["budget"]["epochs_auto"]
    )


def test_pretrained_minilm_learns_the_reviews(api, text_csv, tmp_path):
    # 24 rows a shard make 2 steps an epoch: enough steps, at a fine-tuning rate, that the margin is not luck
    task = train(api, text_csv, "reviews.csv", model_type="minilm", epochs=5, learning_rate=1e-4)
    check_rounds(task)
    assert task["info"]["pretrained"] is True and "warmup" not in task["info"]  # pretrained: past that phase
    assert task["rounds"][-1]["metrics"]["accuracy"] >= 0.9, task["rounds"][-1]["metrics"]
    folder = download(api, task, tmp_path)
    model = AutoModelForSequenceClassification.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    predicted = model(**tokenizer(["superb film 99", "worst film ever 99"], return_tensors="pt", padding=True)).logits
    assert [model.config.id2label[i] for i in predicted.argmax(-1).tolist()] == ["pos", "neg"]


def test_mobilenet_on_pixel_columns_loads_with_its_image_processor(api, tmp_path):
    task = train(api, to_csv(digits_rows(120)), "digits.csv", model_type="mobilenet_v2", model_config=TINY_MOBILENET)
    check_rounds(task)
    assert task["info"]["warmup"]["steps"] > 0
    folder = download(api, task, tmp_path)
    assert "shared warm-up epoch(s)" in (folder / "README.md").read_text()
    model = AutoModelForImageClassification.from_pretrained(folder)
    processor = AutoImageProcessor.from_pretrained(folder)
    from trainnet.data.examples import to_pil

    image = to_pil([v for k, v in digits_rows(1)[0].items() if k != "label"])
    logits = model(**processor(images=[image], return_tensors="pt")).logits
    assert logits.shape == (1, 10) and model.config.id2label[0] == "0"
    assert torch.isfinite(logits).all()


def test_workers_are_listed_with_their_queues(api):
    workers = api.get("/api/workers").json()
    assert len(workers) == 2
    assert all(w["queues"] == ["cpu_queue", "gpu_queue"] for w in workers)


def test_cli_trains_without_a_server_started_by_hand(tmp_path, text_csv):
    data = tmp_path / "reviews.csv"
    data.write_bytes(text_csv)
    out = tmp_path / "model.zip"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "trainnet",
            "train",
            str(data),
            "--model",
            "distilbert",
            "--shards",
            "2",
            "--rounds",
            "2",
            "--epochs",
            "1",
            "--out",
            str(out),
            "--model-config",
            '{"n_layers": 1, "dim": 32, "hidden_dim": 64, "n_heads": 2, "tokenizer_vocab_size": 300}',
        ],
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "done" in result.stderr and zipfile.ZipFile(out).getinfo("config.json")


def test_cli_fails_clearly_on_a_bad_file(tmp_path, live_server):
    data = tmp_path / "bad.csv"
    data.write_text("text,label\nonly one class,a\nagain,a\n")
    result = subprocess.run(
        [sys.executable, "-m", "trainnet", "train", str(data), "--api", live_server],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "single class" in result.stderr
