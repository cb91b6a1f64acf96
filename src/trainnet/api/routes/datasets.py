"""Uploading, listing and downloading datasets."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from trainnet.api.deps import SessionDep, SettingsDep, StorageDep
from trainnet.api.schemas import DatasetOut, Id
from trainnet.data.examples import summarize
from trainnet.data.parsing import DatasetError, detect_format, parse_table
from trainnet.db.tables import Dataset, new_id

router = APIRouter(prefix="/datasets", tags=["datasets"])


def dataset_out(ds: Dataset) -> DatasetOut:
    summary = ds.summary or {}
    return DatasetOut(
        dataset_id=ds.id, url=f"/api/datasets/{ds.id}/download", name=ds.name, format=ds.format, status=ds.status,
        rows=ds.rows, columns=ds.columns or [], seed_dataset_id=ds.seed_dataset_id, progress=ds.progress,
        metrics=ds.metrics, report=ds.report, error=ds.error, created_at=ds.created_at,
        **{k: summary.get(k) for k in ("kind", "label_column", "text_column", "image_column", "label_counts")},
        preview=summary.get("preview") or [],
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
        raise HTTPException(413, f"file is larger than the {limit // (1024 * 1024)} MB limit")
    return content


@router.post("", status_code=201, response_model=DatasetOut)
def upload_dataset(file: UploadFile, session: SessionDep, storage: StorageDep, settings: SettingsDep) -> DatasetOut:
    """Upload a CSV, JSON (array of objects) or JSONL file of at most 10 MB."""
    name = (file.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload"
    try:
        fmt = detect_format(name)
    except DatasetError as exc:
        raise HTTPException(415, str(exc)) from None
    content = read_upload(file, settings.max_upload_bytes)
    try:
        table = parse_table(content, name, settings.max_columns)
    except DatasetError as exc:
        raise HTTPException(422, str(exc)) from None
    dataset = Dataset(id=new_id("ds"), name=name, format=fmt, rows=len(table), columns=table.columns,
                      summary=summarize(table), size_bytes=len(content))
    dataset.storage_key = f"{dataset.id}/data.{fmt}"
    storage.put_bytes(settings.datasets_bucket, dataset.storage_key, content)
    try:
        session.add(dataset)
        session.flush()
    except Exception:
        storage.delete(settings.datasets_bucket, dataset.storage_key)
        raise
    return dataset_out(dataset)


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
        raise HTTPException(409 if dataset.status != "DELETED" else 410, f"dataset {dataset_id} has no data stored")
    media = {"csv": "text/csv", "json": "application/json", "jsonl": "application/x-ndjson"}[dataset.format]
    filename = f"{dataset.id}.{dataset.format}"
    return StreamingResponse(storage.open_stream(settings.datasets_bucket, dataset.storage_key), media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})
