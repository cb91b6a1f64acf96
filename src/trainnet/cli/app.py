"""The `trainnet` command: serve the platform, run a worker, train from a file, manage the database."""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from trainnet.cli.common import configure, console, fail, log_with_times
from trainnet.cli.train import train
from trainnet.dispatch.messages import CPU_QUEUE, GPU_QUEUE

app = typer.Typer(help="TrainNet: train and fine-tune models without writing code.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
dataset_app = typer.Typer(help="The dataset factory: generate instruction data and validate it.", no_args_is_help=True)
app.add_typer(dataset_app, name="dataset")
lora_app = typer.Typer(help="LoRA fine-tuning with Bayesian hyper-parameter search.", no_args_is_help=True)
app.add_typer(lora_app, name="lora")
app.command()(train)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    data_dir: Annotated[
        Path, typer.Option(envvar="TRAINNET_DATA_DIR", help="where all state lives (database, broker, storage)")
    ] = Path("trainnet-data"),
    workers: Annotated[
        int | None, typer.Option(help="embedded worker processes (default: one per core, max 4)")
    ] = None,
    no_workers: Annotated[bool, typer.Option("--no-workers", help="serve the API and UI only")] = False,
):
    """Serve the API and web UI, with embedded workers unless --no-workers."""
    import uvicorn

    from trainnet.api.app import create_app
    from trainnet.cli.embedded import EmbeddedProcesses, default_worker_count
    from trainnet.db.migrate import upgrade

    log_with_times()
    local_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    settings = configure(data_dir, os.environ.get("TRAINNET_API_URL") or f"http://{local_host}:{port}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.sqlalchemy_url)
    count = 0 if no_workers else workers or settings.embedded_workers or default_worker_count()
    threads = settings.torch_threads or max(1, (os.cpu_count() or 1) // max(1, count))
    env = {
        **os.environ,
        "TRAINNET_WORKER_TOKEN": settings.resolved_worker_token(),
        "TRAINNET_TORCH_THREADS": str(threads),
    }
    if count:
        _declare_queues()
    embedded = EmbeddedProcesses(count, f"{CPU_QUEUE},{GPU_QUEUE}", env)
    embedded.start()
    if count:
        console.print(f"[green]started {count} embedded worker(s)[/] ({threads} torch thread(s) each)")
    console.print(f"TrainNet on http://{local_host}:{port}  (data in {settings.data_dir.resolve()})")
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets `finally` stop
    # the embedded workers instead of the process dying first.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    api = create_app(settings)
    # What is loaded by now lives as long as the server: keep its few hundred thousand objects out of the
    # garbage collector's full passes, each of which would otherwise stall requests for 100+ ms.
    gc.collect()
    gc.freeze()
    # Worker reports run in threads that share the GIL with the event loop; a 1 ms switch interval (5 ms by
    # default) bounds how long a status request waits behind one.
    sys.setswitchinterval(0.001)
    try:
        uvicorn.run(api, host=host, port=port, log_level="info", access_log=False)
    finally:
        embedded.stop()


def _declare_queues() -> None:
    """Create the queues once before workers start: concurrent first declarations race on the SQL broker."""
    from trainnet.settings import get_settings
    from trainnet.worker.celery_app import make_celery

    with make_celery(get_settings()).connection_for_write() as connection:
        for queue in (CPU_QUEUE, GPU_QUEUE):
            connection.default_channel.queue_declare(queue=queue)


@app.command()
def worker(
    queues: Annotated[str, typer.Option(help="comma-separated queues to consume")] = f"{CPU_QUEUE},{GPU_QUEUE}",
    name: Annotated[str | None, typer.Option(help="worker name (Celery -n)")] = None,
    pool: Annotated[str, typer.Option(help="Celery pool; solo runs jobs in the main process (CUDA-safe)")] = "solo",
    loglevel: Annotated[str, typer.Option(help="log level")] = "INFO",
):
    """Run a standalone worker. It needs only the broker, the storage and TRAINNET_API_URL + token."""
    configure()
    from trainnet.worker.celery_app import app as celery_app

    argv = [
        "worker",
        "-Q",
        queues,
        "--pool",
        pool,
        "--loglevel",
        loglevel,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if name:
        argv += ["-n", name]
    celery_app.worker_main(argv)


@app.command()
def sweeper():
    """Repair lost work every TRAINNET_SWEEP_INTERVAL seconds (`trainnet serve` runs one beside the API)."""
    import threading

    from trainnet.dispatch.sender import CeleryDispatcher
    from trainnet.dispatch.sweeper import Sweeper
    from trainnet.worker.celery_app import make_celery

    log_with_times()
    settings = configure()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    Sweeper(settings, CeleryDispatcher(make_celery(settings))).run(stop)


@db_app.command("upgrade")
def db_upgrade():
    """Apply database migrations (also done automatically when the API starts)."""
    from trainnet.db.migrate import upgrade

    settings = configure()
    upgrade(settings.sqlalchemy_url)
    console.print("database is up to date")


@dataset_app.command("generate")
def dataset_generate(
    seed: Annotated[
        Path,
        typer.Argument(help="seed tasks: .jsonl/.json/.csv (self-instruct format works)", exists=True, dir_okay=False),
    ],
    num_examples: Annotated[int, typer.Option("-n", "--num-examples", help="records to generate")] = 100,
    teacher: Annotated[
        str,
        typer.Option(
            help="'local' (the bundled SmolLM2 on llama.cpp, LLAMA_MODEL_PATH or TEACHER_LOCAL_MODEL), 'gguf' (the"
            " file given by --teacher-model), 'openai' (--teacher-url and --teacher-model, or TEACHER_BASE_URL +"
            " TEACHER_MODEL), or a local .gguf file or model directory"
        ),
    ] = "local",
    teacher_model: Annotated[
        str | None, typer.Option(help="gguf: the .gguf file; openai: the model name at the endpoint")
    ] = None,
    teacher_url: Annotated[str | None, typer.Option(help="openai: the endpoint's base URL")] = None,
    out: Annotated[Path, typer.Option(help="output JSONL; an existing file is resumed")] = Path("generated.jsonl"),
    max_new_tokens: Annotated[
        int, typer.Option(help="token limit of each proposal (0: sized to the tasks asked for)")
    ] = 0,
    batch_size: Annotated[int, typer.Option(help="prompts per round")] = 8,
    threads: Annotated[int | None, typer.Option(help="llama.cpp threads (default: the cores free)")] = None,
):
    """Generate instruction records from seed tasks with a teacher LLM (self-instruct), in this process."""
    from trainnet.generate import GenerationConfig, SeedFileError, generate, load_seed_tasks, make_teacher
    from trainnet.generate.runner import every_free_core, read_jsonl, to_jsonl
    from trainnet.generate.self_instruct import GenerationStalled
    from trainnet.generate.teachers import TeacherError, teacher_info, teacher_spec

    settings = configure()
    if num_examples < 1 or num_examples > settings.max_generated_examples:
        fail(f"--num-examples must be between 1 and {settings.max_generated_examples}")
    try:
        seeds = load_seed_tasks(seed.read_bytes(), seed.name)
    except SeedFileError as exc:
        fail(str(exc))
    try:
        spec = teacher_spec(
            teacher,
            settings,
            model=teacher_model,
            base_url=teacher_url,
            cache_dir=str(settings.cache_dir / "llm"),
            batch_size=batch_size,
            **({"threads": threads} if threads else {}),
        )
        config = GenerationConfig(num_examples=num_examples, batch_size=batch_size, max_new_tokens=max_new_tokens)
    except ValueError as exc:
        fail(str(exc))
    kept = read_jsonl(out.read_bytes()) if out.exists() else []
    chosen = make_teacher(spec, settings.llama_check_timeout_s)
    info = teacher_info(chosen)
    console.print(f"teacher: {info.get('kind')} {info.get('model')}")
    if info.get("fallback"):
        console.print(f"[yellow]{info['fallback']}[/]")
    try:
        with (
            Progress(
                TextColumn("[bold]generating"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[rates]}"),
                console=console,
            ) as progress,
            every_free_core(chosen),
        ):
            bar = progress.add_task("generate", total=num_examples, completed=len(kept), rates="")

            def on_progress(state) -> None:
                rates = (
                    f"{state.proposed} proposed, {sum(state.rejected.values())} dropped, "
                    f"{state.records_per_minute:.1f} records/min, {state.tokens_per_second:.0f} tokens/s"
                )
                progress.update(bar, completed=state.kept, rates=rates)

            for batch in generate(seeds, chosen, config, kept=kept, on_progress=on_progress):
                kept += batch
                out.write_bytes(to_jsonl(kept))
    except (TeacherError, GenerationStalled, ValueError) as exc:
        fail(f"{exc} ({len(kept)} records kept in {out})")
    console.print(f"[green]{len(kept)} records[/] → {out}")


@dataset_app.command("validate")
def dataset_validate(
    file: Annotated[Path, typer.Argument(help="instruction dataset (.jsonl/.json/.csv)", exists=True, dir_okay=False)],
    seed: Annotated[Path | None, typer.Option(help="seed tasks to compare against (copies of them fail)")] = None,
    report: Annotated[Path | None, typer.Option(help="also write the full JSON report here")] = None,
):
    """Validate an instruction dataset; prints the report and exits 0 only when READY_FOR_FINE_TUNING."""
    import json

    from trainnet.data.parsing import DatasetError
    from trainnet.generate import SeedFileError, load_seed_tasks
    from trainnet.validation import READY_FOR_FINE_TUNING, validate_records
    from trainnet.validation.runner import instruction_records

    try:
        records = instruction_records(file.read_bytes(), file.name)
        references = load_seed_tasks(seed.read_bytes(), seed.name) if seed else None
    except (DatasetError, SeedFileError) as exc:
        fail(str(exc))
    result = validate_records(records, references)
    if report:
        report.write_text(json.dumps(result.to_dict(), indent=2))
    for rule in result.rules:
        mark = "[green]pass[/]" if rule.passed else "[red]FAIL[/]"
        console.print(f"{mark} {rule.rule}: {rule.message}")
    console.print(f"verdict: [bold]{result.verdict}[/] ({len(records)} records)")
    raise typer.Exit(0 if result.verdict == READY_FOR_FINE_TUNING else 1)


@lora_app.command("tune")
def lora_tune(
    dataset: Annotated[
        Path, typer.Argument(help="instruction dataset (.jsonl/.json/.csv)", exists=True, dir_okay=False)
    ],
    trials: Annotated[int, typer.Option(help="trial budget of the search")] = 8,
    base_model: Annotated[str | None, typer.Option(help="base model: local dir, HF id or 'smollm2'")] = None,
    out: Annotated[Path, typer.Option(help="directory for the best adapter")] = Path("lora-adapter"),
    study_db: Annotated[Path | None, typer.Option(help="SQLite file of the Optuna study (resumes if present)")] = None,
    max_steps: Annotated[int | None, typer.Option(help="training steps per trial")] = None,
):
    """Search rank, lora_alpha and learning_rate (TPE + pruning) in this process; write the best adapter."""
    import json
    import shutil

    from trainnet.data.parsing import DatasetError
    from trainnet.lora.bayesian_optimizer import SearchFailed, run_search
    from trainnet.lora.lora_tuning_config import LoraTuningConfig
    from trainnet.validation.runner import instruction_records

    settings = configure()
    if trials < 1 or trials > settings.lora_max_trials:
        fail(f"--trials must be between 1 and {settings.lora_max_trials}")
    overrides = {**settings.lora_overrides(), "model_name": base_model or settings.lora_model_name, "n_trials": trials}
    if max_steps:
        overrides["max_steps"] = max_steps
    try:
        records = instruction_records(dataset.read_bytes(), dataset.name)
        config = LoraTuningConfig.from_overrides(overrides)
        db = study_db or out.with_name(out.name + ".study.sqlite")
        with tempfile.TemporaryDirectory() as tmp:

            def on_progress(trial: dict) -> None:
                console.print(
                    f"trial {trial['number']}: {trial['state']} eval_loss={trial['eval_loss']} "
                    f"params={trial['params']} ({trial['trials_done']}/{trial['n_trials']})"
                )

            result = run_search(
                f"cli-{dataset.stem}",
                records,
                config,
                f"sqlite:///{db.resolve()}",
                on_progress=on_progress,
                adapters_dir=Path(tmp),
                cache_dir=settings.cache_dir / "llm",
            )
            if out.exists():
                shutil.rmtree(out)
            shutil.copytree(Path(tmp) / f"trial-{result.best_trial['number']}", out)
            (out / "study_summary.json").write_text(json.dumps(result.summary, indent=2))
    except (DatasetError, ValueError, SearchFailed) as exc:
        fail(str(exc))
    console.print(
        f"[green]best trial {result.best_trial['number']}[/]: eval_loss {result.best_trial['eval_loss']:.4f} "
        f"{result.best_trial['params']} → {out}"
    )


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.INFO)
    app()
