"""Trained models, the selectable model types, and predictions of a trained classifier."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import cast

from fastapi import APIRouter, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import UploadFile as FormFile  # what request.form() holds

from trainnet.api.deps import PredictorsDep, SessionDep, SettingsDep, StorageDep
from trainnet.api.routes.datasets import read_upload
from trainnet.api.schemas import Id, ModelOut, ModelTypeOut, PredictRequest, PredictResponse
from trainnet.data.examples import KINDS, ColumnMapping, TooLarge, table_inputs
from trainnet.data.parsing import FORMATS, DatasetError, parse_table
from trainnet.db.session import session_scope
from trainnet.db.tables import Model, Task
from trainnet.federated.coordinator import task_id_for
from trainnet.models.cache import ModelCache
from trainnet.settings import Settings
from trainnet.status import TaskStatus
from trainnet.storage import Storage
from trainnet.training.model_zoo import MODEL_TYPES, local_weights
from trainnet.training.params import TrainingParams

router = APIRouter(tags=["models"])


def model_out(m: Model) -> ModelOut:
    return ModelOut(
        model_id=m.id,
        task_id=m.task_id,
        model_type=m.model_type,
        metrics=m.metrics,
        size=m.size_bytes,
        created_at=m.created_at,
        download_url=f"/api/tasks/{m.task_id}/download_model",
    )


@router.get("/models", response_model=list[ModelOut])
def list_models(session: SessionDep, limit: int = 100) -> list[ModelOut]:
    query = select(Model).order_by(Model.created_at.desc()).limit(max(1, min(limit, 1000)))
    return [model_out(m) for m in session.scalars(query)]


@router.get("/models/{model_id}", response_model=ModelOut)
def read_model(model_id: Id, session: SessionDep) -> ModelOut:
    model = session.get(Model, model_id)
    if model is None:
        raise HTTPException(404, f"model {model_id} not found")
    return model_out(model)


@router.get("/model_types", response_model=list[ModelTypeOut])
def list_model_types() -> list[ModelTypeOut]:
    return [
        ModelTypeOut(
            model_type=m.name,
            kind=m.kind,
            description=m.description,
            default_source=m.default_source,
            pretrained_available=local_weights(m) is not None,
        )
        for m in MODEL_TYPES.values()
    ]


@dataclass(frozen=True)
class PredictTarget:
    """A finished classifier as the predict API needs it."""

    model_id: str
    kind: str
    archive_key: str
    max_length: int


def predict_target(url: str, model_id: str) -> PredictTarget:
    """The model to predict with: 404 unknown, 409 while its task runs or when it is not a classifier."""
    with session_scope(url, read_only=True) as session:
        model = session.get(Model, model_id)
        task = session.get(Task, model.task_id if model else task_id_for(model_id))
        if task is None:
            raise HTTPException(404, f"model {model_id} not found")
        if model is None or task.status != TaskStatus.DONE:
            raise HTTPException(409, f"model {model_id} is not ready: its task {task.id} is {task.status}")
        if task.kind not in KINDS:
            raise HTTPException(409, f"model {model_id} is not a classifier")
        return PredictTarget(model.id, task.kind, model.storage_key, TrainingParams.from_dict(task.params).max_length)


def predictor(target: PredictTarget, settings: Settings, storage: Storage, cache: ModelCache):
    """The loaded model, from the API's cache or from storage (torch is imported on first use: the API starts
    without it)."""
    from trainnet.training.predict import Predictor

    def load() -> Predictor:
        if settings.torch_threads:  # as a worker's: TRAINNET_TORCH_THREADS bounds what inference takes
            import torch

            torch.set_num_threads(settings.torch_threads)
        archive = storage.get_bytes(settings.models_bucket, target.archive_key)
        return Predictor.from_archive(archive, target.kind, target.max_length)

    return cache.get(target.model_id, load)


def checked(values: list, target: PredictTarget, settings: Settings, max_count: int) -> list:
    """`training.predict.checked_inputs`, its errors as 413 (over a bound) or 422."""
    from trainnet.training.predict import checked_inputs

    try:
        return checked_inputs(
            target.kind, values, max_count, settings.predict_max_text_chars, settings.predict_max_image_pixels
        )
    except TooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except DatasetError as exc:
        raise HTTPException(422, str(exc)) from None


def predict_values(
    target: PredictTarget, values: list, top_k: int, settings: Settings, storage: Storage, cache: ModelCache
) -> list[list[dict]]:
    """The `top_k` labels of each input (texts, base64 images, or an image file's bytes)."""
    from trainnet.training.predict import top_labels

    inputs = checked(values, target, settings, settings.predict_max_inputs)
    model = predictor(target, settings, storage, cache)
    return top_labels(model.probabilities(inputs), model.labels, top_k)


def score_file(
    target: PredictTarget, file: UploadFile, mapping: ColumnMapping, settings: Settings, storage: Storage, cache
) -> bytes:
    """The uploaded table as CSV with `prediction` and `score` columns."""
    from trainnet.training.predict import scored_csv

    content = read_upload(file, settings.max_upload_bytes)
    try:
        table = parse_table(
            content,
            file.filename or "",
            settings.max_columns,
            max_cell_chars=settings.max_cell_chars,
            max_rows=settings.max_rows,
        )
        values = table_inputs(table, target.kind, mapping)
    except DatasetError as exc:
        raise HTTPException(422, f"{file.filename}: {exc}") from None
    inputs = checked(values, target, settings, settings.predict_max_rows)
    model = predictor(target, settings, storage, cache)
    return scored_csv(table, model.probabilities(inputs), model.labels)


PREDICT_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "one PNG/JPEG image, or a CSV/JSON/JSONL table"},
        "top_k": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 3},
        "text_column": {"type": "string", "description": "a table's text column (default: text)"},
        "image_column": {"type": "string", "description": "a table's base64 image column (default: image)"},
    },
}
PREDICT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": PredictRequest.model_json_schema()},
            "multipart/form-data": {"schema": PREDICT_FORM},
        },
    }
}
PREDICT_RESPONSES: dict[int | str, dict] = {
    200: {
        "description": "the top labels per input; for a table, the table back as CSV with prediction and score",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    404: {"description": "no such model"},
    409: {"description": "the model's task is not done, or the model is not a classifier"},
    413: {"description": "too many inputs, or an input over its bound"},
    422: {"description": "an input that cannot be used"},
}


@router.post(
    "/models/{model_id}/predict",
    response_model=PredictResponse,
    responses=PREDICT_RESPONSES,
    openapi_extra=PREDICT_BODY,
)
async def predict(
    model_id: Id, request: Request, settings: SettingsDep, storage: StorageDep, predictors: PredictorsDep
):
    """Scores of a finished classifier: JSON `{"inputs": [...], "top_k": 3}` (texts, or base64 PNG/JPEG images),
    or a multipart `file`: one image (JSON scores), or a CSV/JSON/JSONL table in an upload's format, returned as
    CSV with `prediction` and `score` columns. Inference runs in a worker thread, never on the event loop."""
    target = await run_in_threadpool(predict_target, settings.sqlalchemy_url, model_id)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await predict_form(request, target, settings, storage, predictors)
    try:
        body = PredictRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None
    inputs, top_k = body.inputs, body.top_k
    predictions = await run_in_threadpool(predict_values, target, inputs, top_k, settings, storage, predictors)
    return PredictResponse.model_validate({"predictions": predictions})


async def predict_form(request: Request, target: PredictTarget, settings: Settings, storage: Storage, predictors):
    """The multipart form of `predict`: one image, or a table to score."""
    async with request.form(max_files=1, max_fields=8) as form:
        field = form.get("file")
        if not isinstance(field, FormFile):
            raise HTTPException(422, "send the image or the table to score as the multipart field `file`")
        file = cast(UploadFile, field)  # FastAPI's UploadFile only adds schema hooks to Starlette's
        top_k = form_top_k(form.get("top_k"))
        name = PurePath(file.filename or "")
        if name.suffix.lower().lstrip(".") in FORMATS:
            mapping = ColumnMapping(
                text_column=str(form.get("text_column") or "") or None,
                image_column=str(form.get("image_column") or "") or None,
            )
            content = await run_in_threadpool(score_file, target, file, mapping, settings, storage, predictors)
            disposition = f'attachment; filename="{safe_filename(name.stem)}-predictions.csv"'
            return Response(content, media_type="text/csv", headers={"Content-Disposition": disposition})
        if target.kind != "image":
            raise HTTPException(
                422,
                f"model {target.model_id} classifies text: send JSON inputs, or a .csv, .json or .jsonl file to score",
            )
        image = await run_in_threadpool(read_upload, file, settings.max_upload_bytes)
        predictions = await run_in_threadpool(predict_values, target, [image], top_k, settings, storage, predictors)
    return PredictResponse.model_validate({"predictions": predictions})


def form_top_k(value) -> int:
    if value is None or value == "":
        return 3
    try:
        top_k = int(str(value))
    except ValueError:
        raise HTTPException(422, f"top_k must be an integer, not {str(value)[:50]!r}") from None
    if not 1 <= top_k <= 1000:
        raise HTTPException(422, "top_k must be from 1 to 1000")
    return top_k


def safe_filename(stem: str) -> str:
    """A file name stem safe inside a quoted Content-Disposition header (ASCII: headers are Latin-1)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in stem)[:100] or "predictions"
