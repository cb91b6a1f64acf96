"""POST /api/train validation, task endpoints and worker auth, through the real app without workers."""

import base64

import pytest

from tests.conftest import to_csv


def start(client, **body):
    return client.post("/api/train", json=body)


@pytest.fixture
def text_dataset(upload, text_csv):
    return upload(text_csv).json()["dataset_id"]


def test_train_queues_a_task_and_stores_its_shards(client, text_dataset, settings):
    response = start(client, model_type="distilbert", dataset_id=text_dataset, num_shards=3, rounds=2)
    assert response.status_code == 202, response.text
    task_id = response.json()["task_id"]
    assert response.json()["status"] == "queued"
    task = client.get(f"/api/tasks/{task_id}").json()
    assert task["params"]["num_shards"] == 3 and task["info"]["shard_rows"] == [16, 16, 16]
    assert task["info"]["eval_rows"] == 12 and task["label_names"] == ["neg", "pos"]
    stored = sorted(p.name for p in (settings.storage_dir / "artifacts" / "tasks" / task_id / "data").iterdir())
    assert stored == ["eval.jsonl", "shard-0.jsonl", "shard-1.jsonl", "shard-2.jsonl"]
    assert client.get(f"/api/tasks/{task_id}/status").json() == {
        "task_id": task_id,
        "status": "queued",
        "progress": 0.0,
        "error": None,
    }
    assert client.get("/api/tasks").json()[0]["task_id"] == task_id


def test_dataset_url_from_the_upload_works(client, upload, text_csv):
    url = upload(text_csv).json()["url"]
    assert start(client, model_type="minilm", dataset_url=url).status_code == 202
    assert start(client, model_type="minilm", dataset_url="http://127.0.0.1:6379/").status_code == 422


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"model_type": "resnet"}, 422, "unknown model_type"),
        ({"model_type": "distilbert", "num_shards": 0}, 422, "num_shards"),
        ({"model_type": "distilbert", "num_shards": 10_000}, 422, "num_shards=10000 is above the limit"),
        ({"model_type": "distilbert", "num_shards": 25}, 422, "too few for 25 shards"),
        ({"model_type": "distilbert", "warmup_epochs": -1}, 422, "warmup_epochs"),
        ({"model_type": "distilbert", "warmup_epochs": 10_000}, 422, "warmup_epochs=10000 is above the limit"),
        ({"model_type": "distilbert", "label_column": "nope"}, 422, "no label column"),
        ({"model_type": "mobilenet_v2"}, 422, "pixel columns"),
        ({"model_type": "distilbert", "base_model": "/does/not/exist"}, 422, "neither a directory"),
    ],
)
def test_bad_training_requests_are_4xx_and_leave_nothing_behind(client, text_dataset, settings, body, status, message):
    response = start(client, dataset_id=text_dataset, **body)
    assert response.status_code == status, response.text
    assert message in str(response.json()["detail"])
    assert client.get("/api/tasks").json() == []
    assert not (settings.storage_dir / "artifacts" / "tasks").exists() or not any(
        (settings.storage_dir / "artifacts" / "tasks").iterdir()
    )


def test_single_class_and_undecodable_images_are_refused(client, upload):
    single = upload(to_csv([{"text": f"t{i}", "label": "same"} for i in range(20)])).json()["dataset_id"]
    response = start(client, model_type="distilbert", dataset_id=single)
    assert response.status_code == 422 and "single class" in response.json()["detail"]
    rows = [{"image": base64.b64encode(b"not an image").decode(), "label": i % 2} for i in range(20)]
    images = upload(to_csv(rows)).json()["dataset_id"]
    response = start(client, model_type="mobilenet_v2", dataset_id=images)
    assert response.status_code == 422 and "cannot be decoded" in response.json()["detail"]


def test_unknown_dataset_and_task_are_404(client):
    assert start(client, model_type="distilbert", dataset_id="ds_0000000000000000").status_code == 404
    assert client.get("/api/tasks/task_0000000000000000").status_code == 404
    assert client.get("/api/tasks/task_0000000000000000/status").status_code == 404


def test_download_before_done_is_409(client, text_dataset):
    task_id = start(client, model_type="distilbert", dataset_id=text_dataset).json()["task_id"]
    response = client.get(f"/api/tasks/{task_id}/download_model")
    assert response.status_code == 409 and "queued" in response.json()["detail"]


def test_worker_endpoints_require_the_worker_token(client, text_dataset):
    task_id = start(client, model_type="distilbert", dataset_id=text_dataset).json()["task_id"]
    body = {"status": "error", "error": "x"}
    assert client.patch(f"/api/tasks/{task_id}/status", json=body).status_code == 401
    bad = {"Authorization": "Bearer wrong"}
    assert client.patch(f"/api/tasks/{task_id}/status", json=body, headers=bad).status_code == 401
    assert client.post("/api/workers/heartbeat", json={"name": "w"}).status_code == 401
    good = {"Authorization": "Bearer test-token"}
    response = client.patch(f"/api/tasks/{task_id}/status", json=body, headers=good)
    assert response.status_code == 200 and response.json()["status"] == "error"
    assert "test-token" not in client.get(f"/api/tasks/{task_id}").text


def test_the_warm_up_progress_a_worker_reports_moves_a_running_task_before_its_shards_exist(client, text_dataset):
    task_id = start(
        client, model_type="distilbert", dataset_id=text_dataset, rounds=2, epochs=2, warmup_epochs=1
    ).json()["task_id"]
    good = {"Authorization": "Bearer test-token"}
    too_far = client.patch(f"/api/tasks/{task_id}/status", json={"status": "running", "progress": 150}, headers=good)
    assert too_far.status_code == 422 and "progress" in too_far.text
    response = client.patch(f"/api/tasks/{task_id}/status", json={"status": "running", "progress": 50}, headers=good)
    assert response.status_code == 200 and response.json()["progress"] == 10.0  # half of 1 epoch in 1 + 2 x 2
    assert client.get(f"/api/tasks/{task_id}/status").json() == {
        "task_id": task_id,
        "status": "running",
        "progress": 10.0,
        "error": None,
    }


def test_model_types_say_what_is_available_here(client):
    types = {m["model_type"]: m for m in client.get("/api/model_types").json()}
    assert set(types) == {"distilbert", "minilm", "mobilenet_v2"}
    assert types["minilm"]["pretrained_available"] is True and types["mobilenet_v2"]["kind"] == "image"


def test_health(client):
    assert client.get("/api/").json()["status"] == "ok"


@pytest.fixture
def file_server(text_csv):
    """A real HTTP server on 127.0.0.1: /data.csv, /big.csv (11 MB), /loop (redirects to itself)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/loop":
                self.send_response(302)
                self.send_header("Location", "/loop")
                self.end_headers()
                return
            body = text_csv if self.path == "/data.csv" else b"text,label\n" + b"x" * (11 * 1024 * 1024)
            self.send_response(200)
            self.end_headers()  # no Content-Length: the size cap must hold while streaming
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_dataset_urls_to_internal_hosts_are_refused(client, file_server):
    for url in (
        f"{file_server}/data.csv",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
    ):
        response = start(client, model_type="minilm", dataset_url=url)
        assert response.status_code == 422, url
        assert "non-public address" in response.json()["detail"] or "http(s)" in response.json()["detail"]
    assert client.get("/api/datasets").json() == []


def test_dataset_url_is_fetched_when_internal_hosts_are_allowed(tmp_path, file_server):
    from fastapi.testclient import TestClient

    from trainnet.api.app import create_app
    from trainnet.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", worker_token="t", allow_private_urls=True)
    with TestClient(create_app(settings)) as allowed:
        response = start(allowed, model_type="minilm", dataset_url=f"{file_server}/data.csv")
        assert response.status_code == 202, response.text
        assert allowed.get("/api/datasets").json()[0]["rows"] == 60
        response = start(allowed, model_type="minilm", dataset_url=f"{file_server}/big.csv")
        assert response.status_code == 413 and "10 MB" in response.json()["detail"]
        response = start(allowed, model_type="minilm", dataset_url=f"{file_server}/loop")
        assert response.status_code == 422 and "redirects more than" in response.json()["detail"]
        assert len(allowed.get("/api/datasets").json()) == 1
