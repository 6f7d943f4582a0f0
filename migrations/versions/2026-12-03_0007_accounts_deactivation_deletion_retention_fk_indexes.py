"""accounts: deactivation and deletion (DSGVO), a login's last request; proposals: retention; released versions:
when a deletion revised them; an index on every foreign key and on the audit log's object

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:08:29.487843

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)

    with op.batch_alter_table('format_venue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_format_venue_venue_id'), ['venue_id'], unique=False)

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_accepted_by_id'), ['accepted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_invited_by_id'), ['invited_by_id'], unique=False)

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_proposal_format_id'), ['format_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_main_theme_id'), ['main_theme_id'], unique=False)

    with op.batch_alter_table('proposal_audience', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_audience_audience_id'), ['audience_id'], unique=False)

    with op.batch_alter_table('proposal_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_theme_theme_id'), ['theme_id'], unique=False)

    with op.batch_alter_table('room_format', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_format_format_id'), ['format_id'], unique=False)

    with op.batch_alter_table('schedule_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revised_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('travel_time', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_travel_time_venue_b_id'), ['venue_b_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('deactivated_at')

    with op.batch_alter_table('schedule_version', schema=None) as batch_op:
        batch_op.drop_column('revised_at')

    with op.batch_alter_table('travel_time', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_travel_time_venue_b_id'))

    with op.batch_alter_table('room_format', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_format_format_id'))

    with op.batch_alter_table('proposal_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_theme_theme_id'))

    with op.batch_alter_table('proposal_audience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_audience_audience_id'))

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_main_theme_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_format_id'))
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_event_id'))

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_invited_by_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_accepted_by_id'))

    with op.batch_alter_table('format_venue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_format_venue_venue_id'))

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_object')
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor_id'))

