"""Trained models and the selectable model types."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from trainnet.api.deps import SessionDep
from trainnet.api.schemas import Id, ModelOut, ModelTypeOut
from trainnet.db.tables import Model
from trainnet.training.model_zoo import MODEL_TYPES, local_weights

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
