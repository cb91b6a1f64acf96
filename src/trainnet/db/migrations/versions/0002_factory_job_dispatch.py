"""record the dispatch of dataset-factory and LoRA jobs, so the sweeper can re-send them

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as table:
        table.add_column(sa.Column("job", sa.JSON(), nullable=True))
        table.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("lora_jobs") as table:
        table.add_column(sa.Column("job", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lora_jobs") as table:
        table.drop_column("job")
    with op.batch_alter_table("datasets") as table:
        table.drop_column("dispatched_at")
        table.drop_column("job")
