"""The worker-side LoRA job: run (or resume) the Bayesian search and store the best adapter.

Every trial's adapter goes to the artifacts bucket as it finishes; the best is copied to the `lora-adapters`
bucket under `<job>/` with a JSON summary of the study, and the others are removed when the job ends.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from trainnet.dispatch.messages import LoraJobSpec
from trainnet.lora.bayesian_optimizer import SearchFailed, run_search
from trainnet.lora.lora_tuning_config import LoraTuningConfig
from trainnet.storage import Storage
from trainnet.validation.runner import instruction_records

log = logging.getLogger("trainnet.worker")
SUMMARY_FILE = "study_summary.json"


def trial_prefix(job_id: str, number: int) -> str:
    return f"lora/{job_id}/trial-{number}"


def run_lora_job(job: LoraJobSpec, storage: Storage, buckets: dict, reporter, storage_url: str, cache_dir: Path):
    if not reporter.lora(job.job_id, "running"):
        log.info("lora job %s: already finished, skipping", job.job_id)
        return None
    records = instruction_records(storage.get_bytes(buckets["datasets"], job.data.key), job.data.name)
    config = LoraTuningConfig.from_overrides({**job.config, "model_name": job.base_model, "n_trials": job.n_trials})
    finished: dict[int, dict] = {}

    def on_trial_adapter(number: int, folder: Path) -> None:
        storage.put_dir(buckets["artifacts"], trial_prefix(job.job_id, number), folder)

    def on_progress(trial: dict) -> None:
        finished[trial["number"]] = {k: v for k, v in trial.items() if k not in ("trials_done", "n_trials")}
        reporter.lora(job.job_id, "running", trials=sorted(finished.values(), key=lambda t: t["number"]))

    try:
        with tempfile.TemporaryDirectory(prefix="lora-") as tmp:
            result = run_search(
                job.job_id,
                records,
                config,
                storage_url,
                on_trial_adapter=on_trial_adapter,
                on_progress=on_progress,
                adapters_dir=Path(tmp),
                cache_dir=cache_dir / "llm",
            )
    except SearchFailed as exc:
        storage.delete_prefix(buckets["artifacts"], f"lora/{job.job_id}/")
        reporter.lora(job.job_id, "error", trials=exc.summary["trials"], error=str(exc))
        return None
    best = result.best_trial["number"]
    with tempfile.TemporaryDirectory(prefix="lora-best-") as tmp:
        folder = storage.get_dir(buckets["artifacts"], trial_prefix(job.job_id, best), Path(tmp))
        (folder / SUMMARY_FILE).write_text(json.dumps(result.summary, indent=2))
        storage.delete_prefix(buckets["lora"], f"{job.job_id}/")
        storage.put_dir(buckets["lora"], job.job_id, folder)
    storage.delete_prefix(buckets["artifacts"], f"lora/{job.job_id}/")
    reporter.lora(
        job.job_id,
        "done",
        trials=result.summary["trials"],
        best_trial=result.best_trial,
        adapter_prefix=f"{job.job_id}/",
    )
    log.info("lora job %s: best trial %d, eval loss %.4f", job.job_id, best, result.best_trial["eval_loss"])
    return result
