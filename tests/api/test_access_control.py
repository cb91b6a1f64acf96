"""What the API lets a caller reach: downloads stay inside storage and take only well-formed ids, CORS is closed
unless configured, and the worker token never leaves the server."""

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import SERVED_WORKER_TOKEN
from tests.conftest import text_rows, to_csv
from trainnet.api.app import create_app, mount_web
from trainnet.settings import Settings

DOWNLOADS = ["/api/datasets/{}/download", "/api/tasks/{}/download_model", "/api/lora/{}/download_adapter"]
BAD_IDS = {
    "encoded-traversal": "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "encoded-dots": "%2e%2e",
    "encoded-absolute": "%2Fetc%2Fpasswd",
    "backslashes": "..%5C..%5Cetc%5Cpasswd",
    "nul": "ds_0%00",
    "too-long": "a" * 65,
    "not-an-id": "ds_1;rm -rf",
    "well-formed-unknown": "ds_0000000000000000",
}


@pytest.mark.parametrize("endpoint", DOWNLOADS)
@pytest.mark.parametrize("bad_id", list(BAD_IDS.values()), ids=list(BAD_IDS))
def test_downloads_refuse_malformed_and_unknown_ids(client, upload, endpoint, bad_id):
    upload(to_csv(text_rows(3)))  # something real in storage that a traversal could try to reach
    response = client.get(endpoint.format(bad_id))
    assert response.status_code in (404, 422), (response.status_code, response.text[:200])
    assert response.headers["content-type"] == "application/json" and response.json()["detail"]
    assert "root:" not in response.text and "text,label" not in response.text


def test_the_web_ui_route_serves_nothing_outside_its_directory(tmp_path):
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<html>index</html>")
    (web / "assets" / "app.js").write_text("app()")
    (tmp_path / "secret.txt").write_text("SECRET")
    app = FastAPI()
    mount_web(app, web)
    client = TestClient(app)
    assert client.get("/assets/app.js").text == "app()"
    for path in (
        "/..%2Fsecret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2F..%2Fsecret.txt",
        "/..%5Csecret.txt",
        f"/{tmp_path}/secret.txt",
        "/api/..%2F..%2Fsecret.txt",
    ):
        response = client.get(path)
        assert "SECRET" not in response.text, path
        assert response.status_code in (200, 404), path  # 200 is the index page (client-side routes)


PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


def test_cors_is_closed_by_default(client):
    evil = {"Origin": "https://evil.example"}
    preflight = client.options("/api/datasets", headers={**evil, **PREFLIGHT})
    assert "access-control-allow-origin" not in preflight.headers
    response = client.get("/api/datasets", headers=evil)
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


def test_cors_allows_only_the_configured_origins(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINNET_CORS_ORIGINS", "https://app.example, https://admin.example/")
    monkeypatch.setenv("TRAINNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRAINNET_WORKER_TOKEN", "t")
    settings = Settings()
    assert settings.cors_origins == ["https://app.example", "https://admin.example"]
    with TestClient(create_app(settings)) as client:
        allowed = {"Origin": "https://app.example"}
        preflight = client.options("/api/datasets", headers={**allowed, **PREFLIGHT})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        response = client.get("/api/datasets", headers=allowed)
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        other = {"Origin": "https://evil.example"}
        preflight = client.options("/api/datasets", headers={**other, **PREFLIGHT})
        assert "access-control-allow-origin" not in preflight.headers
        assert "access-control-allow-origin" not in client.get("/api/datasets", headers=other).headers


def test_cors_origins_also_read_as_a_json_list(monkeypatch):
    monkeypatch.setenv("TRAINNET_CORS_ORIGINS", '["https://app.example"]')
    assert Settings().cors_origins == ["https://app.example"]
    monkeypatch.setenv("TRAINNET_CORS_ORIGINS", "")
    assert Settings().cors_origins == []


def test_the_worker_token_is_never_logged_or_returned(served):
    """A real server whose embedded worker authenticates with the token (it heartbeats): no GET response, no
    refusal, no line of the server's or the worker's log and no worker command line contains it."""
    with httpx.Client(base_url=served.url, timeout=30) as http:
        assert http.get("/api/workers").json(), "the worker never authenticated"
        schema = http.get("/openapi.json").json()
        paths = ["/", "/docs", "/openapi.json", "/api/model_types"] + [
            path for path, ops in schema["paths"].items() if "get" in ops and "{" not in path
        ]
        for path in paths:
            response = http.get(path)
            assert SERVED_WORKER_TOKEN not in response.text + str(response.headers), path
        guess = http.post("/api/workers/heartbeat", json={"name": "w"}, headers={"Authorization": "Bearer guess-123"})
        assert guess.status_code == 401 and "guess-123" not in guess.text
        good = {"Authorization": f"Bearer {SERVED_WORKER_TOKEN}"}
        accepted = http.post("/api/workers/heartbeat", json={"name": "probe"}, headers=good)
        assert accepted.status_code < 300 and SERVED_WORKER_TOKEN not in accepted.text
    log = served.log_path.read_text(errors="replace")
    assert "embedded-0" in log or "celery" in log.lower(), log[-2000:]  # the worker's output is in this log
    assert SERVED_WORKER_TOKEN not in log
    for pid in served.worker_pids():
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            assert SERVED_WORKER_TOKEN.encode() not in cmdline.read()


def test_a_generated_worker_token_is_private_to_the_server_user_and_stable(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", worker_token=None)
    token = settings.resolved_worker_token()
    path = tmp_path / "data" / "worker_token"
    assert len(token) >= 32 and path.stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path / "data", worker_token=None).resolved_worker_token() == token
