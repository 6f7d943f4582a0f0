"""Assigning reviewers to proposals: by hand (each pair checked: conflicts, themes, languages, load cap) and
automatically through the solver in `assignment`; one mail per reviewer lists the new assignments. Every change
is audited and flushes; the caller commits."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..audit.models import record
from ..cfp.models import LANGUAGE_LABELS, Proposal, ProposalState
from ..db import db
from ..errors import Conflict, DomainError, NotFound
from ..events.models import Event, EventRole, Role
from ..mail.services import absolute_url, queue_mail
from . import assignment as solver
from .models import Assignment, Bid, BidLevel, Reviewer, ReviewState
from .queries import conflict_map, conflicted_proposal_ids, settings_of
from .reviewers import ReviewerRow, _cap, _roles, check_committee, ensure_reviewer, reviewer_rows


def _mail_assignments(event: Event, new: dict[Reviewer, list[Proposal]], *, now: datetime) -> None:
    """One mail per reviewer listing their new assignments (titles only: no speaker identity)."""
    link = absolute_url("review.reviewing")
    for reviewer, proposals in new.items():
        user = reviewer.user
        queue_mail(template="review_assignments", recipient=user.email, language=user.language, now=now,
                   event_id=event.id, user=user, event=event, proposals=sorted(proposals, key=lambda p: p.id),
                   link=link)


def check_assignable(event: Event, reviewer: Reviewer, proposal: Proposal) -> None:
    """Refuse, saying why, a pair the committee may not make: a conflict, a theme outside the reviewer's limits,
    a proposal not under review, or a pair that exists already."""
    if proposal.event_id != event.id or reviewer.event_id != event.id:
        raise NotFound(_("This page does not exist or is not visible to you."))
    if proposal.state is not ProposalState.under_review:
        raise DomainError(_("Only proposals under review can be assigned."), 409)
    if Role.reviewer not in _roles(event, reviewer.user):
        raise DomainError(_("%(name)s is no longer a reviewer of this event.", name=reviewer.user.name), 422)
    bid = db.session.scalar(select(Bid.level).where(Bid.reviewer_id == reviewer.id, Bid.proposal_id == proposal.id))
    if proposal.id in conflicted_proposal_ids(event, reviewer.user) or bid is BidLevel.conflict:
        raise DomainError(_("%(name)s has a conflict of interest with this proposal and cannot review it.",
                            name=reviewer.user.name), 422)
    limited = {t.id for t in reviewer.limited_themes}
    if limited and proposal.main_theme_id not in limited:
        raise DomainError(_("%(name)s reviews only some themes, and this proposal's main theme is not among them.",
                            name=reviewer.user.name), 422)
    if reviewer.language_set and proposal.language not in reviewer.language_set:
        raise DomainError(_("%(name)s does not review in %(language)s, the language of this proposal.",
                            name=reviewer.user.name, language=LANGUAGE_LABELS[proposal.language]), 422)
    if db.session.scalar(select(Assignment.id).where(Assignment.reviewer_id == reviewer.id,
                                                     Assignment.proposal_id == proposal.id)) is not None:
        raise Conflict(_("%(name)s is already assigned to this proposal.", name=reviewer.user.name))
    load = db.session.scalar(select(func.count(Assignment.id)).where(Assignment.reviewer_id == reviewer.id))
    cap = _cap(reviewer, settings_of(event))
    if load >= cap:
        raise DomainError(ngettext("%(name)s has reached the load cap of %(num)d review; raise the cap on the "
                                   "reviewers page first.",
                                   "%(name)s has reached the load cap of %(num)d reviews; raise the cap on the "
                                   "reviewers page first.", cap, name=reviewer.user.name), 409)


def assign(event: Event, reviewer: Reviewer, proposal: Proposal, *, actor: User, now: datetime) -> Assignment:
    """Assign one reviewer to one proposal by hand. Side effects: audit row, a mail to the reviewer."""
    check_committee(actor, event)
    check_assignable(event, reviewer, proposal)
    row = Assignment(reviewer_id=reviewer.id, proposal_id=proposal.id, automatic=False, created_by_id=actor.id,
                     created_at=now, reviewer=reviewer, proposal=proposal)
    db.session.add(row)
    db.session.flush()
    record(actor=actor, action="assignment.create", obj=row, now=now, event_id=event.id, proposal_id=proposal.id,
           reviewer_id=reviewer.id, user_id=reviewer.user_id)
    _mail_assignments(event, {reviewer: [proposal]}, now=now)
    return row


def unassign(event: Event, row: Assignment, *, actor: User, now: datetime) -> None:
    """Take an assignment back, with its draft review; a submitted review keeps it (409). Side effects: audit row."""
    check_committee(actor, event)
    if row.review is not None and row.review.state is ReviewState.submitted:
        raise Conflict(_("This reviewer has already submitted the review; the assignment stays."))
    record(actor=actor, action="assignment.delete", obj=row, now=now, event_id=event.id,
           proposal_id=row.proposal_id, reviewer_id=row.reviewer_id, user_id=row.reviewer.user_id)
    db.session.delete(row)
    db.session.flush()


@dataclass
class AutoResult:
    assigned: dict[Reviewer, list[Proposal]]
    shortfalls: list[tuple[Proposal, str]]
    count: int


def shortfall_text(shortfall: solver.Shortfall) -> str:
    missing = ngettext("%(num)d review missing", "%(num)d reviews missing", shortfall.missing)
    if shortfall.reason == "no_eligible_reviewer":
        why = _("no reviewer fits its theme and language")
    elif shortfall.reason == "all_conflicted":
        why = _("every fitting reviewer has a conflict of interest")
    elif shortfall.reason == "too_few_eligible":
        why = ngettext("only %(num)d fitting reviewer without conflict", "only %(num)d fitting reviewers without "
                       "conflict", shortfall.eligible)
    else:
        why = _("the fitting reviewers have reached their load cap")
    return f"{missing}: {why}"


def assign_automatically(event: Event, *, actor: User, now: datetime) -> AutoResult:
    """Bring every proposal under review to k reviews: never a conflict (computed, declared or bid), never
    outside a reviewer's limited themes or languages, within load caps, keeping existing assignments.
    Side effects: the assignments, one audit row, one mail per reviewer listing their new assignments."""
    check_committee(actor, event)
    settings = settings_of(event)
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.event_id == event.id, Proposal.state == ProposalState.under_review)
        .options(selectinload(Proposal.further_themes)).order_by(Proposal.id)))
    users = list(db.session.scalars(
        select(User).join(EventRole, EventRole.user_id == User.id)
        .where(EventRole.event_id == event.id, EventRole.role == Role.reviewer)))
    rows = {r.id: r for r in db.session.scalars(
        select(Reviewer).where(Reviewer.event_id == event.id)
        .options(selectinload(Reviewer.limited_themes), selectinload(Reviewer.expert_themes)))}
    have = {r.user_id for r in rows.values()}
    for user in users:  # people given the reviewer role on the people page have no Reviewer row yet
        if user.id not in have:
            row = ensure_reviewer(event, user)
            rows[row.id] = row
    role_ids = {u.id for u in users}
    rows = {rid: r for rid, r in rows.items() if r.user_id in role_ids}  # a revoked role ends the reviewing
    by_user = {r.user_id: r.id for r in rows.values()}
    run_ids = {p.id for p in proposals}
    existing, extra_load = [], defaultdict(int)
    for rid, pid in db.session.execute(select(Assignment.reviewer_id, Assignment.proposal_id).join(Reviewer)
                                       .where(Reviewer.event_id == event.id)):
        if pid in run_ids:
            existing.append((rid, pid))
        else:
            extra_load[rid] += 1
    conflicts = {(by_user[uid], pid) for (uid, pid) in conflict_map(event, users) if uid in by_user}
    bids = {(rid, pid): level.value for rid, pid, level in db.session.execute(
        select(Bid.reviewer_id, Bid.proposal_id, Bid.level).where(Bid.reviewer_id.in_(list(rows))))}
    result = solver.assign(
        [solver.Proposal(p.id, (p.main_theme_id, *(t.id for t in p.further_themes if t.id != p.main_theme_id)),
                         p.language) for p in proposals],
        [solver.Reviewer(r.id, _cap(r, settings), extra_load[r.id],
                         frozenset(t.id for t in r.limited_themes) or None,
                         frozenset(t.id for t in r.expert_themes), r.language_set) for r in rows.values()],
        conflicts=conflicts, bids=bids, existing=existing, k=settings.reviews_per_proposal)
    by_id = {p.id: p for p in proposals}
    new: dict[Reviewer, list[Proposal]] = defaultdict(list)
    for rid, pid in result.pairs:
        db.session.add(Assignment(reviewer_id=rid, proposal_id=pid, automatic=True, created_by_id=actor.id,
                                  created_at=now))
        new[rows[rid]].append(by_id[pid])
    db.session.flush()
    record(actor=actor, action="assignment.automatic", obj=event, now=now, event_id=event.id,
           k=settings.reviews_per_proposal, pairs=[list(pair) for pair in result.pairs],
           shortfalls=[[s.proposal_id, s.missing, s.reason] for s in result.shortfalls])
    _mail_assignments(event, new, now=now)
    return AutoResult(dict(new), [(by_id[s.proposal_id], shortfall_text(s)) for s in result.shortfalls],
                      len(result.pairs))


def assignment_overview(event: Event) -> tuple[list[Proposal], dict[int, list[Assignment]], list[ReviewerRow]]:
    """Proposals under review with their assignments, and the reviewers with their loads; a fixed number of
    queries."""
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.event_id == event.id, Proposal.state == ProposalState.under_review)
        .options(selectinload(Proposal.main_theme), selectinload(Proposal.format)).order_by(Proposal.id)))
    by_proposal: dict[int, list[Assignment]] = defaultdict(list)
    for row in db.session.scalars(
            select(Assignment).join(Reviewer).where(Reviewer.event_id == event.id)
            .options(selectinload(Assignment.reviewer).selectinload(Reviewer.user), selectinload(Assignment.review))
            .order_by(Assignment.id)):
        by_proposal[row.proposal_id].append(row)
    return proposals, by_proposal, reviewer_rows(event)
