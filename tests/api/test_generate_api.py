"""Choosing the teacher of a generation: what the API stores for each choice, and a clear 422 for a bad one."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_DATA
from trainnet.db.session import session_scope
from trainnet.db.tables import Dataset


@pytest.fixture
def seed(upload) -> str:
    response = upload((SHARED_DATA / "seed_tasks.jsonl").read_bytes(), "seed_tasks.jsonl")
    assert response.status_code == 201, response.text
    return response.json()["dataset_id"]


def _teacher_of(settings, dataset_id: str) -> dict:
    with session_scope(settings.sqlalchemy_url) as session:
        return session.get(Dataset, dataset_id).job["payload"]["job"]["teacher"]


def test_the_bundled_model_and_a_gguf_file_run_on_llama_cpp(client, seed, settings, tmp_path):
    response = client.post(f"/api/datasets/{seed}/generate", json={"num_examples": 5})
    assert response.status_code == 202, response.text
    assert _teacher_of(settings, response.json()["dataset_id"]) == {"kind": "llamacpp", "model": "smollm2"}
    model = tmp_path / "teacher.gguf"
    model.write_bytes(b"GGUF\x03\x00\x00\x00")
    body = {"num_examples": 5, "teacher": "gguf", "teacher_model": str(model)}
    response = client.post(f"/api/datasets/{seed}/generate", json=body)
    assert response.status_code == 202, response.text
    assert _teacher_of(settings, response.json()["dataset_id"]) == {"kind": "llamacpp", "model": str(model)}


def test_an_openai_endpoint_given_in_the_request(client, seed, settings):
    settings.allow_private_urls = True
    body = {"num_examples": 5, "teacher": "openai", "teacher_url": "http://127.0.0.1:11434/v1", "teacher_model": "q"}
    response = client.post(f"/api/datasets/{seed}/generate", json=body)
    assert response.status_code == 202, response.text
    teacher = _teacher_of(settings, response.json()["dataset_id"])
    assert (
        teacher["kind"] == "openai" and teacher["base_url"] == "http://127.0.0.1:11434/v1" and teacher["model"] == "q"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"teacher": "gguf"}, "needs the path of a .gguf file"),
        ({"teacher": "gguf", "teacher_model": "/no/such/model.gguf"}, "no GGUF file at /no/such/model.gguf"),
        ({"teacher": "gguf", "teacher_model": "NOT_GGUF"}, "does not start with the GGUF magic"),
        ({"teacher": "gguf", "teacher_model": "/etc/passwd"}, "is not a .gguf file name"),
        ({"teacher": "openai"}, "needs a base URL and a model"),
        (
            {"teacher": "openai", "teacher_url": "http://127.0.0.1:8000/v1", "teacher_model": "m"},
            "teacher_url host '127.0.0.1' resolves to a non-public",
        ),
        ({"teacher_url": "http://example.com/v1"}, "teacher_url is for teacher 'openai'"),
    ],
)
def test_a_bad_teacher_is_refused_at_submit_time_with_the_reason(client, seed, tmp_path, body, message):
    if body.get("teacher_model") == "NOT_GGUF":
        fake = tmp_path / "fake.gguf"
        fake.write_text("a text file, not a model")
        body = {**body, "teacher_model": str(fake)}
    response = client.post(f"/api/datasets/{seed}/generate", json={"num_examples": 5, **body})
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
