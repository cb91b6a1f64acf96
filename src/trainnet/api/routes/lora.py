"""LoRA fine-tuning jobs with Bayesian hyper-parameter search, and their adapters."""

from __future__ import annotations

import io
import zipfile
from functools import partial

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from trainnet.api.deps import DispatcherDep, LoraPlaygroundDep, SessionDep, SettingsDep, StorageDep, WorkerAuth
from trainnet.api.routes.datasets import get_dataset
from trainnet.api.schemas import (
    Id,
    LoraJobCreated,
    LoraJobOut,
    LoraReport,
    LoraRequest,
    PlaygroundOut,
    PlaygroundRequest,
    Proceed,
)
from trainnet.db.session import session_scope
from trainnet.db.tables import LoraJob, utcnow
from trainnet.factory import jobs
from trainnet.lora import playground
from trainnet.lora.lora_tuning_config import LoraTuningConfig
from trainnet.models.llm import resolve_causal_lm
from trainnet.status import DatasetStatus, IllegalTransition, LoraJobStatus, advance

router = APIRouter(prefix="/lora", tags=["lora"])


def lora_out(job: LoraJob) -> LoraJobOut:
    return LoraJobOut(
        job_id=job.id,
        status=job.status,
        dataset_id=job.dataset_id,
        base_model=job.base_model,
        n_trials=job.n_trials,
        trials=job.trials or [],
        best_trial=job.best_trial,
        error=job.error,
        created_at=job.created_at,
        updated_at=job.updated_at,
        download_url=f"/api/lora/{job.id}/download_adapter" if job.status == LoraJobStatus.DONE else None,
    )


def get_job(session, job_id: str, lock: bool = False) -> LoraJob:
    job = session.get(LoraJob, job_id, with_for_update=lock)
    if job is None:
        raise HTTPException(404, f"LoRA job {job_id} not found")
    return job


@router.post("", status_code=202, response_model=LoraJobCreated)
def start_lora(req: LoraRequest, settings: SettingsDep, dispatcher: DispatcherDep) -> LoraJobCreated:
    """Fine-tune a LoRA adapter on a READY_FOR_FINE_TUNING dataset, searching rank, alpha and learning rate."""
    n_trials = req.n_trials or settings.lora_n_trials
    if n_trials > settings.lora_max_trials:
        raise HTTPException(422, f"n_trials={n_trials} is above the limit of {settings.lora_max_trials}")
    base_model = req.base_model or settings.lora_model_name
    try:
        resolve_causal_lm(base_model)
        config = LoraTuningConfig.from_overrides(
            {**settings.lora_overrides(), **req.params, "model_name": base_model, "n_trials": n_trials}
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    with session_scope(settings.sqlalchemy_url) as session:
        dataset = get_dataset(session, req.dataset_id)
        if dataset.status != DatasetStatus.READY_FOR_FINE_TUNING:
            raise HTTPException(
                409,
                f"dataset {dataset.id} is {dataset.status}: LoRA needs a dataset validated as "
                "READY_FOR_FINE_TUNING (POST /api/datasets/{id}/validate)",
            )
        job, dispatch = jobs.start_lora(
            dataset, base_model, config.n_trials, {**settings.lora_overrides(), **req.params}
        )
        session.add(job)
    dispatcher.send([dispatch])
    return LoraJobCreated(job_id=job.id, status=job.status)


@router.get("", response_model=list[LoraJobOut])
def list_lora_jobs(session: SessionDep, limit: int = 100) -> list[LoraJobOut]:
    query = select(LoraJob).order_by(LoraJob.created_at.desc()).limit(max(1, min(limit, 1000)))
    return [lora_out(j) for j in session.scalars(query)]


@router.get("/{job_id}", response_model=LoraJobOut)
def read_lora_job(job_id: Id, session: SessionDep) -> LoraJobOut:
    return lora_out(get_job(session, job_id))


@router.get("/{job_id}/download_adapter")
def download_adapter(job_id: Id, session: SessionDep, storage: StorageDep, settings: SettingsDep):
    """The best trial's PEFT adapter directory as a zip (loads with PeftModel.from_pretrained)."""
    job = get_job(session, job_id)
    if job.status != LoraJobStatus.DONE or not job.adapter_prefix:
        raise HTTPException(409, f"LoRA job {job_id} is {job.status}: the adapter can be downloaded once it is done")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key in storage.list(settings.lora_bucket, job.adapter_prefix):
            archive.writestr(key[len(job.adapter_prefix) :], storage.get_bytes(settings.lora_bucket, key))
    buffer.seek(0)
    return StreamingResponse(
        buffer,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{job_id}-adapter.zip"'},
    )


@router.post("/{job_id}/generate", response_model=PlaygroundOut)
def generate(
    job_id: Id, req: PlaygroundRequest, settings: SettingsDep, storage: StorageDep, models: LoraPlaygroundDep
) -> PlaygroundOut:
    """Complete a prompt with the job's base model and with base + its adapter, greedily, side by side.

    A plain `def`: FastAPI runs it in its threadpool, so loading and generating never block the event loop.
    """
    with session_scope(settings.sqlalchemy_url, read_only=True) as session:  # not held while generating
        job = get_job(session, job_id)
        status, prefix, base_model = job.status, job.adapter_prefix, job.base_model
    if status != LoraJobStatus.DONE or not prefix:
        raise HTTPException(409, f"LoRA job {job_id} is {status}: the playground opens once it is done")
    load = partial(
        playground.load_stored_adapter, storage, settings.lora_bucket, prefix, base_model, settings.cache_dir / "llm"
    )
    try:
        loaded = models.get(job_id, load)
    except ValueError as exc:
        raise HTTPException(503, f"the playground could not load LoRA job {job_id}'s model: {exc}") from None
    completions = playground.generate_pair(loaded, req.prompt, req.max_new_tokens)
    return PlaygroundOut(base=completions.base, adapter=completions.adapter)


@router.put("/{job_id}", response_model=Proceed, dependencies=[WorkerAuth])
def report_lora(job_id: Id, report: LoraReport, settings: SettingsDep) -> Proceed:
    """Worker reports: running (with trials so far), done (best trial, adapter stored) or error."""
    with session_scope(settings.sqlalchemy_url) as session:
        job = get_job(session, job_id, lock=True)
        if job.status in (LoraJobStatus.DONE, LoraJobStatus.ERROR):
            return Proceed(proceed=False)
        try:
            job.status = advance(LoraJobStatus, job.status, report.status)
        except IllegalTransition as exc:
            raise HTTPException(409, str(exc)) from None
        if report.trials is not None:
            job.trials = report.trials
        job.best_trial = report.best_trial or job.best_trial
        job.adapter_prefix = report.adapter_prefix or job.adapter_prefix
        job.error = report.error
        job.heartbeat_at = job.updated_at = utcnow()
        if report.status in (LoraJobStatus.DONE, LoraJobStatus.ERROR):
            job.finished_at = utcnow()
        return Proceed(proceed=True)
