"""docker-compose.yml is valid (as `docker-compose config` reads it) and describes the fleet of docs/scale-out.md."""

import os
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import REPO, missing_tool

pytestmark = pytest.mark.services
SERVICES = {"api", "cpu-worker", "gpu-worker", "redis", "postgres", "minio", "create-buckets"}


def compose(*args: str, **env: str) -> subprocess.CompletedProcess:
    if shutil.which("docker-compose"):
        command = ["docker-compose"]
    elif subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        command = ["docker", "compose"]
    else:
        missing_tool("neither docker-compose nor the docker compose plugin is installed (`make test-deps`)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRAINNET_", "REDIS_", "MINIO_", "POSTGRES_"))}
    return subprocess.run(
        [*command, "-f", str(REPO / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=REPO,
        timeout=120,
    )


def test_compose_file_is_valid_and_has_the_fleet():
    result = compose("--profile", "gpu", "config", "-q", TRAINNET_WORKER_TOKEN="t")
    assert result.returncode == 0, result.stderr
    result = compose("--profile", "gpu", "config", "--services", TRAINNET_WORKER_TOKEN="t")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == SERVICES


def test_compose_refuses_to_start_without_a_worker_token():
    result = compose("config", "-q")
    assert result.returncode != 0 and "TRAINNET_WORKER_TOKEN" in result.stderr


def test_services_get_the_settings_they_need():
    result = compose("--profile", "gpu", "config", TRAINNET_WORKER_TOKEN="secret-token")
    config = yaml.safe_load(result.stdout)["services"]
    for name in ("api", "cpu-worker", "gpu-worker"):
        env = config[name]["environment"]
        assert env["TRAINNET_WORKER_TOKEN"] == "secret-token"
        assert {
            "REDIS_HOST",
            "REDIS_PORT",
            "MINIO_ENDPOINT",
            "MINIO_ACCESS_KEY",
            "MINIO_SECRET_KEY",
            "TRAINNET_API_URL",
            "LORA_MODEL_NAME",
            "LORA_N_TRIALS",
        } <= set(env)
    assert config["api"]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "DATABASE_URL" not in config["cpu-worker"]["environment"]  # workers talk to the API, not the database
    assert "--no-workers" in config["api"]["command"]
    assert config["cpu-worker"]["command"][2:4] == ["--queues", "cpu_queue"]
    assert config["gpu-worker"]["command"][2:6] == ["--queues", "gpu_queue", "--pool", "solo"]
    gpu = config["gpu-worker"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["driver"] == "nvidia" and "gpu" in gpu["capabilities"]
    for name in ("api", "cpu-worker", "redis", "postgres", "minio"):
        assert "healthcheck" in config[name], name
    assert config["api"]["depends_on"]["create-buckets"]["condition"] == "service_completed_successfully"
