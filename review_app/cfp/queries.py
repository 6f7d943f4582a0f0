"""Loading proposals for pages in a constant number of queries, always scoped to one event."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import db
from ..events.models import Event
from .models import Proposal, ProposalSpeaker


def _with_page_data(stmt):
    return stmt.options(
        selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
        selectinload(Proposal.format),
        selectinload(Proposal.main_theme),
        selectinload(Proposal.further_themes),
        selectinload(Proposal.audiences),
        selectinload(Proposal.availability),
        selectinload(Proposal.invitations),
    )


def get_event_proposal(event: Event, proposal_id: int) -> Proposal | None:
    """A proposal of this event only: an id from another event is as good as missing."""
    return db.session.scalar(_with_page_data(select(Proposal).where(Proposal.id == proposal_id,
                                                                    Proposal.event_id == event.id)))


def proposals_of_speaker(user_id: int, event: Event | None = None) -> list[Proposal]:
    stmt = (select(Proposal).join(ProposalSpeaker).where(ProposalSpeaker.user_id == user_id)
            .options(selectinload(Proposal.event), selectinload(Proposal.format), selectinload(Proposal.main_theme),
                     selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user))
            .order_by(Proposal.event_id.desc(), Proposal.updated_at.desc(), Proposal.id.desc()))
    if event is not None:
        stmt = stmt.where(Proposal.event_id == event.id)
    return list(db.session.scalars(stmt))


def proposals_of_event(event: Event) -> list[Proposal]:
    stmt = (select(Proposal).where(Proposal.event_id == event.id)
            .options(selectinload(Proposal.format), selectinload(Proposal.main_theme),
                     selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user))
            .order_by(Proposal.id))
    return list(db.session.scalars(stmt))
