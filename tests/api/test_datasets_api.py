"""Uploads through the real app (TestClient), including every kind of bad file."""

import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import text_rows
from trainnet.api.app import create_app
from trainnet.settings import MB, Settings


def test_upload_returns_the_parsed_summary(upload, text_csv):
    response = upload(text_csv)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["format"] == "csv" and body["rows"] == 60 and body["columns"] == ["text", "label"]
    assert body["kind"] == "text" and body["label_counts"] == {"pos": 30, "neg": 30}
    assert body["url"] == f"/api/datasets/{body['dataset_id']}/download"


def test_uploaded_file_downloads_unchanged(client, upload, text_csv):
    dataset_id = upload(text_csv).json()["dataset_id"]
    assert client.get(f"/api/datasets/{dataset_id}/download").content == text_csv
    assert client.get("/api/datasets").json()[0]["dataset_id"] == dataset_id


def test_jsonl_upload(upload):
    content = "\n".join(json.dumps(r) for r in text_rows(3)).encode()
    assert upload(content, "d.jsonl").json()["rows"] == 6


def test_over_10_mb_is_rejected_while_streaming(upload, settings):
    big = b"text,label\n" + b"x" * (settings.max_upload_bytes + 1)
    response = upload(big)
    assert response.status_code == 413 and "10 MB" in response.json()["detail"]


@pytest.mark.parametrize(
    ("env", "limit", "message"),
    [
        ({}, 10 * MB, "10 MB"),
        ({"TRAINNET_MAX_UPLOAD_MB": "0.5"}, MB // 2, "0.5 MB"),
        ({"TRAINNET_MAX_UPLOAD_BYTES": str(2 * MB)}, 2 * MB, "2 MB"),  # the earlier name still works
        ({"TRAINNET_MAX_UPLOAD_MB": "1", "TRAINNET_MAX_UPLOAD_BYTES": str(2 * MB)}, MB, "1 MB"),
    ],
    ids=["default", "mb", "legacy-bytes", "mb-wins"],
)
def test_the_upload_limit_is_set_in_mb_and_named_in_the_413(monkeypatch, tmp_path, env, limit, message):
    for name in ("TRAINNET_MAX_UPLOAD_MB", "TRAINNET_MAX_UPLOAD_BYTES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(data_dir=tmp_path / "data", worker_token="t")
    assert settings.max_upload_bytes == limit
    with TestClient(create_app(settings)) as client:
        over = client.post("/api/datasets", files={"file": ("d.csv", b"text,label\n" + b"x" * limit)})
        assert over.status_code == 413
        assert over.json()["detail"] in (
            f"request body is larger than the {message} upload limit",
            f"file is larger than the {message} limit",
        )


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (b"text,label\na,1\n", "d.exe", 415, "unsupported file extension"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "d.csv", 422, "NUL bytes"),
        (b'[{"text": 1', "d.json", 422, "not valid JSON"),
        (b"text,label\n\xff\xfe,1\n", "d.csv", 422, "UTF-8"),
        (b"", "d.csv", 422, "empty"),
    ],
)
def test_bad_uploads_get_a_4xx_naming_the_problem(client, upload, content, name, status, message):
    response = upload(content, name)
    assert response.status_code == status and message in response.json()["detail"]
    assert client.get("/api/datasets").json() == []


def test_unknown_dataset_is_404(client):
    assert client.get("/api/datasets/ds_0000000000000000").status_code == 404
    assert client.get("/api/datasets/..%2f..%2fetc").status_code in (404, 422)


SEED_JSONL = b"".join(
    json.dumps({"instruction": f"Name a colour number {i}.", "input": "", "output": f"Colour {i} is blue."}).encode()
    + b"\n"
    for i in range(6)
)
WORKER = {"Authorization": "Bearer test-token"}


def test_a_dataset_being_validated_is_not_validated_twice_or_used_meanwhile(client, upload):
    seed = upload(SEED_JSONL, "seed.jsonl").json()["dataset_id"]
    assert client.post(f"/api/datasets/{seed}/validate", json={}).status_code == 202  # no worker: stays VALIDATING
    again = client.post(f"/api/datasets/{seed}/validate", json={})
    assert again.status_code == 409 and "VALIDATING: wait until that job ends" in again.json()["detail"]
    generate = client.post(f"/api/datasets/{seed}/generate", json={"num_examples": 4})
    assert generate.status_code == 409 and "VALIDATING" in generate.json()["detail"]


def test_a_generated_dataset_gets_columns_and_a_preview_and_one_without_data_is_not_validated(client, upload, settings):
    seed = upload(SEED_JSONL, "seed.jsonl").json()["dataset_id"]
    generated = client.post(f"/api/datasets/{seed}/generate", json={"num_examples": 4}).json()["dataset_id"]
    two_records = b"".join(SEED_JSONL.splitlines(keepends=True)[:2])
    client.app.state.storage.put_bytes(settings.datasets_bucket, f"{generated}/data.jsonl", two_records)  # the worker
    done = client.patch(f"/api/datasets/{generated}/status", json={"status": "GENERATED", "rows": 2}, headers=WORKER)
    assert done.status_code == 200, done.text
    assert {"instruction", "output"} <= set(done.json()["columns"]) and len(done.json()["preview"]) == 2

    failed = client.post(f"/api/datasets/{seed}/generate", json={"num_examples": 4}).json()["dataset_id"]
    client.patch(f"/api/datasets/{failed}/status", json={"status": "error", "error": "teacher down"}, headers=WORKER)
    refused = client.post(f"/api/datasets/{failed}/validate", json={})
    assert refused.status_code == 409 and "no data stored" in refused.json()["detail"]
