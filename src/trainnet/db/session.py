"""Engine and sessions. SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE so concurrent writers queue
instead of failing; read-only sessions take a plain (deferred) BEGIN, so that in WAL mode a reader sees a
snapshot without waiting for, or holding up, any writer. PostgreSQL needs nothing special."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import TypeVar

import anyio
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker


@lru_cache
def get_engine(url: str) -> Engine:
    """The engine of read-write sessions."""
    return _make_engine(url, read_only=False)


@lru_cache
def _read_only_engine(url: str) -> Engine:
    """On SQLite, reads get an engine of their own: a pool of connections that writers never hold. Sharing one
    pool, a status poll could find every connection taken by reports queued for the write lock and had to open
    one (with its pragmas) while the sweeper held that lock: 50-80 ms stalls every sweep (status-polling bench)."""
    if not _is_sqlite(url):
        return get_engine(url).execution_options(trainnet_read_only=True)
    return _make_engine(url, read_only=True)


def _make_engine(url: str, read_only: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def read_connection(url: str) -> Iterator[Connection]:
    """A plain read-only connection, for hot read paths where an ORM session costs more than the query."""
    with _read_only_engine(url).connect() as connection:
        yield connection


T = TypeVar("T")


@lru_cache
def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


async def run_read(read: Callable[..., T], url: str, *args) -> T:
    """Run a short read for an async route. On SQLite (WAL) it runs right here on the event loop: a reader does
    not wait for locks, and while workers keep the cores busy a hop to a worker thread costs far more than the
    read itself (status polls under training: server-side p99 13 ms inline, 35-60 ms with the hop). A networked
    database would stall the loop for a round trip, so there it runs in a worker thread."""
    if _is_sqlite(url):
        return read(url, *args)
    return await anyio.to_thread.run_sync(partial(read, url, *args))


@lru_cache
def _session_factory(url: str, read_only: bool) -> sessionmaker[Session]:
    return sessionmaker(_read_only_engine(url) if read_only else get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str, read_only: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error. `read_only`: the caller only reads."""
    session = _session_factory(url, read_only)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
