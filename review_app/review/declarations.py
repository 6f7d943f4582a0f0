"""Conflicts of interest declared by a speaker: naming a reviewer or committee member who must not judge their
proposal, with a reason, and withdrawing such a declaration. Each change checks its rule, writes an audit row and
flushes; the caller commits."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..audit.models import record
from ..cfp.models import Proposal
from ..db import db
from ..errors import Conflict, DomainError, NotFound
from .models import ConflictDeclaration
from .permissions import check_can_declare_conflict
from .queries import forget_conflicts, review_people


def declarable_people(proposal: Proposal) -> list[User]:
    """The event's reviewers and committee a speaker may name, by name; never the proposal's own speakers."""
    speakers = proposal.speaker_ids()
    return sorted((u for u in review_people(proposal.event) if u.id not in speakers), key=lambda u: (u.name, u.id))


def speaker_declarations(proposal: Proposal) -> list[ConflictDeclaration]:
    """The conflicts the proposal's speakers declared (a reviewer's own declarations stay theirs to see)."""
    speakers = proposal.speaker_ids()
    return [d for d in db.session.scalars(select(ConflictDeclaration)
                                          .where(ConflictDeclaration.proposal_id == proposal.id)
                                          .order_by(ConflictDeclaration.created_at, ConflictDeclaration.id))
            if d.declared_by_id in speakers]


def declare_conflict(proposal: Proposal, user_id: int, reason: str, *, actor: User,
                     now: datetime) -> ConflictDeclaration:
    """A speaker declares that a reviewer or committee member must not review, rank or decide their proposal.

    Side effects: the declaration (the person no longer meets the proposal anywhere), an audit row.
    Refused: someone not a speaker (404), a withdrawn proposal (409), a person who is not among the event's
    reviewers and committee or is a speaker (422), no reason (422), a conflict with that person on record (409).
    """
    check_can_declare_conflict(actor, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the conflict."), 422)
    person = next((u for u in declarable_people(proposal) if u.id == user_id), None)
    if person is None:
        raise DomainError(_("Choose one of the people who review for this event."), 422)
    exists = db.session.scalar(select(ConflictDeclaration.id).where(ConflictDeclaration.user_id == person.id,
                                                                    ConflictDeclaration.proposal_id == proposal.id))
    if exists is not None:
        raise Conflict(_("A conflict of %(name)s with this proposal is already on record.", name=person.name))
    row = ConflictDeclaration(event_id=proposal.event_id, user_id=person.id, proposal_id=proposal.id,
                              declared_by_id=actor.id, reason=reason, created_at=now)
    db.session.add(row)
    db.session.flush()
    forget_conflicts()
    record(actor=actor, action="conflict.declare", obj=row, now=now, user_id=person.id, proposal_id=proposal.id,
           reason=reason)
    return row


def withdraw_declaration(proposal: Proposal, declaration_id: int, *, actor: User, now: datetime) -> User:
    """A speaker takes back a conflict they declared themself (another's declaration looks missing: 404).
    Side effects: the declaration goes, an audit row. Returns the person it named."""
    check_can_declare_conflict(actor, proposal)
    row = db.session.get(ConflictDeclaration, declaration_id)
    if row is None or row.proposal_id != proposal.id or row.declared_by_id != actor.id:
        raise NotFound(_("This declaration does not exist or is not yours."))
    person = row.user
    record(actor=actor, action="conflict.withdraw_declaration", obj=row, now=now, user_id=row.user_id,
           proposal_id=proposal.id, reason=row.reason)
    db.session.delete(row)
    db.session.flush()
    forget_conflicts()
    return person
