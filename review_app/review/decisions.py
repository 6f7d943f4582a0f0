"""The committee's decisions: starting the review, deciding (pending and revisable, invisible to speakers) and
releasing (only then does the proposal change state and do the speakers hear of it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..audit.models import record
from ..cfp import services as cfp
from ..cfp.models import Proposal, ProposalSpeaker, ProposalState
from ..db import db
from ..errors import DeadlinePassed, DomainError, InvalidState
from ..events.models import Event
from ..mail.services import absolute_url, queue_mail
from .models import Assignment, Decision, DecisionOutcome, Review, ReviewState
from .permissions import check_can_decide, check_can_rank
from .queries import conflicted_proposal_ids, settings_of

# what a released decision makes of the proposal
STATE_OF = {DecisionOutcome.accept: ProposalState.accepted, DecisionOutcome.waitlist: ProposalState.waitlisted,
            DecisionOutcome.reject: ProposalState.rejected}
# the proposals a decision can be taken on (a waitlisted one may still be accepted when a place frees)
DECIDABLE = frozenset({ProposalState.under_review, ProposalState.waitlisted})
MAIL_OF = {DecisionOutcome.accept: "decision_accepted", DecisionOutcome.waitlist: "decision_waitlisted",
           DecisionOutcome.reject: "decision_rejected"}


def start_review_all(event: Event, *, actor: User, now: datetime) -> list[Proposal]:
    """Every submitted proposal → under review, once the call has closed (committee).
    Side effects: an audit row per proposal (cfp.start_review) and one for the whole step."""
    check_can_rank(actor, event)
    if now < event.cfp_closes_at:
        raise DeadlinePassed(_("The review can start only after the call for sessions has closed."))
    proposals = list(db.session.scalars(select(Proposal).where(Proposal.event_id == event.id,
                                                               Proposal.state == ProposalState.submitted)
                                        .order_by(Proposal.id)))
    for proposal in proposals:
        cfp.start_review(proposal, actor=actor, now=now)
    record(actor=actor, action="review.start_all", obj=event, event_id=event.id, now=now, count=len(proposals))
    return proposals


def decision_of(proposal: Proposal) -> Decision | None:
    return db.session.scalar(select(Decision).where(Decision.proposal_id == proposal.id))


def _outcome(outcome: DecisionOutcome | str) -> DecisionOutcome:
    try:
        return DecisionOutcome(outcome)
    except ValueError:
        raise DomainError(_("Choose accept, waitlist or reject."), 422) from None


def decide(proposal: Proposal, outcome: DecisionOutcome | str, *, actor: User, now: datetime,
           share_comments: bool = False) -> Decision:
    """Record or revise the committee's pending decision; the proposal's state does not change (see release).

    A released waitlist decision may be followed by a new one (a place freed up). Side effects: audit row.
    Refused: a proposal the actor is conflicted with (404), a withdrawn or already decided one (409).
    """
    outcome = _outcome(outcome)
    check_can_decide(actor, proposal)
    if proposal.state is ProposalState.withdrawn:
        raise InvalidState(_("“%(title)s” was withdrawn by its speakers; it can no longer be decided.",
                             title=proposal.title))
    if proposal.state not in DECIDABLE:
        raise InvalidState(_("“%(title)s” cannot be decided while it is “%(state)s”.", title=proposal.title,
                             state=proposal.state_label))
    decision = decision_of(proposal)
    before = decision.outcome.value if decision is not None and decision.released_at is None else None
    if decision is None:
        decision = Decision(proposal_id=proposal.id, proposal=proposal, outcome=outcome)
        db.session.add(decision)
    elif decision.released_at is not None:  # the proposal is on the waiting list: a new round
        if outcome is DecisionOutcome.waitlist:
            raise InvalidState(_("“%(title)s” is on the waiting list already.", title=proposal.title))
        decision.released_at = None
        decision.released_by_id = None
    decision.outcome = outcome
    decision.share_comments = share_comments
    decision.decided_by_id = actor.id
    decision.decided_at = now
    db.session.flush()
    record(actor=actor, action="decision.decide", obj=decision, event_id=proposal.event_id, now=now,
           from_state=before, to_state=outcome.value, proposal_id=proposal.id)
    return decision


@dataclass
class ReleaseResult:
    released: list[Decision] = field(default_factory=list)
    skipped: list[Decision] = field(default_factory=list)  # the proposal was withdrawn after the decision


def pending_decisions(event: Event, proposal_ids: list[int] | None = None) -> list[Decision]:
    stmt = (select(Decision).join(Proposal, Proposal.id == Decision.proposal_id)
            .where(Proposal.event_id == event.id, Decision.released_at.is_(None))
            .options(selectinload(Decision.proposal).selectinload(Proposal.speakers)
                     .selectinload(ProposalSpeaker.user))
            .order_by(Decision.proposal_id))
    if proposal_ids is not None:
        stmt = stmt.where(Decision.proposal_id.in_(proposal_ids))
    return list(db.session.scalars(stmt))


def release(event: Event, proposal_ids: list[int] | None = None, *, actor: User, now: datetime) -> ReleaseResult:
    """Release the pending decisions (all of them, or those of `proposal_ids`) that the actor may see.

    Side effects per decision: released_at set; the proposal moves to accepted/waitlisted/rejected through
    cfp.decide (its audit row); an accepted one must be confirmed by now + ReviewSettings.confirm_days
    (Proposal.confirm_by); a mail to each speaker in their language; an audit row. Decisions released already
    are left alone (releasing twice changes nothing); a proposal withdrawn meanwhile keeps its decision pending.
    """
    result = release_plan(event, proposal_ids, actor=actor)
    confirm_days = settings_of(event).confirm_days
    for decision in result.released:
        proposal = decision.proposal
        decision.released_at = now
        decision.released_by_id = actor.id
        cfp.decide(proposal, STATE_OF[decision.outcome], actor=actor, now=now)
        if decision.outcome is DecisionOutcome.accept:
            proposal.confirm_by = now + timedelta(days=confirm_days)
        db.session.flush()
        _mail_decision(decision, now=now)
        record(actor=actor, action="decision.release", obj=decision, event_id=event.id, now=now,
               to_state=decision.outcome.value, proposal_id=proposal.id)
    return result


def release_plan(event: Event, proposal_ids: list[int] | None = None, *, actor: User) -> ReleaseResult:
    """What `release` would do, changing nothing (the committee sees it before it confirms): the pending decisions
    it would release, and those it would keep pending because their proposal was withdrawn meanwhile. Decisions on
    proposals the actor is conflicted with are in neither."""
    check_can_rank(actor, event)
    hidden = conflicted_proposal_ids(event, actor)
    plan = ReleaseResult()
    for decision in pending_decisions(event, proposal_ids):
        if decision.proposal_id not in hidden:
            (plan.released if decision.proposal.state in DECIDABLE else plan.skipped).append(decision)
    return plan


def comments_for_speakers(proposal: Proposal) -> list[str]:
    """The reviewers' comments for the speakers, of submitted reviews only, without their authors."""
    return [c.strip() for c in db.session.scalars(
        select(Review.comment_speakers).join(Assignment, Assignment.id == Review.assignment_id)
        .where(Assignment.proposal_id == proposal.id, Review.state == ReviewState.submitted)
        .order_by(Review.submitted_at, Review.id)) if c and c.strip()]


def _mail_decision(decision: Decision, *, now: datetime) -> None:
    proposal = decision.proposal
    comments = (comments_for_speakers(proposal)
                if decision.outcome is DecisionOutcome.reject and decision.share_comments else [])
    for speaker in proposal.speakers:
        _mail_speaker(MAIL_OF[decision.outcome], proposal, speaker.user, now=now, comments=comments)


def _mail_speaker(template: str, proposal: Proposal, user: User, *, now: datetime, **context) -> None:
    queue_mail(template=template, recipient=user.email, language=user.language, now=now,
               event_id=proposal.event_id, user=user, proposal=proposal, event=proposal.event,
               link=absolute_url("cfp.proposal", slug=proposal.event.slug, proposal_id=proposal.id), **context)


def remind_unconfirmed(*, days: int, now: datetime) -> int:
    """Mail the speakers of accepted, unconfirmed proposals whose acceptance was released at least `days` ago
    and whose confirmation deadline has not passed: one mail per speaker and proposal. Side effects: an audit
    row per proposal. Returns the number of mails queued."""
    proposals = db.session.scalars(
        select(Proposal).join(Decision, Decision.proposal_id == Proposal.id)
        .where(Proposal.state == ProposalState.accepted, Decision.outcome == DecisionOutcome.accept,
               Decision.released_at.is_not(None), Decision.released_at <= now - timedelta(days=days))
        .options(selectinload(Proposal.event), selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user))
        .order_by(Proposal.id))
    sent = 0
    for proposal in proposals:
        if proposal.confirm_by is not None and proposal.confirm_by <= now:
            continue
        for speaker in proposal.speakers:
            _mail_speaker("decision_reminder", proposal, speaker.user, now=now)
            sent += 1
        record(actor=None, action="decision.remind", obj=proposal, now=now, from_state=proposal.state.value,
               to_state=proposal.state.value, speakers=len(proposal.speakers))
    return sent
