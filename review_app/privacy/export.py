"""Everything held about one person, as JSON: walked from the columns that refer to user.id, so a table added later
is exported (or fails tests/web/test_privacy.py until it is declared left out, with its reason)."""
from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Column, String, Table, and_, cast, or_, select

from ..accounts.models import User
from ..audit.models import AuditEntry
from ..cfp.models import Invitation, Proposal, ProposalSpeaker
from ..db import Base, db
from ..mail.models import OutboxMessage
from ..review.models import Assignment, Bid, Review, Reviewer, ReviewScore

# Columns that never leave the database, whatever table they are in: secrets, and what only they can unlock.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})

# Columns referring to user.id whose rows are deliberately not exported, each with the reason. Every other such
# column is exported: its rows where it holds the person's id, under the table's name.
LEFT_OUT: dict[str, str] = {
    "assignment.created_by_id": "the committee member who assigned a review: a record of committee work on other "
                                "people's proposals (the person's own actions are in their audit entries)",
    "conflict_declaration.declared_by_id": "who recorded another reviewer's conflict: about that reviewer, not the "
                                           "person (their own declarations are exported by user_id)",
    "conflict_override.created_by_id": "who lifted another reviewer's conflict: about that reviewer",
    "decision.decided_by_id": "a decision on someone else's proposal; the person's part is in their audit entries",
    "decision.released_by_id": "who released a decision on someone else's proposal: as decided_by_id",
    "organisation_alias.created_by_id": "two organisation names the committee declared equal: no personal data",
    "schedule_entry.updated_by_id": "who last moved a session in the committee's draft: committee work",
    "schedule_version.released_by_id": "the released programme is the public's (other speakers' names and all); "
                                       "the release itself is in the person's audit entries",
}

# Columns of exported rows that hold other people's data and are left out of those rows.
OTHERS_DATA: dict[str, frozenset[str]] = {
    "invitation": frozenset({"email"}),  # in an invitation the person sent: the invitee's address
}

# Tables reached from the person other than by a user.id column, and how (documented in the export itself).
# Tables reached from the person other than by a user.id column: see _derived.


def user_columns() -> list[Column]:
    """Every column in the schema with a foreign key to user.id."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "user" and fk.column.name == "id" for fk in column.foreign_keys):
                found.append(column)
    return found


def _key(column: Column) -> str:
    return f"{column.table.name}.{column.name}"


def plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _row(table: Table, row, user: User, *, keep: frozenset[str] = frozenset()) -> dict:
    """A row as a dict: no secrets, no other person's id or details (a user.id column holding another id is
    left out)."""
    refs = {c.name for c in table.columns if any(fk.column.table.name == "user" for fk in c.foreign_keys)}
    out = {}
    for column in table.columns:
        name = column.name
        value = getattr(row, name)
        if name in SECRET_COLUMNS or (name in OTHERS_DATA.get(table.name, ()) and name not in keep):
            continue
        if name in refs and value is not None and value != user.id:
            continue
        out[name] = plain(value)
    return out


def _model_row(obj: Base, user: User) -> dict:
    table = obj.__table__
    return _row(table, obj, user)


def _scrub_details(details: dict, user: User) -> dict:
    """An audit row's details without other people's addresses (an invitation the person sent names its invitee)."""
    out = {}
    for key, value in (details or {}).items():
        if isinstance(value, str) and "@" in value and value.lower() != user.email.lower():
            continue
        out[key] = plain(value)
    return out


def personal_data(user: User) -> dict:
    """The person's data: their profile, then per table the rows that refer to them, then what is reached through
    those (proposals, reviews, mails, audit entries about them). Never a password or token hash, never the body
    of a mail that held a one-time link, never another person's address."""
    data: dict[str, Any] = {"profile": _model_row(user, user)}
    data["profile"].pop("password_hash", None)
    declared_out = set(LEFT_OUT)
    by_table: dict[str, list[dict]] = {}
    for column in user_columns():
        if _key(column) in declared_out:
            continue
        table = column.table
        rows = db.session.execute(select(table).where(column == user.id).order_by(*table.primary_key.columns))
        items = by_table.setdefault(table.name, [])
        seen = {tuple(item.get(c.name) for c in table.primary_key.columns) for item in items}
        for row in rows:
            item = _row(table, row, user)
            if table.name == "conflict_declaration" and _declared_by_a_speaker(row):
                # a speaker's declaration naming the person: its reason was written "for the committee only"
                item.pop("reason", None)
            if table.name == "audit_entry":
                item["details"] = _scrub_details(row.details, user)
            pk = tuple(item.get(c.name) for c in table.primary_key.columns)
            if pk not in seen:
                items.append(item)
                seen.add(pk)
    data["tables"] = {name: by_table[name] for name in sorted(by_table)}
    data.update(_derived(user))
    return data


def _declared_by_a_speaker(row) -> bool:
    if row.declared_by_id is None:
        return False
    speaker = select(ProposalSpeaker.id).where(ProposalSpeaker.proposal_id == row.proposal_id,
                                               ProposalSpeaker.user_id == row.declared_by_id)
    return db.session.scalar(speaker) is not None


def _derived(user: User) -> dict[str, list[dict]]:
    proposal_ids = select(ProposalSpeaker.proposal_id).where(ProposalSpeaker.user_id == user.id)
    proposals = [_model_row(p, user) for p in db.session.scalars(
        select(Proposal).where(Proposal.id.in_(proposal_ids)).order_by(Proposal.id))]
    reviewer_ids = select(Reviewer.id).where(Reviewer.user_id == user.id)
    assignment_ids = select(Assignment.id).where(Assignment.reviewer_id.in_(reviewer_ids))
    reviews = list(db.session.scalars(select(Review).where(Review.assignment_id.in_(assignment_ids))
                                      .order_by(Review.id)))
    scores = list(db.session.scalars(select(ReviewScore).where(
        ReviewScore.review_id.in_([r.id for r in reviews] or [-1])).order_by(ReviewScore.review_id,
                                                                              ReviewScore.criterion_id)))
    assignments = list(db.session.scalars(select(Assignment).where(Assignment.id.in_(assignment_ids))
                                          .order_by(Assignment.id)))
    bids = list(db.session.scalars(select(Bid).where(Bid.reviewer_id.in_(reviewer_ids)).order_by(Bid.id)))
    received = [_row(Invitation.__table__, i, user, keep=frozenset({"email"})) for i in db.session.scalars(
        select(Invitation).where(Invitation.email == user.email).order_by(Invitation.id))]
    mails = []
    for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)
                                .order_by(OutboxMessage.id)):
        item = _model_row(m, user)
        if m.contains_secret:  # a one-time link is for the inbox only
            item.pop("body_text", None)
            item.pop("body_html", None)
            item.pop("attachments", None)
        mails.append(item)
    about = []
    details = cast(AuditEntry.details, String)
    # the rows about them: their account as the object, or them named in the details (a role granted to them)
    for entry in db.session.scalars(select(AuditEntry).where(
            or_(and_(AuditEntry.object_type == User.__tablename__, AuditEntry.object_id == user.id),
                details.like(f'%"user_id": {user.id},%'), details.like(f'%"user_id": {user.id}}}%')),
            or_(AuditEntry.actor_id.is_(None), AuditEntry.actor_id != user.id)).order_by(AuditEntry.id)):
        if entry.object_type != User.__tablename__ and (entry.details or {}).get("user_id") != user.id:
            continue
        item = _model_row(entry, user)
        item["details"] = _scrub_details(entry.details, user)
        about.append(item)
    return {"proposals": proposals, "assignments": [_model_row(a, user) for a in assignments],
            "bids": [_model_row(b, user) for b in bids], "reviews": [_model_row(r, user) for r in reviews],
            "review_scores": [_model_row(s, user) for s in scores], "invitations_received": received,
            "mails": mails, "audit_about_you": about}
