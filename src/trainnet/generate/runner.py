"""The worker-side generation job: seed file in storage → self-instruct records in storage, resumably.

After every batch the records kept so far are written to the output key, so a restarted job continues from
them instead of starting over, and a teacher failure keeps what was generated. The dataset's record hears of
every teacher call (`generation`: the teacher used, candidates proposed, kept and dropped by reason, records a
minute, tokens a second).
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from pathlib import Path

from trainnet.dispatch.messages import GenerateJob
from trainnet.generate.seeds import load_seed_tasks
from trainnet.generate.self_instruct import GenerationConfig, GenerationStalled, generate
from trainnet.generate.teachers import LocalTeacher, TeacherError, make_teacher, teacher_info
from trainnet.models.cores import free_cores
from trainnet.storage import Storage

log = logging.getLogger("trainnet.worker")


def to_jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def read_jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


def run_generation(
    job: GenerateJob, storage: Storage, bucket: str, reporter, cache_dir: Path, check_timeout_s: float = 120.0
) -> list[dict]:
    seed_tasks = load_seed_tasks(storage.get_bytes(bucket, job.seed.key), job.seed.name)
    kept = read_jsonl(storage.get_bytes(bucket, job.output_key)) if storage.exists(bucket, job.output_key) else []
    config = GenerationConfig(**job.config)
    spec = dict(job.teacher)
    if spec.get("kind", "local") in ("local", "llamacpp"):
        spec["cache_dir"] = str(cache_dir / "llm")
    teacher = make_teacher(spec, check_timeout_s)
    target = max(1, config.num_examples)
    info = teacher_info(teacher)
    reporter.dataset(
        job.dataset_id, "GENERATING", rows=len(kept), progress=100.0 * len(kept) / target, generation={"teacher": info}
    )
    log.info(
        "dataset %s: generating %d records from %d seed tasks (%d kept before) with %s",
        job.dataset_id,
        config.num_examples,
        len(seed_tasks),
        len(kept),
        info,
    )
    last: dict = {"teacher": info}

    def on_progress(progress) -> None:
        last.update(progress.to_dict())
        reporter.dataset(
            job.dataset_id,
            "GENERATING",
            rows=progress.kept,
            progress=min(99.0, 100.0 * progress.kept / target),
            generation=last,
        )

    try:
        with every_free_core(teacher):
            for batch in generate(seed_tasks, teacher, config, kept=kept, on_progress=on_progress):
                kept += batch
                storage.put_bytes(bucket, job.output_key, to_jsonl(kept))
    except (TeacherError, GenerationStalled) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        log.warning("dataset %s: generation stopped after %d records: %s", job.dataset_id, len(kept), reason)
        reporter.dataset(
            job.dataset_id, "error", rows=len(kept), error=f"{reason} ({len(kept)} records kept)", generation=last
        )
        return kept
    if not storage.exists(bucket, job.output_key):
        storage.put_bytes(bucket, job.output_key, to_jsonl(kept))
    reporter.dataset(job.dataset_id, "GENERATED", rows=len(kept), progress=100.0, generation=last)
    return kept


@contextmanager
def every_free_core(teacher):
    """While a transformers teacher generates, torch uses every core that is free (a worker's default is its
    share of the machine); llama.cpp teachers size their threads themselves."""
    if not isinstance(teacher, LocalTeacher):
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(free_cores())
    try:
        yield
    finally:
        torch.set_num_threads(before)
