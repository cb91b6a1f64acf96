"""Dependencies shared by the routes: settings, a database session, storage, the dispatcher, the loaded models
(classifiers to predict with, LoRA adapters of the playground), worker auth."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from trainnet.db.session import session_scope
from trainnet.dispatch.sender import CeleryDispatcher
from trainnet.lora.playground import AdapterModel
from trainnet.models.cache import ModelCache
from trainnet.settings import Settings
from trainnet.storage import Storage


# The dependencies that only read app state are `async def`: a plain `def` would cost a worker-thread round trip
# on every request.
async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(settings: SettingsDep, request: Request) -> Iterator[Session]:
    # GET routes only read: they must never queue behind (or hold up) the writers of worker reports.
    with session_scope(settings.sqlalchemy_url, read_only=request.method in ("GET", "HEAD")) as session:
        yield session


# scope="function": commit before the response is sent, so a client that got 201 can use what it created at
# once (FastAPI's default for yield dependencies commits after the response: a read-after-write race).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_storage(request: Request) -> Storage:
    return request.app.state.storage


StorageDep = Annotated[Storage, Depends(get_storage)]


async def get_dispatcher(request: Request) -> CeleryDispatcher:
    return request.app.state.dispatcher


DispatcherDep = Annotated[CeleryDispatcher, Depends(get_dispatcher)]


async def get_predictors(request: Request) -> ModelCache:
    """The classifiers the predict API has loaded (`training.predict.Predictor`s), least recently used first out."""
    return request.app.state.predictors


PredictorsDep = Annotated[ModelCache, Depends(get_predictors)]


async def get_lora_playground(request: Request) -> ModelCache[AdapterModel]:
    """The LoRA adapters the playground has loaded on their base models, by job id."""
    return request.app.state.lora_playground


LoraPlaygroundDep = Annotated[ModelCache[AdapterModel], Depends(get_lora_playground)]


def require_worker(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Worker-only endpoints need `Authorization: Bearer <TRAINNET_WORKER_TOKEN>` (compared in constant time)."""
    expected = request.app.state.worker_token.encode()
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
        raise HTTPException(
            401,
            "this endpoint is for workers: send Authorization: Bearer <TRAINNET_WORKER_TOKEN>",
            headers={"WWW-Authenticate": "Bearer"},
        )


WorkerAuth = Depends(require_worker)
