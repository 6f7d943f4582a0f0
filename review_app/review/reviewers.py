"""Reviewers: the committee invites and limits them; they state their themes, languages and bids and may declare
(and take back) a conflict of interest. Every change checks its rule, writes an audit row, queues its mails and
flushes; the caller commits. Conflicts are administered in `conflict_admin`, assignments made in `assigning`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.services import find_user_by_email, normalise_email
from ..audit.models import record
from ..cfp.models import Proposal, ProposalState
from ..db import db
from ..errors import DomainError, NotFound, PermissionDenied
from ..events.models import Event, EventRole, Role, Theme
from ..events.services import grant_role
from ..mail.services import absolute_url, queue_mail
from .models import (
    Assignment,
    Bid,
    BidLevel,
    ConflictDeclaration,
    Reviewer,
    ReviewState,
)
from .permissions import can_manage_reviewers, can_state_preferences
from .queries import conflicted_proposal_ids, forget_conflicts, reviewer_of, settings_of

INVITE_SALT = "reviewer-invite"
INVITE_MAX_AGE = timedelta(days=30)
# proposals reviewers bid on; only those under review are assigned
BIDDABLE = frozenset({ProposalState.submitted, ProposalState.under_review})
LANGUAGES = ("de", "en")



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


def own_declarations(event: Event, user: User) -> list[tuple[ConflictDeclaration, Proposal]]:
    """The conflicts a reviewer declared themself (not those a speaker declared about them), with the proposal."""
    return list(db.session.execute(
        select(ConflictDeclaration, Proposal).join(Proposal, Proposal.id == ConflictDeclaration.proposal_id)
        .where(ConflictDeclaration.event_id == event.id, ConflictDeclaration.user_id == user.id,
               ConflictDeclaration.declared_by_id == user.id).order_by(Proposal.id)).all())


def take_back_declaration(event: Event, declaration_id: int, *, actor: User, now: datetime) -> Proposal:
    """A reviewer takes back a conflict they declared themself (a speaker's declaration about them, or anyone
    else's, looks missing: 404); their "conflict" bid goes with it. Side effects: audit row."""
    check_reviewer(actor, event)
    row = db.session.get(ConflictDeclaration, declaration_id)
    if row is None or row.event_id != event.id or row.user_id != actor.id or row.declared_by_id != actor.id:
        raise NotFound(_("This declaration does not exist or is not yours."))
    proposal = db.session.get(Proposal, row.proposal_id)
    reviewer = reviewer_of(actor, event)
    if reviewer is not None:
        bid = db.session.scalar(select(Bid).where(Bid.reviewer_id == reviewer.id, Bid.proposal_id == row.proposal_id,
                                                  Bid.level == BidLevel.conflict))
        if bid is not None:
            db.session.delete(bid)
    record(actor=actor, action="conflict.withdraw_declaration", obj=row, now=now, user_id=actor.id,
           proposal_id=row.proposal_id, reason=row.reason)
    db.session.delete(row)
    db.session.flush()
    forget_conflicts()
    return proposal
