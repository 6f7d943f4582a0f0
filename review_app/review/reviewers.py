"""The committee's side of reviewing: inviting reviewers and limiting them, the reviewers' themes, languages and
bids, conflicts of interest (overrides, organisation aliases) and assigning proposals by hand or automatically.
Every change checks its rule, writes an audit row, queues its mails and flushes; the caller commits."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.services import find_user_by_email, normalise_email
from ..audit.models import record
from ..cfp.models import Proposal, ProposalState
from ..db import db
from ..errors import Conflict, DomainError, NotFound, PermissionDenied
from ..events.models import Event, EventRole, Role, Theme
from ..events.services import grant_role
from ..mail.services import absolute_url, queue_mail
from . import assignment as solver
from . import conflicts as rules
from .models import (
    Assignment,
    Bid,
    BidLevel,
    ConflictDeclaration,
    ConflictOverride,
    OrganisationAlias,
    Reviewer,
    ReviewState,
)
from .permissions import can_manage_reviewers, can_state_preferences
from .queries import conflict_map, conflicted_proposal_ids, forget_conflicts, settings_of

INVITE_SALT = "reviewer-invite"
INVITE_MAX_AGE = timedelta(days=30)
# proposals reviewers bid on; only those under review are assigned
BIDDABLE = frozenset({ProposalState.submitted, ProposalState.under_review})
LANGUAGES = ("de", "en")

REASON_LABELS = {
    rules.Reason.speaker: _l("Speaker or co-speaker of the proposal"),
    rules.Reason.declared: _l("Declared conflict"),
    rules.Reason.organisation: _l("Same organisation"),
    rules.Reason.city: _l("Same city (public body)"),
    rules.Reason.email_domain: _l("Same email domain"),
}


def check_committee(actor: User, event: Event) -> None:
    if not can_manage_reviewers(actor, event):
        raise PermissionDenied(_("Only the programme committee may do this."))


# --- reviewers -----------------------------------------------------------------------------------------------

def _serializer(now: datetime) -> URLSafeTimedSerializer:
    """Signed with the app's secret; its timestamps follow the app's clock (so that tests can move time)."""
    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITE_SALT, signer=Signer)


def invitation_token(event: Event, email: str, *, now: datetime) -> str:
    return _serializer(now).dumps({"event": event.id, "email": normalise_email(email)})


def ensure_reviewer(event: Event, user: User) -> Reviewer:
    """The user's Reviewer row in the event, made when first needed (the role may come from the people page)."""
    row = db.session.scalar(select(Reviewer).where(Reviewer.event_id == event.id, Reviewer.user_id == user.id))
    if row is None:
        row = Reviewer(event_id=event.id, user_id=user.id, languages="", user=user)
        db.session.add(row)
        db.session.flush()
    return row


def invite_reviewer(event: Event, email: str, *, language: str, actor: User, now: datetime) -> Reviewer | None:
    """Make a person a reviewer of the event. An existing account gets the role at once (grant_role mails them)
    and its Reviewer row, which is returned; an unknown address gets a mail in `language` with a signed link to
    register and join (valid 30 days), and None is returned. Side effects: audit row, one mail."""
    check_committee(actor, event)
    email = normalise_email(email)
    user = find_user_by_email(email)
    if user is not None:
        grant_role(event, user, Role.reviewer, actor=actor, now=now)
        reviewer = ensure_reviewer(event, user)
        record(actor=actor, action="reviewer.add", obj=reviewer, now=now, user_id=user.id)
        return reviewer
    link = absolute_url("review_committee.reviewer_invitation", token=invitation_token(event, email, now=now))
    queue_mail(template="reviewer_invitation", recipient=email, language=language, now=now, event_id=event.id,
               secret=True, event=event, actor=actor, link=link, valid_days=INVITE_MAX_AGE.days)
    record(actor=actor, action="reviewer.invite", obj=event, now=now, email=email)
    return None


def read_invitation(token: str, *, now: datetime) -> tuple[Event, str]:
    """The event and address a reviewer invitation link was made for; a broken link is missing (404), an old one
    gone (410)."""
    try:
        payload = _serializer(now).loads(token, max_age=INVITE_MAX_AGE.total_seconds(), return_timestamp=False)
    except SignatureExpired as err:
        raise DomainError(_("This invitation has expired. Ask the programme committee for a new one."), 410) from err
    except BadSignature as err:
        raise NotFound(_("This invitation does not exist.")) from err
    event = db.session.get(Event, payload.get("event")) if isinstance(payload, dict) else None
    if event is None or not isinstance(payload.get("email"), str):
        raise NotFound(_("This invitation does not exist."))
    return event, payload["email"]


def accept_invitation(token: str, *, actor: User, now: datetime) -> Reviewer:
    """The invited person, logged in with the invited address, becomes a reviewer (idempotent).
    Side effects: reviewer role, Reviewer row, audit row."""
    event, email = read_invitation(token, now=now)
    if normalise_email(actor.email) != email:
        raise PermissionDenied(_("This invitation was sent to %(email)s. Log in with that address to accept it.",
                                 email=email))
    grant_role(event, actor, Role.reviewer, actor=None, now=now)
    reviewer = ensure_reviewer(event, actor)
    record(actor=actor, action="reviewer.join", obj=reviewer, now=now, user_id=actor.id)
    return reviewer


def set_limits(event: Event, user: User, *, limited_theme_ids: list[int], max_load: int | None, actor: User,
               now: datetime) -> Reviewer:
    """The committee limits a reviewer to some themes (none: any theme) and sets a load cap (None: the event's)."""
    check_committee(actor, event)
    if Role.reviewer not in _roles(event, user):
        raise NotFound(_("This reviewer does not exist."))
    if max_load is not None and not 0 <= max_load <= 500:
        raise DomainError(_("The load cap must be a number from 0 to 500."), 422)
    reviewer = ensure_reviewer(event, user)
    reviewer.limited_themes = _themes(event, limited_theme_ids)
    reviewer.max_load = max_load
    db.session.flush()
    record(actor=actor, action="reviewer.limit", obj=reviewer, now=now, themes=[t.id for t in reviewer.limited_themes],
           max_load=max_load)
    return reviewer


def _roles(event: Event, user: User) -> set[Role]:
    return set(db.session.scalars(select(EventRole.role).where(EventRole.event_id == event.id,
                                                               EventRole.user_id == user.id)))


def _themes(event: Event, ids: list[int]) -> list[Theme]:
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(sorted(set(ids))), Theme.event_id == event.id)))
    if len(themes) != len(set(ids)):
        raise DomainError(_("Choose themes of this event only."), 422)
    return sorted(themes, key=lambda t: (t.position, t.id))


@dataclass
class ReviewerRow:
    user: User
    reviewer: Reviewer | None
    assigned: int
    done: int
    cap: int


def reviewer_rows(event: Event) -> list[ReviewerRow]:
    """Everyone with the reviewer role, with their themes, languages, load (assigned/done) and cap; a fixed
    number of queries."""
    settings = settings_of(event)
    users = list(db.session.scalars(
        select(User).join(EventRole, EventRole.user_id == User.id)
        .where(EventRole.event_id == event.id, EventRole.role == Role.reviewer).order_by(User.name, User.id)))
    rows = {r.user_id: r for r in db.session.scalars(
        select(Reviewer).where(Reviewer.event_id == event.id)
        .options(selectinload(Reviewer.limited_themes), selectinload(Reviewer.expert_themes)))}
    assigned, done = loads(event)
    return [ReviewerRow(u, rows.get(u.id), assigned.get(u.id, 0), done.get(u.id, 0), _cap(rows.get(u.id), settings))
            for u in users]


def loads(event: Event) -> tuple[dict[int, int], dict[int, int]]:
    """Per user id: assignments in the event, and submitted reviews among them."""
    from .models import Review

    stmt = (select(Reviewer.user_id, func.count(Assignment.id), func.count(Review.id))
            .join(Assignment, Assignment.reviewer_id == Reviewer.id)
            .outerjoin(Review, (Review.assignment_id == Assignment.id) & (Review.state == ReviewState.submitted))
            .where(Reviewer.event_id == event.id).group_by(Reviewer.user_id))
    assigned, done = {}, {}
    for user_id, n, d in db.session.execute(stmt):
        assigned[user_id], done[user_id] = n, d
    return assigned, done


def _cap(reviewer: Reviewer | None, settings) -> int:
    return reviewer.max_load if reviewer is not None and reviewer.max_load is not None else settings.max_load


# --- the reviewer's preferences ------------------------------------------------------------------------------

def check_reviewer(actor: User, event: Event) -> None:
    if not can_state_preferences(actor, event):
        raise NotFound(_("This page does not exist or is not visible to you."))


def biddable_proposals(event: Event, user: User) -> list[Proposal]:
    """The proposals a reviewer may bid on: submitted or under review, none they are conflicted with."""
    hidden = conflicted_proposal_ids(event, user)
    stmt = (select(Proposal).where(Proposal.event_id == event.id, Proposal.state.in_(BIDDABLE))
            .options(selectinload(Proposal.format), selectinload(Proposal.main_theme)).order_by(Proposal.id))
    return [p for p in db.session.scalars(stmt) if p.id not in hidden]


def bids_of(reviewer: Reviewer | None) -> dict[int, BidLevel]:
    if reviewer is None:
        return {}
    return {b.proposal_id: b.level for b in db.session.scalars(select(Bid).where(Bid.reviewer_id == reviewer.id))}


def save_preferences(event: Event, *, expert_theme_ids: list[int], languages: list[str],
                     bids: dict[int, str | None], actor: User, now: datetime) -> Reviewer:
    """The reviewer's expert themes, review languages and bids. A "conflict" bid also declares the conflict
    (the proposal then leaves the reviewer's lists); no bid removes an earlier one. Bids on proposals that are
    not open to this reviewer are refused whole (404). Side effects: audit row."""
    check_reviewer(actor, event)
    if set(languages) - set(LANGUAGES):
        raise DomainError(_("Choose German and/or English."), 422)
    reviewer = ensure_reviewer(event, actor)
    open_ids = {p.id for p in biddable_proposals(event, actor)}
    if set(bids) - open_ids:
        raise NotFound(_("This proposal does not exist or is not visible to you."))
    try:
        levels = {pid: BidLevel(level) if level else None for pid, level in bids.items()}
    except ValueError as err:
        raise DomainError(_("Choose one of the bids offered."), 422) from err
    reviewer.expert_themes = _themes(event, expert_theme_ids)
    reviewer.languages = ",".join(lang for lang in LANGUAGES if lang in languages)
    existing = {b.proposal_id: b for b in db.session.scalars(select(Bid).where(Bid.reviewer_id == reviewer.id))}
    declared = []
    for pid, level in levels.items():
        bid = existing.get(pid)
        if level is None:
            if bid is not None:
                db.session.delete(bid)
            continue
        if bid is None:
            db.session.add(Bid(reviewer_id=reviewer.id, proposal_id=pid, level=level, updated_at=now))
        elif bid.level is not level:
            bid.level, bid.updated_at = level, now
        if level is BidLevel.conflict:
            declared.append(pid)
    for pid in declared:
        db.session.add(ConflictDeclaration(event_id=event.id, user_id=actor.id, proposal_id=pid,
                                           declared_by_id=actor.id, reason="", created_at=now))
    db.session.flush()
    forget_conflicts()
    record(actor=actor, action="reviewer.preferences", obj=reviewer, now=now,
           themes=[t.id for t in reviewer.expert_themes], languages=reviewer.languages,
           bids={str(pid): level.value if level else None for pid, level in levels.items()}, declared=declared)
    return reviewer


# --- conflicts -----------------------------------------------------------------------------------------------

@dataclass
class ConflictRow:
    user: User
    proposal: Proposal
    conflict: rules.Conflict

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS[self.conflict.reason])

    @property
    def overridable(self) -> bool:
        return self.conflict.reason in rules.OVERRIDABLE and not self.conflict.overridden


def conflict_rows(event: Event) -> list[ConflictRow]:
    """Every conflict of the event's reviewers and committee, overridden ones included, by proposal and person."""
    found = conflict_map(event, include_overridden=True)
    user_ids, proposal_ids = sorted({uid for uid, _ in found}), sorted({pid for _, pid in found})
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    proposals = {p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(proposal_ids)))}
    rows = [ConflictRow(users[uid], proposals[pid], c) for (uid, pid), cs in found.items() for c in cs]
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


def aliases_of(event: Event) -> list[OrganisationAlias]:
    return list(db.session.scalars(select(OrganisationAlias).where(OrganisationAlias.event_id == event.id)
                                   .order_by(OrganisationAlias.name_a, OrganisationAlias.name_b)))


# --- assignment ----------------------------------------------------------------------------------------------

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
    if db.session.scalar(select(Assignment.id).where(Assignment.reviewer_id == reviewer.id,
                                                     Assignment.proposal_id == proposal.id)) is not None:
        raise Conflict(_("%(name)s is already assigned to this proposal.", name=reviewer.user.name))


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
