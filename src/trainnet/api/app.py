"""Build the FastAPI application: routers under /api, upload limits and the web UI. (The sweeper that repairs
lost work runs beside it, in its own process: `trainnet/sweeper.py`.)"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from trainnet import __version__
from trainnet.api.routes import datasets, health, lora, models, tasks, workers
from trainnet.data.parsing import megabytes
from trainnet.db.migrate import upgrade
from trainnet.dispatch.sender import CeleryDispatcher
from trainnet.models.cache import ModelCache
from trainnet.settings import MB, Settings, get_settings
from trainnet.storage import StorageError, make_storage

log = logging.getLogger("trainnet.api")
MULTIPART_OVERHEAD = 64 * 1024


class BodyTooLarge(Exception):
    pass


class UploadLimit:
    """Refuse request bodies over `limit` while they stream in, so the server never holds more than it.

    The cut-off surfaces inside the app as an exception from `receive`, which FastAPI's body parsing turns into
    its own 400; once the limit is crossed, whatever the app answers is dropped and the 413 is sent instead, after
    the rest of the body is read and dropped (up to `drain` bytes): a client that sends its whole body before it
    reads (Python's urllib and requests) finds the connection reset, and never sees the answer, when a server
    closes it on unread data. A body larger than `drain` is cut off all the same.
    """

    def __init__(self, app, limit: int, drain: int, shown_limit: int):
        self.app, self.limit, self.drain, self.shown_limit = app, limit, drain, shown_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            drained = int(declared) <= self.drain and await _drain(receive, 0, self.drain)
            return await _too_large(self.shown_limit, send, close=not drained)
        seen, over, finished, started = 0, False, False, False

        async def limited_receive():
            nonlocal seen, over, finished
            if over:
                raise BodyTooLarge()
            message = await receive()
            seen += len(message.get("body", b""))
            finished = message["type"] != "http.request" or not message.get("more_body", False)
            if seen > self.limit:
                over = True
                raise BodyTooLarge()
            return message

        async def guarded_send(message):
            nonlocal started
            if over:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            drained = finished or await _drain(receive, seen, self.drain)
            await _too_large(self.shown_limit, send, close=not drained)


async def _drain(receive, seen: int, bound: int) -> bool:
    """Read and drop the rest of a request body; False when it runs past `bound` bytes (or the client left)."""
    while seen <= bound:
        message = await receive()
        if message["type"] != "http.request":
            return False
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
    return False


async def _too_large(limit: int, send, close: bool = False):
    response = JSONResponse(
        {"detail": f"request body is larger than the {megabytes(limit)} upload limit"},
        413,
        headers={"Connection": "close"} if close else None,
    )
    await response({"type": "http"}, None, send)  # type: ignore[arg-type]  # the body is never read


def create_app(settings: Settings | None = None, celery_app=None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        upgrade(settings.sqlalchemy_url)
        yield

    app = FastAPI(
        title="TrainNet",
        version=__version__,
        lifespan=lifespan,
        description="Train and fine-tune models without writing code.",
    )
    if celery_app is None:
        from trainnet.worker.celery_app import make_celery

        celery_app = make_celery(settings)
    app.state.settings = settings
    app.state.storage = make_storage(settings)
    app.state.dispatcher = CeleryDispatcher(celery_app)
    app.state.worker_token = settings.resolved_worker_token()
    app.state.predictors = ModelCache(settings.predict_cached_models)
    app.state.lora_playground = ModelCache(2)  # two small LMs with their adapters

    for module in (health, datasets, tasks, models, workers, lora):
        app.include_router(module.router, prefix="/api")

    @app.exception_handler(StorageError)
    async def _storage_error(_request: Request, exc: StorageError):
        return JSONResponse({"detail": str(exc)}, 404)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"], allow_headers=["*"]
        )
    app.add_middleware(
        UploadLimit,
        limit=settings.max_upload_bytes + MULTIPART_OVERHEAD,
        drain=int(settings.max_upload_drain_mb * MB),
        shown_limit=settings.max_upload_bytes,
    )
    mount_web(app, settings.web_dir)
    app.openapi = lambda: _openapi_with_message_errors(app)  # type: ignore[method-assign]  # FastAPI's documented hook
    return app


def _openapi_with_message_errors(app: FastAPI) -> dict:
    """Our 4xx responses carry `detail` as a message naming the problem; FastAPI's request validation errors
    carry a list. Document both, so the schema tells clients the truth."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        detail = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError", {}).get("properties", {})
        if "detail" in detail:
            detail["detail"] = {"anyOf": [{"type": "string"}, detail["detail"]], "title": "Detail"}
        app.openapi_schema = schema
    return app.openapi_schema


def mount_web(app: FastAPI, web_dir: Path) -> None:
    """Serve the built web UI with a fallback to index.html for client-side routes."""
    index = web_dir / "index.html"
    if (web_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=web_dir / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def web(path: str):
        if path.startswith("api/") or path == "api":
            return JSONResponse({"detail": f"no API endpoint /{path}"}, 404)
        if not index.is_file():
            return HTMLResponse(
                "<h1>TrainNet API is running</h1><p>The web UI is not built: run <code>make install</code> "
                "(needs npm). The API is at <a href='/docs'>/docs</a>.</p>",
                200,
            )
        candidate = (web_dir / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(web_dir.resolve()):
            return FileResponse(candidate)
        return FileResponse(index)
