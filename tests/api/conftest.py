import secrets

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ServerProcess
from trainnet.api.app import create_app
from trainnet.settings import Settings

SERVED_WORKER_TOKEN = f"tok-{secrets.token_hex(16)}"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", worker_token="test-token")


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def upload(client):
    def _upload(content: bytes, name: str = "d.csv"):
        return client.post("/api/datasets", files={"file": (name, content)})

    return _upload


def stored_state(client, settings) -> tuple:
    """What a refused request must leave unchanged: the dataset and task lists and every stored file."""
    files = (
        sorted(p.relative_to(settings.storage_dir).as_posix() for p in settings.storage_dir.rglob("*") if p.is_file())
        if settings.storage_dir.exists()
        else []
    )
    return client.get("/api/datasets").json(), client.get("/api/tasks").json(), files


@pytest.fixture
def refused(client, settings):
    """`refused(response, status, message)`: the response is that 4xx naming the problem, nothing new was
    stored since the test started (or since `refused.reset()`), and the server still answers."""
    before = [stored_state(client, settings)]

    def check(response, status: int, message: str) -> None:
        assert response.status_code == status, response.text
        assert message in response.json()["detail"], response.json()
        assert stored_state(client, settings) == before[0]
        assert client.get("/api/").json()["status"] == "ok"

    check.reset = lambda: before.__setitem__(0, stored_state(client, settings))
    return check


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> ServerProcess:
    """A real `trainnet serve` with one embedded worker and a known worker token (SERVED_WORKER_TOKEN), for what
    needs real HTTP (bodies streamed in chunks), the server's own process (its memory) or its log."""
    server = ServerProcess(
        tmp_path_factory.mktemp("served") / "data", workers=1, extra_env={"TRAINNET_WORKER_TOKEN": SERVED_WORKER_TOKEN}
    )
    server.start()
    yield server
    server.stop()
