"""AutoGluon side by side with TrainNet's defaults (issue 14): AutoGluon's TabularPredictor on the very rows
TrainNet trains and evaluates on (the platform's own split for each seed: its held-out eval rows are the test set,
every other row is AutoGluon's to split as it likes), with a wall-time limit.

AutoGluon runs in its own virtual environment (its pins do not fit TrainNet's torch), created by hand:

    python3 -m venv /work/agvenv && /work/agvenv/bin/pip install "autogluon.tabular[lightgbm]"
    .venv/bin/python bench/bench_autogluon.py --data DIR --ag-python /work/agvenv/bin/python \
        [--sets animal icd10] [--seeds 0 1 2] [--time-limit 600]

Without torch in that environment AutoGluon fits its tree, linear and k-NN models (and their weighted ensemble);
text columns get its n-gram features.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import markdown_table
from real_datasets import DATASETS

from trainnet.data.examples import guess_mapping
from trainnet.data.parsing import parse_table
from trainnet.federated.plan import plan_task
from trainnet.training.params import TrainingParams

FIT = """
import json, sys
import pandas as pd
from autogluon.tabular import TabularPredictor
train, test, label, limit, out = sys.argv[1:6]
train, test = pd.read_csv(train), pd.read_csv(test)
predictor = TabularPredictor(label=label, eval_metric="accuracy", path=out, verbosity=0)
predictor.fit(train, time_limit=float(limit), presets="medium_quality")
from sklearn.metrics import accuracy_score, f1_score
predicted = predictor.predict(test.drop(columns=[label]))
print(json.dumps({"accuracy": accuracy_score(test[label], predicted),
                  "macro_f1": f1_score(test[label], predicted, average="macro"), "best": predictor.model_best}))
"""


def write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


def run(ag_python: str, path: Path, seed: int, shards: int, limit: float) -> dict:
    table = parse_table(path.read_bytes(), path.name)
    kind, mapping = guess_mapping(table)
    plan = plan_task(table, kind, mapping, TrainingParams(num_shards=shards, seed=seed))
    assert len(plan.examples.labels) == len(table.rows), "the split's indices must be the table's rows"
    test = set(plan.eval_indices)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(folder / "train.csv", table.columns, [r for i, r in enumerate(table.rows) if i not in test])
        write(folder / "test.csv", table.columns, [table.rows[i] for i in sorted(test)])
        started = time.monotonic()
        done = subprocess.run(
            [
                ag_python,
                "-c",
                FIT,
                str(folder / "train.csv"),
                str(folder / "test.csv"),
                mapping.label_column,
                str(limit),
                str(folder / "ag"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.monotonic() - started
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"data": path.stem, "seed": seed, **result, "wall_s": round(wall, 1)}


def spread(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True, help="folder written by real_datasets.py")
    parser.add_argument("--ag-python", required=True, help="python of a virtual environment with autogluon.tabular")
    parser.add_argument("--sets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=600, help="AutoGluon's time_limit in seconds")
    parser.add_argument("--out", type=Path, default=Path("bench-autogluon.jsonl"))
    args = parser.parse_args()
    rows = []
    for name in args.sets:
        mine = []
        for seed in args.seeds:
            result = run(args.ag_python, args.data / DATASETS[name].file, seed, args.shards, args.time_limit)
            print(json.dumps(result), flush=True)
            with args.out.open("a") as out:
                out.write(json.dumps(result) + "\n")
            mine.append(result)
        rows.append(
            [
                name,
                spread([r["accuracy"] for r in mine]),
                spread([r["macro_f1"] for r in mine]),
                " / ".join(r["best"] for r in mine),
                spread([r["wall_s"] / 60 for r in mine]),
            ]
        )
    print(markdown_table(["data", "accuracy", "macro-F1", "best model", "wall (min)"], rows))


if __name__ == "__main__":
    main()
