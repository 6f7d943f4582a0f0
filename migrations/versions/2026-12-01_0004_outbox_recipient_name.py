"""outbox rows keep the recipient's name, for the display name in the To header

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("recipient_name", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("recipient_name")
