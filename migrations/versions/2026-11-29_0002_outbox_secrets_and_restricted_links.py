"""outbox rows know when they carry a one-time link; themes and audiences in use cannot be deleted

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _relink(table: str, column: str, target: str, ondelete: str | None) -> None:
    name = f"fk_{table}_{column}_{target}"
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(name, type_="foreignkey")
        batch.create_foreign_key(name, target, [column], ["id"], ondelete=ondelete)


def upgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("contains_secret", sa.Boolean(), server_default=sa.false(), nullable=False))
    _relink("proposal_theme", "theme_id", "theme", None)
    _relink("proposal_audience", "audience_id", "audience", None)


def downgrade():
    _relink("proposal_audience", "audience_id", "audience", "CASCADE")
    _relink("proposal_theme", "theme_id", "theme", "CASCADE")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("contains_secret")
