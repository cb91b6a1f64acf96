"""Pipeline B end to end on a real `trainnet serve` worker: seed upload → validate → self-instruct generation
with an OpenAI-compatible teacher (a real HTTP server speaking chat completions) → validate → LoRA search
through `fine_tune_lora_task` → the best adapter loads with PEFT and generates."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED_DATA, ServerProcess, text_rows, to_csv
from tests.generate.conftest import ChatStub, _handler
from tests.lora.conftest import build_tiny_llama

pytestmark = pytest.mark.slow
LORA_PARAMS = {
    "rank_choices": [2, 4],
    "lora_alpha_bounds": [4, 16],
    "learning_rate_bounds": [3e-3, 3e-2],
    "max_steps": 8,
    "evals_per_trial": 2,
    "batch_size": 4,
    "max_length": 64,
    "eval_fraction": 0.25,
}


@pytest.fixture(scope="module")
def teacher():
    stub = ChatStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", stub
    server.shutdown()


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="module")
def api(teacher, tmp_path_factory):
    url, _ = teacher
    server = ServerProcess(
        tmp_path_factory.mktemp("factory") / "data",
        workers=1,
        extra_env={
            "TEACHER_BASE_URL": url,
            "TEACHER_MODEL": "stub-teacher",
            "TEACHER_API_KEY": "test",
            "TRAINNET_MAX_GENERATED_EXAMPLES": "50",
            "LORA_MAX_TRIALS": "4",
        },
    ).start()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client
    server.stop()


def wait_dataset(api, dataset_id: str, until: set[str], timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dataset = api.get(f"/api/datasets/{dataset_id}").json()
        if dataset["status"] in until:
            return dataset
        time.sleep(0.5)
    raise TimeoutError(f"dataset {dataset_id} still {dataset['status']}")


def upload_seed(api) -> str:
    content = (SHARED_DATA / "seed_tasks.jsonl").read_bytes()
    response = api.post("/api/datasets", files={"file": ("seed_tasks.jsonl", content)})
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "instructions" and response.json()["rows"] == 175
    return response.json()["dataset_id"]


def test_seed_generate_validate_and_lora(api, tiny_llama, tmp_path):
    seed = upload_seed(api)
    assert api.post(f"/api/datasets/{seed}/validate", json={}).status_code == 202
    assert wait_dataset(api, seed, {"READY_FOR_FINE_TUNING", "DELETED", "error"})["status"] == "READY_FOR_FINE_TUNING"

    response = api.post(
        f"/api/datasets/{seed}/generate", json={"num_examples": 12, "teacher": "openai", "params": {"batch_size": 2}}
    )
    assert response.status_code == 202 and response.json()["status"] == "GENERATING"
    generated = response.json()["dataset_id"]
    done = wait_dataset(api, generated, {"GENERATED", "error"})
    assert done["status"] == "GENERATED" and done["rows"] == 12 and done["seed_dataset_id"] == seed
    records = [json.loads(line) for line in api.get(f"/api/datasets/{generated}/download").text.splitlines()]
    assert len(records) == 12 and all(r["instruction"] and r["output"] for r in records)

    assert api.post(f"/api/datasets/{generated}/validate", json={}).status_code == 202
    validated = wait_dataset(api, generated, {"READY_FOR_FINE_TUNING", "DELETED", "error"})
    assert validated["status"] == "READY_FOR_FINE_TUNING", validated["report"]
    assert validated["metrics"]["records"] == 12 and validated["report"]["failed_rules"] == []

    response = api.post(
        "/api/lora", json={"dataset_id": generated, "base_model": str(tiny_llama), "n_trials": 2, "params": LORA_PARAMS}
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    deadline = time.monotonic() + 300
    while (job := api.get(f"/api/lora/{job_id}").json())["status"] not in ("done", "error"):
        assert time.monotonic() < deadline, job
        time.sleep(1)
    assert job["status"] == "done", job["error"]
    assert len(job["trials"]) == 2 and all(
        {"number", "params", "eval_loss", "state", "seconds"} <= set(t) for t in job["trials"]
    )
    assert set(job["best_trial"]["params"]) == {"rank", "lora_alpha", "learning_rate"}

    archive = api.get(f"/api/lora/{job_id}/download_adapter")
    assert archive.status_code == 200
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path / "adapter")
    assert (tmp_path / "adapter" / "study_summary.json").is_file()
    from peft import PeftModel

    from trainnet.models.llm import load_causal_lm

    base, tokenizer = load_causal_lm(str(tiny_llama))
    model = PeftModel.from_pretrained(base, tmp_path / "adapter")
    ids = tokenizer("Write the number in words.", return_tensors="pt")
    assert model.generate(**ids, max_new_tokens=3, do_sample=False).shape[1] > ids["input_ids"].shape[1]

    # The playground completes a prompt with the base model and with the adapter, as the downloaded one does.
    from trainnet.lora.playground import AdapterModel, generate_pair

    played = api.post(f"/api/lora/{job_id}/generate", json={"prompt": "Greet Ana.", "max_new_tokens": 4})
    assert played.status_code == 200, played.text
    expected = generate_pair(AdapterModel(model, tokenizer), "Greet Ana.", max_new_tokens=4)
    assert played.json() == {"base": expected.base, "adapter": expected.adapter}


def test_teacher_failure_keeps_what_was_generated(api, teacher):
    _, stub = teacher
    seed = upload_seed(api)
    stub.script = ["ok"] * 3
    stub.default = "500"
    try:
        generated = api.post(
            f"/api/datasets/{seed}/generate",
            json={"num_examples": 20, "teacher": "openai", "params": {"batch_size": 1}},
        ).json()["dataset_id"]
        failed = wait_dataset(api, generated, {"GENERATED", "error"})
    finally:
        stub.default = "ok"
    assert failed["status"] == "error" and "500" in failed["error"] or "model crashed" in failed["error"]
    kept = api.get(f"/api/datasets/{generated}/download").text.splitlines()
    assert 0 < len(kept) < 20 and failed["rows"] == len(kept)


def test_the_counters_move_while_a_generation_runs(api, teacher):
    _, stub = teacher
    seed = upload_seed(api)
    stub.delay_s = 1.0  # each round takes a second: time to see it go
    try:
        generated = api.post(
            f"/api/datasets/{seed}/generate",
            json={"num_examples": 12, "teacher": "openai", "params": {"batch_size": 2}},
        ).json()["dataset_id"]
        seen = []
        deadline = time.monotonic() + 120
        while (dataset := api.get(f"/api/datasets/{generated}").json())["status"] == "GENERATING":
            assert time.monotonic() < deadline, dataset
            if dataset["generation"] and dataset["generation"].get("rounds") is not None:
                seen.append(dataset["generation"])
            time.sleep(0.2)
    finally:
        stub.delay_s = 0.0
    assert dataset["status"] == "GENERATED" and dataset["rows"] == 12
    while_running = sorted({(g["proposed"], g["new_records"]) for g in seen})
    assert len(while_running) >= 2 and while_running[0] < while_running[-1], while_running
    final = dataset["generation"]
    assert final["new_records"] == 12 and final["proposed"] >= 12 and final["rounds"] >= 3
    assert final["records_per_minute"] > 0 and final["tokens_per_second"] > 0 and final["tokens"] > 0
    assert final["teacher"]["kind"] == "openai" and final["teacher"]["model"] == "stub-teacher"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"num_examples": 0}, 422, "num_examples"),
        ({"num_examples": 51}, 422, "above the limit of 50"),
        ({"num_examples": 5, "teacher": "gpt5"}, 422, "teacher"),
        ({"num_examples": 5, "params": {"batch_size": 0}}, 422, "batch_size"),
    ],
)
def test_bad_generation_requests(api, body, status, message):
    seed = upload_seed(api)
    response = api.post(f"/api/datasets/{seed}/generate", json=body)
    assert response.status_code == status and message in json.dumps(response.json()["detail"])


def test_generation_needs_instructions_and_lora_needs_a_ready_dataset(api, tiny_llama):
    text = api.post("/api/datasets", files={"file": ("t.csv", to_csv(text_rows(5)))}).json()["dataset_id"]
    response = api.post(f"/api/datasets/{text}/generate", json={"num_examples": 5})
    assert response.status_code == 422 and "instruction" in response.json()["detail"]
    seed = upload_seed(api)
    response = api.post("/api/lora", json={"dataset_id": seed, "base_model": str(tiny_llama), "n_trials": 2})
    assert response.status_code == 409 and "READY_FOR_FINE_TUNING" in response.json()["detail"]
    assert api.post("/api/lora", json={"dataset_id": seed, "n_trials": 0}).status_code == 422
    response = api.post("/api/lora", json={"dataset_id": seed, "n_trials": 5})
    assert response.status_code == 422 and "above the limit of 4" in response.json()["detail"]
    response = api.post("/api/lora", json={"dataset_id": seed, "base_model": "/no/such/model"})
    assert response.status_code == 422
    assert api.post("/api/lora", json={"dataset_id": "ds_0000000000000000", "n_trials": 2}).status_code == 404
    assert api.get("/api/lora/lora_0000000000000000").status_code == 404
