"""The predict API on a MiniLM text classifier (the bundled all-MiniLM-L6-v2 with a 5-label head, saved as a task's
model is), through the HTTP API of a real `trainnet serve --no-workers`, against a bare `transformers` loop on the
same model with the same torch threads:

- latency of one text (`POST /api/models/{id}/predict`, JSON, top_k 3): p50/p99 over `--calls` sequential calls on
  one keep-alive connection, beside the bare model's own tokenizer + forward for the same text;
- batch throughput on `--rows` real texts (T0 instructions): a CSV scored through the same endpoint (upload,
  parsing, scoring, the CSV back) against tokenizer + forward + softmax in batches of the predictor's size.
  Goal: ≥ 0.9x the bare loop. The API's top labels and scores are checked equal to the bare loop's.

The model is registered straight into the server's database and storage (no training: the head's weights do not
change the cost). Bench and server share this machine's cores; only one of them computes at a time, and the API and
bare measurements alternate (call by call, run by run) so that other load on the machine falls on both alike.

    .venv/bin/python bench/bench_predict.py [--calls 200] [--rows 1000] [--threads 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
from common import SHARED_DATA, markdown_table  # noqa: E402

from tests.conftest import ServerProcess  # noqa: E402

LABELS = ["adversarial_qa", "amazon", "cosmos_qa", "dbpedia", "quoref"]
TEXT = "Is this review positive or negative? The plot was thin but the acting carried the whole film."


def build_model(folder: Path) -> Path:
    """The bundled MiniLM as a 5-label classifier, in the downloaded-model format, zipped."""
    from trainnet.training.model_io import write_model_dir, zip_dir
    from trainnet.training.model_zoo import MODEL_TYPES, build_initial_model

    model, tokenizer, _ = build_initial_model(MODEL_TYPES["minilm"], LABELS, [])
    tokenizer.model_max_length = 128  # as the finalizer saves it: the task's max_length
    model_dir = write_model_dir(model, tokenizer, folder / "model", {}, "bench model")
    return zip_dir(model_dir, folder / "model.zip")


def register(data_dir: Path, archive: Path) -> str:
    """A done MiniLM task and its model in the server's database and storage; returns the model id."""
    from trainnet.db.session import session_scope
    from trainnet.db.tables import Dataset, Model, Task
    from trainnet.dispatch.messages import TaskLayout
    from trainnet.settings import Settings
    from trainnet.storage import make_storage

    settings = Settings(data_dir=data_dir)
    task_id, model_id = "task_bench0000000000", "model_bench0000000000"
    with session_scope(settings.sqlalchemy_url) as session:
        session.add(Dataset(id="ds_bench0000000000", name="bench.csv", format="csv"))
        session.flush()
        session.add(
            Task(
                id=task_id,
                status="done",
                model_type="minilm",
                kind="text",
                dataset_id="ds_bench0000000000",
                label_names=LABELS,
                model_id=model_id,
            )
        )
        session.flush()
        key = TaskLayout.model_archive(model_id)
        session.add(Model(id=model_id, task_id=task_id, model_type="minilm", storage_key=key))
    make_storage(settings).put_file(settings.models_bucket, key, archive)
    return model_id


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def api_latency(api: httpx.Client, url: str, calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        response = api.post(url, json={"inputs": [TEXT], "top_k": 3})
        times.append(time.perf_counter() - start)
        response.raise_for_status()
    return times


def api_batch(api: httpx.Client, url: str, texts: list[str]) -> tuple[float, list[dict]]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["text"])
    writer.writeheader()
    writer.writerows({"text": t} for t in texts)
    start = time.perf_counter()
    response = api.post(url, files={"file": ("rows.csv", out.getvalue().encode(), "text/csv")})
    seconds = time.perf_counter() - start
    response.raise_for_status()
    return seconds, list(csv.DictReader(io.StringIO(response.text)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from trainnet.training.predict import BATCH_SIZE

    torch.set_num_threads(args.threads)
    rows = [json.loads(line) for line in (SHARED_DATA / "t0_instructions_10k.jsonl").read_text().splitlines()]
    texts = [r["instruction"] for r in rows[: args.rows]]
    with tempfile.TemporaryDirectory() as tmp:
        archive = build_model(Path(tmp))
        model = AutoModelForSequenceClassification.from_pretrained(Path(tmp) / "model").eval()
        tokenizer = AutoTokenizer.from_pretrained(Path(tmp) / "model")

        @torch.inference_mode()
        def bare(batch: list[str]) -> torch.Tensor:
            encoded = tokenizer(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
            return model(**encoded).logits.softmax(-1)

        def bare_batch() -> tuple[float, torch.Tensor]:
            start = time.perf_counter()
            out = torch.cat([bare(texts[i : i + BATCH_SIZE]) for i in range(0, len(texts), BATCH_SIZE)])
            return time.perf_counter() - start, out

        def bare_call() -> float:
            start = time.perf_counter()
            bare([TEXT])
            return time.perf_counter() - start

        data_dir = Path(tmp) / "data"
        server = ServerProcess(data_dir, no_workers=True, extra_env={"TRAINNET_TORCH_THREADS": str(args.threads)})
        server.start()
        try:
            model_id = register(data_dir, archive)
            url = f"/api/models/{model_id}/predict"
            with httpx.Client(base_url=server.url, timeout=600) as api:
                api_latency(api, url, 5)  # the first call imports torch and loads the model
                for _ in range(5):
                    bare_call()
                # Alternating, call by call and run by run: a load that comes and goes on this shared machine
                # falls on both sides alike.
                latency, bare_latency = [], []
                for _ in range(args.calls):
                    latency += api_latency(api, url, 1)
                    bare_latency.append(bare_call())
                batch_runs, bare_runs = [], []
                for _ in range(args.repeats):
                    batch_runs.append(api_batch(api, url, texts))
                    seconds, probabilities = bare_batch()
                    bare_runs.append(seconds)
        except Exception:
            print(server.log_path.read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            server.stop()

    scored = batch_runs[0][1]
    expected = probabilities.numpy()
    assert [r["prediction"] for r in scored] == [LABELS[i] for i in expected.argmax(-1)]
    assert np.allclose([float(r["score"]) for r in scored], expected.max(-1), atol=1e-5)
    api_seconds = float(np.median([s for s, _ in batch_runs]))
    bare_seconds = float(np.median(bare_runs))
    ms = 1000
    print(f"MiniLM, {args.threads} torch thread(s), batches of {BATCH_SIZE}; throughput: median of {args.repeats} runs")
    print(
        markdown_table(
            ["measure", "predict API (HTTP, real server)", "bare transformers", "API / bare"],
            [
                [
                    f"one text, p50 ({args.calls} calls)",
                    f"{percentile(latency, 50) * ms:.1f} ms",
                    f"{percentile(bare_latency, 50) * ms:.1f} ms",
                    f"{percentile(latency, 50) / percentile(bare_latency, 50):.2f}x",
                ],
                [
                    f"one text, p99 ({args.calls} calls)",
                    f"{percentile(latency, 99) * ms:.1f} ms",
                    f"{percentile(bare_latency, 99) * ms:.1f} ms",
                    f"{percentile(latency, 99) / percentile(bare_latency, 99):.2f}x",
                ],
                [
                    f"{len(texts):,} rows, throughput",
                    f"{len(texts) / api_seconds:.0f} rows/s ({api_seconds:.2f} s)",
                    f"{len(texts) / bare_seconds:.0f} rows/s ({bare_seconds:.2f} s)",
                    f"{bare_seconds / api_seconds:.2f}x",
                ],
            ],
        )
    )


if __name__ == "__main__":
    main()
