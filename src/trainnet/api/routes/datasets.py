"""Uploading, listing and downloading datasets."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from trainnet.api.deps import DispatcherDep, SessionDep, SettingsDep, StorageDep, WorkerAuth
from trainnet.api.schemas import (
    DatasetOut,
    DatasetStatusPatch,
    DatasetThumbnails,
    GenerateRequest,
    Id,
    ValidateRequest,
)
from trainnet.data.examples import summarize
from trainnet.data.fetch import check_url
from trainnet.data.image_zip import read_image_zip
from trainnet.data.parsing import UPLOAD_FORMATS, DatasetError, Table, detect_format, megabytes, parse_table
from trainnet.data.thumbnails import thumbnails
from trainnet.db.session import session_scope
from trainnet.db.tables import Dataset, new_id, utcnow
from trainnet.factory import jobs
from trainnet.generate.seeds import SeedFileError, load_seed_tasks
from trainnet.generate.self_instruct import GenerationConfig
from trainnet.generate.teachers import teacher_spec
from trainnet.status import DatasetStatus, IllegalTransition, advance
from trainnet.validation.policy import ValidationPolicy

router = APIRouter(prefix="/datasets", tags=["datasets"])
log = logging.getLogger("trainnet.api")


def dataset_out(ds: Dataset) -> DatasetOut:
    summary = ds.summary or {}
    return DatasetOut(
        dataset_id=ds.id,
        url=f"/api/datasets/{ds.id}/download",
        name=ds.name,
        format=ds.format,
        status=ds.status,
        rows=ds.rows,
        columns=ds.columns or [],
        seed_dataset_id=ds.seed_dataset_id,
        progress=ds.progress,
        metrics=ds.metrics,
        report=ds.report,
        error=ds.error,
        created_at=ds.created_at,
        generation=summary.get("generation"),
        **{k: summary.get(k) for k in ("kind", "label_column", "text_column", "image_column", "label_counts")},
        preview=summary.get("preview") or [],
        images=summary.get("images"),
    )


def get_dataset(session, dataset_id: str) -> Dataset:
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise HTTPException(404, f"dataset {dataset_id} not found")
    return dataset


def read_upload(file: UploadFile, limit: int) -> bytes:
    """The uploaded file's bytes, refusing anything over `limit` without reading more than that."""
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(413, f"file is larger than the {megabytes(limit)} limit")
    return content


def store_dataset(content: bytes, name: str, settings, storage) -> DatasetOut:
    """Parse, check and store a dataset file; nothing is left behind when any step fails."""
    try:
        fmt = detect_format(name, UPLOAD_FORMATS)
    except DatasetError as exc:
        raise HTTPException(415, str(exc)) from None
    try:
        table, content, summary = parse_upload(content, name, fmt, settings)
    except (DatasetError, SeedFileError) as exc:
        raise HTTPException(422, str(exc)) from None
    dataset = Dataset(
        id=new_id("ds"),
        name=name,
        format=table.format,
        rows=len(table),
        columns=table.columns,
        summary=summary,
        size_bytes=len(content),
    )
    dataset.storage_key = f"{dataset.id}/data.{table.format}"
    storage.put_bytes(settings.datasets_bucket, dataset.storage_key, content)
    try:
        with session_scope(settings.sqlalchemy_url) as session:
            session.add(dataset)
    except Exception:
        storage.delete(settings.datasets_bucket, dataset.storage_key)
        raise
    return dataset_out(dataset)


def parse_upload(content: bytes, name: str, fmt: str, settings) -> tuple[Table, bytes, dict]:
    """The table, the bytes to store and the summary of an upload. A .zip of images is stored as the JSONL of
    base64 images it is read into, so training and sharding read it as any image dataset."""
    if fmt == "zip":
        archive = read_image_zip(content, settings.archive_limits())
        return archive.table, archive.jsonl(), {**summarize(archive.table), "images": archive.summary()}
    table = parse_table(
        content,
        name,
        settings.max_columns,
        allow_nested=True,
        max_cell_chars=settings.max_cell_chars,
        max_rows=settings.max_rows,
    )
    summary = summarize(table)
    if summary["kind"] == "instructions":
        load_seed_tasks(content, name)
    return table, content, summary


@router.post("", status_code=201, response_model=DatasetOut)
def upload_dataset(file: UploadFile, storage: StorageDep, settings: SettingsDep) -> DatasetOut:
    """Upload a CSV, JSON (array of objects) or JSONL file, or a .zip of images in class folders (or with a
    metadata.csv / metadata.jsonl of file_name and label), of at most TRAINNET_MAX_UPLOAD_MB (10 MB)."""
    name = (file.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload"
    try:
        detect_format(name, UPLOAD_FORMATS)
    except DatasetError as exc:
        raise HTTPException(415, str(exc)) from None
    return store_dataset(read_upload(file, settings.max_upload_bytes), name, settings, storage)


@router.get("", response_model=list[DatasetOut])
def list_datasets(session: SessionDep, limit: int = 100) -> list[DatasetOut]:
    query = select(Dataset).order_by(Dataset.created_at.desc()).limit(max(1, min(limit, 1000)))
    return [dataset_out(d) for d in session.scalars(query)]


@router.get("/{dataset_id}", response_model=DatasetOut)
def read_dataset(dataset_id: Id, session: SessionDep) -> DatasetOut:
    return dataset_out(get_dataset(session, dataset_id))


@router.get("/{dataset_id}/download")
def download_dataset(dataset_id: Id, session: SessionDep, storage: StorageDep, settings: SettingsDep):
    dataset = get_dataset(session, dataset_id)
    if not dataset.storage_key or not storage.exists(settings.datasets_bucket, dataset.storage_key):
        raise HTTPException(
            409 if dataset.status != DatasetStatus.DELETED else 410, f"dataset {dataset_id} has no data stored"
        )
    media = {"csv": "text/csv", "json": "application/json", "jsonl": "application/x-ndjson"}[dataset.format]
    filename = f"{dataset.id}.{dataset.format}"
    return StreamingResponse(
        storage.open_stream(settings.datasets_bucket, dataset.storage_key),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{dataset_id}/thumbnails", response_model=DatasetThumbnails)
def dataset_thumbnails(dataset_id: Id, session: SessionDep, storage: StorageDep, settings: SettingsDep):
    """A few thumbnails per class of an image dataset (none for other data), for the dataset preview."""
    dataset = get_dataset(session, dataset_id)
    if (dataset.summary or {}).get("kind") != "image":
        return DatasetThumbnails(dataset_id=dataset_id, thumbnails={})
    require_data(dataset, storage, settings)
    assert dataset.storage_key is not None  # require_data checked it
    content = storage.get_bytes(settings.datasets_bucket, dataset.storage_key)
    try:
        table = parse_table(content, f"data.{dataset.format}", settings.max_columns)
    except DatasetError as exc:
        raise HTTPException(422, f"dataset {dataset_id}: {exc}") from None
    return DatasetThumbnails(dataset_id=dataset_id, thumbnails=thumbnails(table))


def describe_stored(dataset: Dataset, storage, settings) -> None:
    """Columns, preview and size of a dataset a worker wrote (a generation), as an upload gets them."""
    content = storage.get_bytes(settings.datasets_bucket, dataset.storage_key)
    try:
        table = parse_table(content, f"data.{dataset.format}", settings.max_columns, allow_nested=True)
    except DatasetError as exc:  # validation will say what is wrong with it; the record stays usable
        log.warning("dataset %s: generated data does not parse: %s", dataset.id, exc)
        return
    dataset.columns, dataset.size_bytes = table.columns, len(content)
    dataset.summary = {**(dataset.summary or {}), **summarize(table)}


def require_data(dataset: Dataset, storage, settings) -> None:
    """409 unless the dataset's data is complete and stored (not being generated, deleted or never written)."""
    busy = (DatasetStatus.DELETED, DatasetStatus.GENERATING, DatasetStatus.VALIDATING)
    if not dataset.storage_key or dataset.status in busy:
        wait = dataset.status in (DatasetStatus.GENERATING, DatasetStatus.VALIDATING)
        raise HTTPException(
            409,
            f"dataset {dataset.id} is {dataset.status}: "
            + ("wait until that job ends" if wait else "it has no data to use"),
        )
    if not storage.exists(settings.datasets_bucket, dataset.storage_key):
        raise HTTPException(409, f"dataset {dataset.id} has no data stored ({dataset.status})")


def _config_errors(cls, values: dict) -> str | None:
    try:
        cls(**values)
    except (TypeError, ValueError) as exc:
        return str(exc)
    return None


def chosen_teacher(req: GenerateRequest, settings) -> dict:
    """The teacher spec of a generate request; 422 naming the problem (a missing or non-GGUF file, an endpoint
    not given or not allowed)."""
    try:
        if req.teacher_url:
            if req.teacher != "openai":
                raise ValueError("teacher_url is for teacher 'openai'")
            check_url(req.teacher_url, settings.allow_private_urls)
        return teacher_spec(req.teacher, settings, model=req.teacher_model, base_url=req.teacher_url)
    except (ValueError, DatasetError) as exc:  # check_url's messages name the field it usually checks
        raise HTTPException(422, f"teacher {req.teacher!r}: {exc}".replace("dataset_url", "teacher_url")) from None


@router.post("/{dataset_id}/generate", status_code=202)
def generate_dataset(
    dataset_id: Id, req: GenerateRequest, settings: SettingsDep, dispatcher: DispatcherDep, storage: StorageDep
):
    """Generate a new instruction dataset from this seed dataset with a teacher LLM (self-instruct)."""
    if req.num_examples > settings.max_generated_examples:
        raise HTTPException(
            422, f"num_examples={req.num_examples} is above the limit of {settings.max_generated_examples}"
        )
    config = {**req.params, "num_examples": req.num_examples}
    if problem := _config_errors(GenerationConfig, config):
        raise HTTPException(422, f"invalid generation params: {problem}")
    teacher = chosen_teacher(req, settings)
    with session_scope(settings.sqlalchemy_url) as session:
        seed = get_dataset(session, dataset_id)
        require_data(seed, storage, settings)
        if (seed.summary or {}).get("kind") != "instructions":
            raise HTTPException(
                422,
                f"dataset {dataset_id} has no 'instruction' column: upload seed tasks "
                "(instruction, optional input, output; or self-instruct's instances format)",
            )
        dataset, dispatch = jobs.start_generation(seed, req.teacher, teacher, config)
        session.add(dataset)
    dispatcher.send([dispatch])
    return {"dataset_id": dataset.id, "status": DatasetStatus.GENERATING}


@router.post("/{dataset_id}/validate", status_code=202)
def validate_dataset(
    dataset_id: Id, req: ValidateRequest, settings: SettingsDep, dispatcher: DispatcherDep, storage: StorageDep
):
    """Score an instruction dataset and mark it READY_FOR_FINE_TUNING or DELETED."""
    if problem := _config_errors(ValidationPolicy, req.policy):
        raise HTTPException(422, f"invalid validation policy: {problem}")
    with session_scope(settings.sqlalchemy_url) as session:
        dataset = get_dataset(session, dataset_id)
        require_data(dataset, storage, settings)
        if (dataset.summary or {}).get("kind") != "instructions":
            raise HTTPException(422, f"dataset {dataset_id} is not an instruction dataset (no 'instruction' column)")
        try:
            dataset.status = advance(DatasetStatus, dataset.status, DatasetStatus.VALIDATING)
        except IllegalTransition as exc:
            raise HTTPException(409, str(exc)) from None
        dataset.error = None
        seed = session.get(Dataset, dataset.seed_dataset_id) if dataset.seed_dataset_id else None
        dispatch = jobs.start_validation(dataset, seed, req.policy)
    dispatcher.send([dispatch])
    return {"dataset_id": dataset.id, "status": DatasetStatus.VALIDATING}


@router.patch("/{dataset_id}/status", response_model=DatasetOut, dependencies=[WorkerAuth])
def patch_dataset_status(dataset_id: Id, report: DatasetStatusPatch, settings: SettingsDep, storage: StorageDep):
    """Worker reports on generation and validation. DELETED keeps the record and report, removes the data."""
    with session_scope(settings.sqlalchemy_url) as session:
        dataset = session.get(Dataset, dataset_id, with_for_update=True)
        if dataset is None:
            raise HTTPException(404, f"dataset {dataset_id} not found")
        try:
            dataset.status = advance(DatasetStatus, dataset.status, report.status)
        except IllegalTransition as exc:
            raise HTTPException(409, str(exc)) from None
        for name in ("rows", "progress", "metrics", "report", "error"):
            value = getattr(report, name)
            if value is not None:
                setattr(dataset, name, value)
        if report.generation is not None:
            dataset.summary = {**(dataset.summary or {}), "generation": report.generation}
        dataset.updated_at = utcnow()
        if report.status == DatasetStatus.GENERATED and dataset.storage_key:
            describe_stored(dataset, storage, settings)
        if report.status == DatasetStatus.DELETED and dataset.storage_key:
            storage.delete(settings.datasets_bucket, dataset.storage_key)
        return dataset_out(dataset)
