"""Issue 20 end to end: what a user waits for. `trainnet serve` (embedded: SQLite, its own workers), upload the
self-instruct seed tasks, generate N records with the default (bundled) teacher, and count accepted records a
minute; then score what was generated with the validation rules against the seeds.

Run it once per code base, with that code base's `src` first on the path (today's `main`, and this branch):

    .venv/bin/python bench/bench_generate_e2e.py --src ../main/src --minutes 10
    .venv/bin/python bench/bench_generate_e2e.py --src src --minutes 15
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED_DATA  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=Path("src"), help="the code base to serve (its src folder)")
    parser.add_argument("-n", "--num-examples", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=15.0, help="stop waiting after this long")
    parser.add_argument("--label", default=None)
    args = parser.parse_args()
    src = args.src.resolve()
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1"}
        env.pop("TRAINNET_API_URL", None)
        log = open(Path(data_dir) / "serve.log", "w")
        command = [sys.executable, "-m", "trainnet", "serve", "--port", str(port), "--data-dir", data_dir]
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            result = run(f"http://127.0.0.1:{port}", args.num_examples, args.minutes * 60)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    result["code"] = args.label or str(src)
    records = result.pop("records")
    result.update(score(records))
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    name = (args.label or src.parent.name).replace("/", "-")
    (RESULTS / f"generate-e2e-{name}.json").write_text(json.dumps(result, indent=2))
    (RESULTS / f"generate-e2e-{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def run(url: str, count: int, limit_s: float) -> dict:
    with httpx.Client(base_url=url, timeout=60) as api:
        deadline = time.monotonic() + 120
        while True:
            try:
                api.get("/api/datasets").raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        content = (SHARED_DATA / "seed_tasks.jsonl").read_bytes()
        seed = api.post("/api/datasets", files={"file": ("seed_tasks.jsonl", content)}).json()["dataset_id"]
        started = time.monotonic()
        response = api.post(f"/api/datasets/{seed}/generate", json={"num_examples": count})
        response.raise_for_status()
        generated = response.json()["dataset_id"]
        first_record_s = None
        while True:
            dataset = api.get(f"/api/datasets/{generated}").json()
            elapsed = time.monotonic() - started
            if dataset["rows"] and first_record_s is None:
                first_record_s = elapsed
            if dataset["status"] != "GENERATING" or elapsed > limit_s:
                break
            time.sleep(2)
        download = api.get(f"/api/datasets/{generated}/download")
        records = [json.loads(line) for line in download.text.splitlines()] if download.status_code == 200 else []
    return {
        "status": dataset["status"],
        "error": dataset.get("error"),
        "records": records,
        "accepted": len(records),
        "seconds": round(elapsed, 1),
        "first_record_s": first_record_s and round(first_record_s, 1),
        "records_per_minute": round(60 * len(records) / elapsed, 2),
        "generation": dataset.get("generation"),
    }


def score(records: list[dict]) -> dict:
    """The validation rules on the generated records (against the seeds), as this branch scores them."""
    from trainnet.generate.seeds import load_seed_tasks
    from trainnet.validation import validate_records

    if not records:
        return {"validation": None}
    path = SHARED_DATA / "seed_tasks.jsonl"
    result = validate_records(records, load_seed_tasks(path.read_bytes(), path.name))
    metrics = result.to_dict().get("metrics", {})
    return {
        "validation": {
            "verdict": result.verdict,
            "valid_records": metrics.get("valid_records"),
            "records": metrics.get("records"),
            "rules_passed": [rule.rule for rule in result.rules if rule.passed],
            "rules_failed": [rule.rule for rule in result.rules if not rule.passed],
            **{
                key: metrics.get(key)
                for key in ("duplicate_records", "mean_nearest_rouge_l", "mean_self_bleu", "mean_reference_rouge_l")
            },
        }
    }


if __name__ == "__main__":
    main()
