"""texts the committee writes in German and English; the event's colour; privacy consent; declined invitations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

The single-language `motto` and `description` columns become the German version (`*_de`) and get an English
sibling (`*_en`, empty); the texts keep their content. Invitations may now be declined by the invitee.
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DESCRIBED = ["event", "venue", "theme", "session_format", "review_criterion"]
INVITATION_STATES = {"old": ("pending", "accepted"), "new": ("pending", "accepted", "declined")}


def _texts(table: str, name: str, *, upgrade: bool, type_) -> None:
    with op.batch_alter_table(table) as batch:
        if upgrade:
            batch.alter_column(name, new_column_name=f"{name}_de", existing_type=type_, existing_nullable=False)
            batch.add_column(sa.Column(f"{name}_en", type_, nullable=False, server_default=""))
        else:
            batch.drop_column(f"{name}_en")
            batch.alter_column(f"{name}_de", new_column_name=name, existing_type=type_, existing_nullable=False)


def _invitation_states(states: tuple[str, ...]) -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_constraint(op.f("ck_invitation_invitation_state"), type_="check")
        batch.create_check_constraint("invitation_state", sa.column("state").in_(states))


def upgrade():
    for table in DESCRIBED:
        _texts(table, "description", upgrade=True, type_=sa.Text())
    _texts("event", "motto", upgrade=True, type_=sa.String(200))
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("colour", sa.String(7), nullable=False, server_default="#00527a"))
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("privacy_consented_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("declined_at", sa.DateTime(), nullable=True))
    _invitation_states(INVITATION_STATES["new"])


def downgrade():
    op.execute("DELETE FROM invitation WHERE state = 'declined'")
    _invitation_states(INVITATION_STATES["old"])
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("declined_at")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("privacy_consented_at")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("colour")
    _texts("event", "motto", upgrade=False, type_=sa.String(200))
    for table in DESCRIBED:
        _texts(table, "description", upgrade=False, type_=sa.Text())
