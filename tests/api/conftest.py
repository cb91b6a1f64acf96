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
