"""The adapter playground, POST /api/lora/{job_id}/generate, through the real app (TestClient): a LoRA job row as
the worker leaves it and its adapter in the `lora-adapters` bucket, both real; the model is the tiny Llama."""

import json

import pytest

from tests.lora.conftest import build_tiny_llama, instruction_records, tiny_config
from trainnet.db.session import session_scope
from trainnet.db.tables import LoraJob
from trainnet.lora import LoraTrialParams
from trainnet.lora.lora_tuning import prepare_dataset, run_trial
from trainnet.lora.playground import generate_pair, load_adapter_model
from trainnet.models.llm import load_causal_lm

PROMPT = "Write the number in words.\n\n7"


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="module")
def adapter_dir(tiny_llama, tmp_path_factory):
    config = tiny_config(tiny_llama, max_steps=8, evals_per_trial=1)
    train, eval = prepare_dataset(instruction_records(32), load_causal_lm(str(tiny_llama))[1], config)
    folder = tmp_path_factory.mktemp("adapter")
    run_trial(config.model_name, train, eval, LoraTrialParams(4, 16, 2e-2), config, adapter_dir=folder)
    return folder


@pytest.fixture
def add_job(client, upload, settings):
    """`add_job(status, adapter=None)`: a LoRA job row on an uploaded instruction dataset; with `adapter`, that
    folder stored where `lora.runner` stores the best adapter."""
    records = "\n".join(json.dumps(r) for r in instruction_records(4)).encode()
    dataset_id = upload(records, "tasks.jsonl").json()["dataset_id"]
    storage = client.app.state.storage

    def _add(status: str, base_model: str, adapter=None) -> str:
        with session_scope(settings.sqlalchemy_url) as session:
            job = LoraJob(dataset_id=dataset_id, base_model=base_model, n_trials=1, status=status)
            session.add(job)
            session.flush()
            job_id = job.id
            if adapter is not None:
                storage.put_dir(settings.lora_bucket, job_id, adapter)
                job.adapter_prefix = f"{job_id}/"
        return job_id

    return _add


def test_generate_returns_the_base_and_the_adapter_completion(client, add_job, tiny_llama, adapter_dir):
    job_id = add_job("done", str(tiny_llama), adapter_dir)
    response = client.post(f"/api/lora/{job_id}/generate", json={"prompt": PROMPT, "max_new_tokens": 6})
    assert response.status_code == 200, response.text
    expected = generate_pair(load_adapter_model(str(tiny_llama), adapter_dir), PROMPT, max_new_tokens=6)
    assert response.json() == {"base": expected.base, "adapter": expected.adapter}
    assert expected.base != expected.adapter

    again = client.post(f"/api/lora/{job_id}/generate", json={"prompt": PROMPT, "max_new_tokens": 6})
    assert again.json() == response.json()  # greedy: the same text every time
    assert job_id in client.app.state.lora_playground  # loaded once, kept for the next call


def test_the_default_is_64_new_tokens_at_most(client, add_job, tiny_llama, adapter_dir):
    job_id = add_job("done", str(tiny_llama), adapter_dir)
    response = client.post(f"/api/lora/{job_id}/generate", json={"prompt": PROMPT})
    assert response.status_code == 200, response.text
    expected = generate_pair(load_adapter_model(str(tiny_llama), adapter_dir), PROMPT, max_new_tokens=64)
    assert response.json() == {"base": expected.base, "adapter": expected.adapter}


def test_an_unknown_job_is_404_and_an_unfinished_one_409(client, add_job, tiny_llama):
    response = client.post("/api/lora/lora_0000000000000000/generate", json={"prompt": PROMPT})
    assert response.status_code == 404 and "not found" in response.json()["detail"]
    for status in ("queued", "running", "error"):
        job_id = add_job(status, str(tiny_llama))
        response = client.post(f"/api/lora/{job_id}/generate", json={"prompt": PROMPT})
        assert response.status_code == 409, response.text
        assert f"is {status}: the playground opens once it is done" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"prompt": "   "}, "prompt", "the prompt is empty"),
        ({}, "prompt", "Field required"),
        ({"prompt": "x" * 4001}, "prompt", "at most 4000 characters"),
        ({"prompt": "hi", "max_new_tokens": 0}, "max_new_tokens", "greater than or equal to 1"),
        ({"prompt": "hi", "max_new_tokens": 257}, "max_new_tokens", "less than or equal to 256"),
        ({"prompt": "hi", "temperature": 2}, "temperature", "Extra inputs are not permitted"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, add_job, tiny_llama, body, field, message):
    job_id = add_job("done", str(tiny_llama))
    response = client.post(f"/api/lora/{job_id}/generate", json=body)
    assert response.status_code == 422
    [issue] = response.json()["detail"]
    assert issue["loc"][-1] == field and message in issue["msg"]
