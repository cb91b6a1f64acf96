"""Uploads through the real app (TestClient), including every kind of bad file."""

import base64
import json

import pytest

from tests.conftest import text_rows, to_csv


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
