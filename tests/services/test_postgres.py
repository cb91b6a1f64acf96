"""Alembic migrations on a real PostgreSQL: `trainnet db upgrade` builds the schema the models describe, and
running it again (every API start does) changes nothing."""

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from trainnet.db.migrate import alembic_config
from trainnet.db.tables import Base

pytestmark = pytest.mark.services


def upgrade(database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trainnet", "db", "upgrade"],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": database_url},
        timeout=120,
    )


def test_db_upgrade_builds_the_models_schema_on_postgresql_and_is_idempotent(postgres_server):
    url = postgres_server.create_database("trainnet_migrations")
    for _ in range(2):
        result = upgrade(url)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "database is up to date" in result.stderr

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert {"datasets", "tasks", "rounds", "shards", "models", "workers"} <= tables
            [version_table] = [t for t in tables if t.endswith("alembic_version")]
            head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
            assert connection.execute(text(f"select version_num from {version_table}")).scalar_one() == head
            context = MigrationContext.configure(connection, opts={"version_table": version_table})
            differences = compare_metadata(context, Base.metadata)
        assert differences == [], f"the migrations and trainnet.db.tables disagree on PostgreSQL: {differences}"
    finally:
        engine.dispose()
