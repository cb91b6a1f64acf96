"""Fuzz every endpoint of the OpenAPI schema with schemathesis against a real running server: no 5xx and
no response that contradicts the schema."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ServerProcess

pytestmark = pytest.mark.slow


def test_schemathesis_finds_no_server_errors_or_schema_violations(tmp_path):
    server = ServerProcess(tmp_path / "data", no_workers=True, extra_env={"TRAINNET_WORKER_TOKEN": "fuzz-token"})
    server.start()
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                "25",
                "--seed",
                "1",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        server.stop()
    output = result.stdout + result.stderr
    generated = re.search(r"(\d+) generated", output)
    assert result.returncode == 0, output[-4000:]
    assert generated and int(generated.group(1)) > 500, output[-2000:]
    print(f"schemathesis: {generated.group(0)}")
