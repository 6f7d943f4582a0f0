"""The committee's view of conflicts of interest: the list with what each rests on, in the page's language;
lifting a computed conflict with a reason and putting it back; marking two spellings as one organisation and
undoing it. Every change is audited and flushes; the caller commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit.models import record
from ..cfp.models import Proposal
from ..db import db
from ..errors import Conflict, DomainError, NotFound
from ..events.models import Event
from . import conflicts as rules
from .models import ConflictOverride, OrganisationAlias
from .queries import conflict_map, forget_conflicts, is_conflicted
from .reviewers import check_committee

REASON_LABELS = {
    rules.Reason.speaker: _l("Speaker or co-speaker of the proposal"),
    rules.Reason.declared: _l("Declared conflict"),
    rules.Reason.organisation: _l("Same organisation"),
    rules.Reason.city: _l("Same city (public body)"),
    rules.Reason.email_domain: _l("Same email domain"),
}


@dataclass
class ConflictRow:
    user: User
    proposal: Proposal
    conflict: rules.Conflict
    detail: str = ""  # what the conflict rests on, in the page's language, people by name

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS[self.conflict.reason])

    @property
    def overridable(self) -> bool:
        return self.conflict.reason in rules.OVERRIDABLE and not self.conflict.overridden


def describe(conflict: rules.Conflict, names: dict[int, str]) -> str:
    """A conflict's matches in the page's language, naming people by `names` (user id → name)."""
    parts = []
    for m in conflict.matches:
        name = names.get(m.person_id, "?")
        if m.source == "self":
            parts.append(_("speaker of this proposal"))
        elif m.source == "speaker":
            parts.append(_("%(name)s: “%(text)s”", name=name, text=m.text))
        elif m.source == "project" and m.field == "organisation":
            parts.append(_("the project's organisation: “%(text)s”", text=m.text))
        elif m.source == "project":
            parts.append(_("the project's city: “%(text)s”", text=m.text))
        else:
            who = (_("declared by the person themself") if m.field == "reviewer" else
                   _("declared by the speaker %(name)s", name=name) if m.field == "speaker" else
                   _("declared by %(name)s", name=name))
            parts.append(f"{who}: {m.text}" if m.text else who)
    text = "; ".join(parts)
    return _("“%(own)s” matches %(matches)s", own=conflict.own, matches=text) if conflict.own else text


def conflict_rows(event: Event) -> list[ConflictRow]:
    """Every conflict of the event's reviewers and committee, overridden ones included, by proposal and person."""
    found = conflict_map(event, include_overridden=True)
    user_ids = {uid for uid, _ in found} | {m.person_id for cs in found.values() for c in cs for m in c.matches
                                            if m.person_id is not None}
    proposal_ids = sorted({pid for _, pid in found})
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(sorted(user_ids))))}
    names = {uid: u.name for uid, u in users.items()}
    proposals = {p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(proposal_ids)))}
    rows = [ConflictRow(users[uid], proposals[pid], c, describe(c, names)) for (uid, pid), cs in found.items()
            for c in cs]
    order = list(rules.Reason)
    return sorted(rows, key=lambda r: (r.proposal.id, r.user.name, r.user.id, order.index(r.conflict.reason)))


def override_conflict(event: Event, user_id: int, proposal_id: int, reason: str, *, actor: User,
                      now: datetime) -> ConflictOverride:
    """Lift the computed conflicts (organisation, city, mail domain) of one person and proposal, with a reason.
    Speaker and declared conflicts stay. Side effects: audit row."""
    check_committee(actor, event)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for lifting the conflict."), 422)
    user = db.session.get(User, user_id)
    found = conflict_map(event, [user]).get((user_id, proposal_id), []) if user is not None else []
    if not any(c.reason in rules.OVERRIDABLE for c in found):
        raise DomainError(_("There is no conflict here that can be lifted: a speaker's or a declared conflict "
                            "always stays."), 409)
    row = ConflictOverride(event_id=event.id, user_id=user_id, proposal_id=proposal_id, reason=reason,
                           created_by_id=actor.id, created_at=now)
    db.session.add(row)
    db.session.flush()
    forget_conflicts()
    record(actor=actor, action="conflict.override", obj=row, now=now, user_id=user_id, proposal_id=proposal_id,
           reasons=[c.reason.value for c in found if c.reason in rules.OVERRIDABLE], reason=reason)
    return row


def restore_conflict(event: Event, override_id: int, *, actor: User, now: datetime) -> None:
    """Take back a lifted conflict: the conflict is in force again. Side effects: audit row."""
    check_committee(actor, event)
    row = db.session.get(ConflictOverride, override_id)
    if row is None or row.event_id != event.id or is_conflicted(event, actor, row.proposal_id):
        raise NotFound(_("This page does not exist or is not visible to you."))
    record(actor=actor, action="conflict.restore", obj=row, now=now, user_id=row.user_id,
           proposal_id=row.proposal_id, reason=row.reason)
    db.session.delete(row)
    db.session.flush()
    forget_conflicts()


def overrides_of(event: Event) -> dict[tuple[int, int], ConflictOverride]:
    """(user id, proposal id) → the committee's override of that pair."""
    return {(o.user_id, o.proposal_id): o for o in db.session.scalars(
        select(ConflictOverride).where(ConflictOverride.event_id == event.id))}


def add_alias(event: Event, name_a: str, name_b: str, *, actor: User, now: datetime) -> OrganisationAlias:
    """Two spellings of one organisation ("Stadt Herne", "Stadtverwaltung Herne"). Side effects: audit row."""
    check_committee(actor, event)
    first, second = sorted(((name_a or "").strip(), (name_b or "").strip()))
    if not rules.normalise(first) or not rules.normalise(second):
        raise DomainError(_("Give both spellings of the organisation."), 422)
    if rules.normalise(first) == rules.normalise(second):
        raise DomainError(_("These spellings are already compared as the same organisation."), 422)
    exists = db.session.scalar(select(OrganisationAlias.id).where(
        OrganisationAlias.event_id == event.id, OrganisationAlias.name_a == first, OrganisationAlias.name_b == second))
    if exists is not None:
        raise Conflict(_("These spellings are already marked as the same organisation."))
    row = OrganisationAlias(event_id=event.id, name_a=first, name_b=second, created_by_id=actor.id, created_at=now)
    db.session.add(row)
    db.session.flush()
    forget_conflicts()
    record(actor=actor, action="organisation_alias.create", obj=row, now=now, name_a=first, name_b=second)
    return row


def remove_alias(event: Event, alias_id: int, *, actor: User, now: datetime) -> OrganisationAlias:
    """The two spellings count as different organisations again. Side effects: audit row."""
    check_committee(actor, event)
    row = db.session.get(OrganisationAlias, alias_id)
    if row is None or row.event_id != event.id:
        raise NotFound(_("This page does not exist or is not visible to you."))
    record(actor=actor, action="organisation_alias.delete", obj=row, now=now, name_a=row.name_a, name_b=row.name_b)
    db.session.delete(row)
    db.session.flush()
    forget_conflicts()
    return row


def aliases_of(event: Event) -> list[OrganisationAlias]:
    return list(db.session.scalars(select(OrganisationAlias).where(OrganisationAlias.event_id == event.id)
                                   .order_by(OrganisationAlias.name_a, OrganisationAlias.name_b)))
