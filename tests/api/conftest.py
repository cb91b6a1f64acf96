import pytest
from fastapi.testclient import TestClient

from trainnet.api.app import create_app
from trainnet.settings import Settings


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
