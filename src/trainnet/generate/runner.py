"""The worker-side generation job: seed file in storage → self-instruct records in storage, resumably.

After every batch the records kept so far are written to the output key, so a restarted job continues from
them instead of starting over, and a teacher failure keeps what was generated.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from trainnet.dispatch.messages import GenerateJob
from trainnet.generate.seeds import load_seed_tasks
from trainnet.generate.self_instruct import GenerationConfig, GenerationStalled, generate
from trainnet.generate.teachers import TeacherError, make_teacher
from trainnet.storage import Storage

log = logging.getLogger("trainnet.worker")


def to_jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def read_jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


def run_generation(job: GenerateJob, storage: Storage, bucket: str, reporter, cache_dir: Path) -> list[dict]:
    seed_tasks = load_seed_tasks(storage.get_bytes(bucket, job.seed.key), job.seed.name)
    kept = read_jsonl(storage.get_bytes(bucket, job.output_key)) if storage.exists(bucket, job.output_key) else []
    config = GenerationConfig(**job.config)
    spec = dict(job.teacher)
    if spec.get("kind", "local") == "local":
        spec["cache_dir"] = str(cache_dir / "llm")
    teacher = make_teacher(spec)
    target = max(1, config.num_examples)
    reporter.dataset(job.dataset_id, "GENERATING", rows=len(kept), progress=100.0 * len(kept) / target)
    log.info(
        "dataset %s: generating %d records from %d seed tasks (%d kept before)",
        job.dataset_id,
        config.num_examples,
        len(seed_tasks),
        len(kept),
    )

    def on_progress(progress) -> None:
        reporter.dataset(
            job.dataset_id, "GENERATING", rows=progress.kept, progress=min(99.0, 100.0 * progress.kept / target)
        )

    try:
        for batch in generate(seed_tasks, teacher, config, kept=kept, on_progress=on_progress):
            kept += batch
            storage.put_bytes(bucket, job.output_key, to_jsonl(kept))
            reporter.dataset(
                job.dataset_id, "GENERATING", rows=len(kept), progress=min(100.0, 100.0 * len(kept) / target)
            )
    except (TeacherError, GenerationStalled) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        log.warning("dataset %s: generation stopped after %d records: %s", job.dataset_id, len(kept), reason)
        reporter.dataset(job.dataset_id, "error", rows=len(kept), error=f"{reason} ({len(kept)} records kept)")
        return kept
    if not storage.exists(bucket, job.output_key):
        storage.put_bytes(bucket, job.output_key, to_jsonl(kept))
    reporter.dataset(job.dataset_id, "GENERATED", rows=len(kept), progress=100.0)
    return kept
