"""SQLite sessions: writers queue on BEGIN IMMEDIATE, readers never wait for them."""

import sqlite3
import threading
import time

import anyio
import pytest
from sqlalchemy import select, text

from trainnet.db.migrate import upgrade
from trainnet.db.session import read_connection, run_read, session_scope
from trainnet.db.tables import Dataset


def test_readers_do_not_wait_for_a_writer_holding_the_lock(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    with session_scope(url) as session:
        session.add(Dataset(id="ds_1", name="old.csv", format="csv"))
    with session_scope(url) as writer:  # holds SQLite's write lock until the block ends
        writer.get(Dataset, "ds_1").name = "new.csv"
        writer.flush()
        started = time.monotonic()
        with session_scope(url, read_only=True) as reader:
            assert reader.get(Dataset, "ds_1").name == "old.csv"  # the last committed snapshot
        with read_connection(url) as connection:
            assert connection.execute(select(Dataset.name)).scalar_one() == "old.csv"
        assert time.monotonic() - started < 1.0  # a BEGIN IMMEDIATE here would wait out the 30 s busy timeout


def test_sessions_that_may_write_take_the_write_lock_when_they_begin(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    with session_scope(url) as session:
        session.execute(text("select 1"))  # only a read so far, yet the lock is taken: writers queue up front
        other = session.get_bind().raw_connection()
        try:
            other.driver_connection.execute("PRAGMA busy_timeout=0")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.driver_connection.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_short_reads_run_on_the_event_loop_for_sqlite_and_in_a_worker_thread_otherwise():
    def thread_of_the_read(url):
        return threading.get_ident()

    assert anyio.run(run_read, thread_of_the_read, "sqlite:///x.db") == threading.get_ident()
    assert anyio.run(run_read, thread_of_the_read, "postgresql+psycopg://u@db/trainnet") != threading.get_ident()
