"""`trainnet train FILE`: an HTTP client of the API that uploads, trains with a progress bar and downloads the
model; it starts an embedded server in a temporary directory unless it is given one (`--api`).

Its training options are derived from `TrainingParams` (names, help and defaults), so a parameter added there is
an option here with nothing else to edit.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import httpx
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from trainnet.cli.common import console, fail
from trainnet.cli.embedded import signal_group
from trainnet.training.params import TrainingParams

# Option names that differ from the parameter's own (`--num-shards` works too).
OPTION_NAMES = {"num_shards": ("--shards", "--num-shards"), "config_overrides": ("--model-config",)}


def _option_type(annotation: Any) -> Any:
    """The CLI type of a parameter: its type without None; dicts (JSON) and a number or 'auto' are given as text."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, types.UnionType):
        if len(args) > 1:
            return str
        annotation = args[0]
    return str if get_origin(annotation) is dict or annotation is dict else annotation


def _option_value(name: str, value: str | float | bool) -> Any:
    """What the API takes for a CLI option's value: JSON for config overrides, a number where a number is given."""
    if name == "config_overrides" and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            fail(f"--model-config is not JSON: {exc}")
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _param_options() -> list[inspect.Parameter]:
    """One keyword option per training parameter, unset (None) unless given: the server applies the defaults."""
    options = []
    for name, field in TrainingParams.model_fields.items():
        flags = OPTION_NAMES.get(name, ("--" + name.replace("_", "-"),))
        help_text = TrainingParams.help(name) + (" (JSON)" if _option_type(field.annotation) is str else "")
        option = typer.Option(*flags, help=help_text, show_default=False)
        options.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[_option_type(field.annotation) | None, option],
            )
        )
    return options


def train(
    file: Annotated[
        Path, typer.Argument(help="dataset: .csv, .json, .jsonl or a .zip of images", exists=True, dir_okay=False)
    ],
    model: Annotated[str, typer.Option(help="model type: distilbert, minilm or mobilenet_v2")] = "distilbert",
    out: Annotated[Path, typer.Option(help="where to write the trained model (.zip)")] = Path("model.zip"),
    api: Annotated[str | None, typer.Option(help="use a running server instead of starting one")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="data dir of the embedded server (default: temporary)")] = None,
    base_model: Annotated[str | None, typer.Option(help="local directory or Hugging Face id of the weights")] = None,
    text_column: Annotated[str | None, typer.Option(help="name of the text column")] = None,
    label_column: Annotated[str | None, typer.Option(help="name of the label column")] = None,
    image_column: Annotated[str | None, typer.Option(help="name of the base64 image column")] = None,
    timeout: Annotated[float, typer.Option(help="give up after this many seconds")] = 3600,
    **params: Any,
) -> None:
    """Train a model on FILE end to end and write it to --out. Starts an embedded server unless --api."""
    request: dict[str, Any] = {
        "model_type": model,
        "base_model": base_model,
        "text_column": text_column,
        "label_column": label_column,
        "image_column": image_column,
    }
    for name, value in params.items():
        if value is not None:
            request[TrainingParams.model_fields[name].alias or name] = _option_value(name, value)
    try:
        with embedded_server(api, data_dir) as url, httpx.Client(base_url=url, timeout=60) as client:
            _train(client, file, {k: v for k, v in request.items() if v is not None}, out, timeout)
    except (RuntimeError, httpx.HTTPError) as exc:
        fail(str(exc))


train.__signature__ = inspect.signature(train).replace(  # type: ignore[attr-defined]
    parameters=[p for p in inspect.signature(train).parameters.values() if p.kind != p.VAR_KEYWORD] + _param_options()
)


def _train(client: httpx.Client, file: Path, request: dict[str, Any], out: Path, timeout: float) -> None:
    with open(file, "rb") as handle:
        response = client.post("/api/datasets", files={"file": (file.name, handle)})
    if response.status_code != 201:
        fail(f"upload rejected ({response.status_code}): {response.json().get('detail')}")
    dataset = response.json()
    console.print(f"uploaded {file.name}: {dataset['rows']} rows, columns {', '.join(dataset['columns'][:8])}")
    response = client.post("/api/train", json={**request, "dataset_id": dataset["dataset_id"]})
    if response.status_code != 202:
        fail(f"training rejected ({response.status_code}): {response.json().get('detail')}")
    task_id = response.json()["task_id"]
    status = _follow(client, task_id, timeout)
    if status["status"] != "done":
        fail(f"task {task_id} ended with {status['status']}: {status.get('error')}")
    with client.stream("GET", f"/api/tasks/{task_id}/download_model") as download, open(out, "wb") as target:
        for chunk in download.iter_bytes():
            target.write(chunk)
    task = client.get(f"/api/tasks/{task_id}").json()
    kept = task.get("kept_round")
    metrics = task["rounds"][-1 if kept is None else kept]["metrics"]
    console.print(f"[green]done[/]: accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f} → {out}")
    if task.get("stop_reason"):
        console.print(f"kept round {kept + 1} of {len(task['rounds'])}: {task['stop_reason']}")
    for baseline in task.get("baseline") or []:
        console.print(f"baseline {baseline['name']}: accuracy {baseline['accuracy']:.3f}")


@contextlib.contextmanager
def embedded_server(api: str | None, data_dir: Path | None) -> Iterator[str]:
    """The API's URL: `api`, or an embedded server's, started in a temporary directory and stopped after."""
    if api is not None:
        yield api
        return
    with tempfile.TemporaryDirectory(prefix="trainnet-") as scratch, open(Path(scratch) / "server.log", "w") as log:
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "trainnet",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir or Path(scratch) / "data"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={k: v for k, v in os.environ.items() if k != "TRAINNET_API_URL"},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            with console.status("starting an embedded TrainNet server…"):
                _wait_for(url, server)
            yield url
        finally:
            signal_group(server, signal.SIGTERM)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                signal_group(server, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[Any], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the embedded server exited with {process.returncode}")
        try:
            if httpx.get(url + "/api/", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server at {url} did not answer within {timeout:.0f}s")


def _follow(client, task_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        bar = progress.add_task(f"task {task_id}", total=100)
        while time.monotonic() < deadline:
            status = client.get(f"/api/tasks/{task_id}/status").json()
            progress.update(bar, completed=status["progress"], description=f"{task_id} {status['status']}")
            if status["status"] in ("done", "error"):
                return status
            time.sleep(0.5)
    raise RuntimeError(f"task {task_id} did not finish within {timeout:.0f}s")
