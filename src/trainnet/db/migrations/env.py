from alembic import context

from trainnet.db.session import get_engine
from trainnet.db.tables import Base

config = context.config
# Optuna keeps its own Alembic history in `alembic_version` of the same database (LoRA studies live there).
VERSION_TABLE = "trainnet_alembic_version"
url = config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(
        url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True, version_table=VERSION_TABLE
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = get_engine(url)
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True, version_table=VERSION_TABLE
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
