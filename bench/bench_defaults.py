"""Issue 14: what a user gets with the defaults on data nobody here tuned on, through the whole platform.

Starts an embedded `trainnet serve` (as `trainnet train` does), uploads each data set, trains it with every field
at its default except `num_shards` (and `seed`, to measure the spread), and reads back what the platform reports:
the kept round's held-out accuracy and macro-F1, the rounds run and why they stopped, the platform's own
baselines on the same split (majority class; TF-IDF + logistic regression or logistic regression on pixels), and
the wall time from POST /api/train to done. Data sets come from `real_datasets.py` (pip packages, no downloads at
run time).

    .venv/bin/python bench/bench_defaults.py --data DIR [--sets animal icd10] [--seeds 0 1 2] [--shards 4]
        [--model-for icd10=minilm] [--set KEY=VALUE ...] [--out results.jsonl]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import httpx
from common import markdown_table
from real_datasets import DATASETS

from trainnet.cli.train import embedded_server


def run(client: httpx.Client, path: Path, model: str, seed: int, shards: int, extra: dict) -> dict:
    with open(path, "rb") as handle:
        upload = client.post("/api/datasets", files={"file": (path.name, handle)})
    upload.raise_for_status()
    request = {"model_type": model, "dataset_id": upload.json()["dataset_id"], "num_shards": shards, "seed": seed}
    started = time.monotonic()
    response = client.post("/api/train", json={**request, **extra})
    response.raise_for_status()
    task_id = response.json()["task_id"]
    while (status := client.get(f"/api/tasks/{task_id}/status").json())["status"] not in ("done", "error"):
        time.sleep(2)
    wall = time.monotonic() - started
    task = client.get(f"/api/tasks/{task_id}").json()
    if status["status"] != "done":
        raise RuntimeError(f"{path.name} seed {seed}: {task['error']}")
    kept = task["kept_round"]
    # The stored model: a greedy soup of the best rounds (its own scores on the last round), else the kept round.
    metrics = task["rounds"][-1]["metrics"].get("model") or task["rounds"][kept]["metrics"]
    return {
        "data": path.stem,
        "model": model,
        "seed": seed,
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "rounds": len(task["rounds"]),
        "kept_round": kept,
        "averaged_rounds": task.get("averaged_rounds") or [kept],
        "kept_round_accuracy": task["rounds"][kept]["metrics"]["accuracy"],
        "epochs": task["params"]["epochs"],
        "stop_reason": task["stop_reason"],
        "wall_s": round(wall, 1),
        "baseline": {b["kind"]: b for b in task["baseline"] or []},
        "extra": extra,
    }


def spread(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True, help="folder written by real_datasets.py")
    parser.add_argument("--sets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--model-for", nargs="*", default=[], help="SET=MODEL overrides of the set's default model")
    parser.add_argument("--set", nargs="*", default=[], help="KEY=JSON training fields beyond the defaults")
    parser.add_argument("--out", type=Path, default=Path("bench-defaults.jsonl"))
    args = parser.parse_args()
    models = {name: spec.model for name, spec in DATASETS.items()} | dict(m.split("=") for m in args.model_for)
    extra = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
    results = []
    with embedded_server(None, None) as url, httpx.Client(base_url=url, timeout=120) as client:
        for name in args.sets:
            for seed in args.seeds:
                result = run(client, args.data / DATASETS[name].file, models[name], seed, args.shards, extra)
                print(json.dumps(result), flush=True)
                with args.out.open("a") as out:
                    out.write(json.dumps(result) + "\n")
                results.append(result)
    rows = []
    for name in args.sets:
        mine = [r for r in results if r["data"] == Path(DATASETS[name].file).stem]
        rows.append(
            [
                name,
                models[name],
                spread([r["accuracy"] for r in mine]),
                spread([r["macro_f1"] for r in mine]),
                spread([r["baseline"]["classical"]["accuracy"] for r in mine]),
                spread([r["baseline"]["majority"]["accuracy"] for r in mine]),
                " / ".join(str(r["rounds"]) for r in mine),
                spread([r["wall_s"] / 60 for r in mine]),
            ]
        )
    header = ["data", "model", "accuracy", "macro-F1", "classical baseline", "majority", "rounds", "wall (min)"]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
