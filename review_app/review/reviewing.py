"""The reviewer's side: their assignments per event, writing a review (draft, submit, edit until the window
closes), the other reviews they may see, and the lock on the criteria once a review is submitted."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import User
from ..audit.models import record
from ..cfp.models import Proposal, ProposalState
from ..db import Base, db
from ..errors import Conflict, DomainError, is_race
from ..events import services as event_services
from ..events.models import Event, ReviewCriterion
from .models import (
    CONFIDENCE_LABELS,
    Assignment,
    Recommendation,
    Review,
    Reviewer,
    ReviewScore,
    ReviewState,
    ReviewVisibility,
)
from .permissions import check_can_review, review_window_open
from .queries import conflicted_among, settings_of

# proposals a reviewer still meets on their dashboard: not the drafts (never assigned) nor the withdrawn ones
SHOWN_STATES = frozenset(ProposalState) - {ProposalState.draft, ProposalState.withdrawn}


class ReviewInvalid(DomainError):
    """What the reviewer entered breaks a rule; `errors` names the fields (form field name → message)."""

    status = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Some of what you entered is not valid."))
        self.errors = errors


@dataclass
class ReviewData:
    scores: dict[int, int | None]  # criterion id → score (None: not given)
    recommendation: str | None = None
    confidence: int | None = None
    comment_committee: str = ""
    comment_speakers: str = ""


def score_field(criterion: ReviewCriterion) -> str:
    return f"score_{criterion.id}"


def scale_choices(criterion: ReviewCriterion) -> list[tuple[int, str]]:
    """The points of a criterion's scale with their labels: "1 – weak", 2, 3, 4, "5 – excellent"."""
    low, high = criterion.scale_min, criterion.scale_max
    return [(v, _("%(num)d – weak", num=v) if v == low else _("%(num)d – excellent", num=v) if v == high
             else str(v)) for v in range(low, high + 1)]


# --- the dashboard ---


@dataclass
class Row:
    assignment: Assignment
    proposal: Proposal
    state: str  # "not_started", "draft" or "submitted"


@dataclass
class EventWork:
    event: Event
    window_open: bool
    rows: list[Row] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(row.state == "submitted" for row in self.rows)

    @property
    def next(self) -> Row | None:
        """The first assignment still to review (its proposal under review, no submitted review)."""
        return next((row for row in self.rows if row.state != "submitted"
                     and row.proposal.state is ProposalState.under_review), None)


def review_state(review: Review | None) -> str:
    return "not_started" if review is None else review.state.value


def work_of(user: User, events: list[Event], now: datetime) -> list[EventWork]:
    """Per event the user reviews for, their assignments without the conflicted ones: one query for all
    assignments, plus the conflict check per event with assignments (a fixed number of queries, whatever the
    number of assignments)."""
    work = {event.id: EventWork(event, review_window_open(event, now)) for event in events}
    if not work:
        return []
    assignments = db.session.scalars(
        select(Assignment).join(Reviewer, Assignment.reviewer_id == Reviewer.id)
        .join(Proposal, Assignment.proposal_id == Proposal.id)
        .where(Reviewer.user_id == user.id, Reviewer.event_id.in_(work), Proposal.event_id == Reviewer.event_id,
               Proposal.state.in_(SHOWN_STATES))
        .options(contains_eager(Assignment.proposal).selectinload(Proposal.format),
                 contains_eager(Assignment.proposal).selectinload(Proposal.main_theme),
                 selectinload(Assignment.review))
        .order_by(Proposal.id))
    assignments = list(assignments)
    # only the events with assignments need the conflict check (a few queries each): an event a person merely
    # reviews for costs nothing, so the header's reviewing page stays as cheap for six events as for one
    assigned: dict[int, list[int]] = {}
    for a in assignments:
        assigned.setdefault(a.proposal.event_id, []).append(a.proposal_id)
    # the conflicts with the assigned proposals only: the page costs the same at 300 proposals as at 3,000
    conflicted = {event.id: conflicted_among(event, user, assigned[event.id]) for event in events
                  if event.id in assigned}
    for assignment in assignments:
        proposal = assignment.proposal
        if proposal.id in conflicted[proposal.event_id]:
            continue
        work[proposal.event_id].rows.append(Row(assignment, proposal, review_state(assignment.review)))
    return list(work.values())


# --- one review ---


def assignment_for(user: User, event: Event, proposal_id: int) -> Assignment | None:
    """The user's assignment to review the proposal in this event, if any (the rules decide if it is visible)."""
    return db.session.scalar(
        select(Assignment).join(Reviewer, Assignment.reviewer_id == Reviewer.id)
        .join(Proposal, Assignment.proposal_id == Proposal.id)
        .where(Reviewer.user_id == user.id, Reviewer.event_id == event.id, Proposal.event_id == event.id,
               Assignment.proposal_id == proposal_id)
        .options(selectinload(Assignment.review).selectinload(Review.scores)))


def others_visible(assignment: Assignment) -> bool:
    """May the assigned reviewer see the other reviews of the proposal (the event's visibility setting)?"""
    visibility = settings_of(assignment.proposal.event).visibility
    if visibility == ReviewVisibility.always:
        return True
    own = assignment.review
    return visibility == ReviewVisibility.after_own and own is not None and own.state is ReviewState.submitted


def other_reviews(assignment: Assignment) -> list[Review]:
    """The other submitted reviews of the proposal, with their scores and reviewers (only when visible)."""
    if not others_visible(assignment):
        return []
    return list(db.session.scalars(
        select(Review).join(Assignment, Review.assignment_id == Assignment.id)
        .where(Assignment.proposal_id == assignment.proposal_id, Assignment.id != assignment.id,
               Review.state == ReviewState.submitted)
        .options(selectinload(Review.scores), selectinload(Review.assignment).selectinload(Assignment.reviewer)
                 .selectinload(Reviewer.user))
        .order_by(Review.submitted_at, Review.id)))


def _check(data: ReviewData, criteria: list[ReviewCriterion], *, complete: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    for criterion in criteria:
        score = data.scores.get(criterion.id)
        if score is None:
            if complete:
                errors[score_field(criterion)] = _("Give a score before submitting.")
        elif not criterion.scale_min <= score <= criterion.scale_max:
            errors[score_field(criterion)] = _("Choose a score from %(low)d to %(high)d.", low=criterion.scale_min,
                                               high=criterion.scale_max)
    if data.recommendation is not None and data.recommendation not in set(Recommendation):
        errors["recommendation"] = _("Choose one of the recommendations offered.")
    elif data.recommendation is None and complete:
        errors["recommendation"] = _("Choose a recommendation before submitting.")
    if data.confidence is not None and data.confidence not in CONFIDENCE_LABELS:
        errors["confidence"] = _("Choose one of the levels of confidence offered.")
    elif data.confidence is None and complete:
        errors["confidence"] = _("Say how confident you are before submitting.")
    return errors


def _given(data: ReviewData) -> dict[int, int]:
    return {cid: score for cid, score in data.scores.items() if score is not None}


def _same(review: Review, data: ReviewData, state: ReviewState) -> bool:
    """Does the saved review already say exactly this (a second click on the same button)?"""
    return (review.state is state and review.recommendation == data.recommendation
            and review.confidence == data.confidence and review.comment_committee == data.comment_committee
            and review.comment_speakers == data.comment_speakers
            and {s.criterion_id: s.score for s in review.scores} == _given(data))


def save_review(assignment: Assignment, data: ReviewData, *, actor: User, now: datetime,
                expected_version: int | None, submit: bool) -> Review:
    """Save the reviewer's review of their assignment as a draft, or submit it (a submitted review stays
    submitted: saving it again edits it, complete, until the review window closes).

    Refuses (nothing changes): someone other than the assigned, non-conflicted reviewer (404); a proposal not
    under review (409); outside the review window in the event's zone (403); a score outside its criterion's
    scale, or on submitting a missing score, recommendation or confidence (422, ReviewInvalid naming the
    fields); an edit of a version other than `expected_version` (409) — unless the saved review already says
    exactly this, as after a double click, which changes nothing.
    Side effects: the review and its scores; an audit row (review.save_draft / review.submit / review.update)."""
    check_can_review(actor, assignment, now)
    review = assignment.review
    submit = submit or (review is not None and review.state is ReviewState.submitted)
    criteria = assignment.proposal.event.criteria
    errors = _check(data, criteria, complete=submit)
    if errors:
        raise ReviewInvalid(errors)
    state = ReviewState.submitted if submit else ReviewState.draft
    if review is not None and expected_version != review.version:
        if _same(review, data, state):
            return review
        raise Conflict(_("This review was changed in the meantime, perhaps in another window. Nothing was saved: "
                         "reload the page to see the saved version."))
    before = review.state if review is not None else None
    if review is None:
        review = Review(assignment=assignment, created_at=now)
        db.session.add(review)
    with db.session.no_autoflush:  # one UPDATE of the review: one new version
        review.recommendation = Recommendation(data.recommendation) if data.recommendation else None
        review.confidence = data.confidence
        review.comment_committee = data.comment_committee
        review.comment_speakers = data.comment_speakers
        given = _given(data)
        for score in list(review.scores):
            if score.criterion_id not in given:
                review.scores.remove(score)
        current = {s.criterion_id: s for s in review.scores}
        for criterion in criteria:
            if criterion.id not in given:
                continue
            if criterion.id in current:
                current[criterion.id].score = given[criterion.id]
            else:
                review.scores.append(ReviewScore(criterion_id=criterion.id, score=given[criterion.id]))
        review.state = state
        if submit and review.submitted_at is None:
            review.submitted_at = now
        review.updated_at = now
    flag_modified(review, "updated_at")  # every save is a new version, even one that changes only scores
    try:
        db.session.flush()
    except StaleDataError as err:  # another request saved it between our read and this write
        raise Conflict(_("This review was changed in the meantime, perhaps in another window. Nothing was "
                         "saved: reload the page to see the saved version.")) from err
    except IntegrityError as err:  # two first saves raced into the one-review-per-assignment constraint
        if not is_race(err):
            raise
        raise Conflict(_("This review was changed in the meantime, perhaps in another window. Nothing was "
                         "saved: reload the page to see the saved version.")) from err
    action = ("review.update" if before is ReviewState.submitted
              else "review.submit" if submit else "review.save_draft")
    record(actor=actor, action=action, obj=review, now=now, event_id=assignment.proposal.event_id,
           from_state=before.value if before else None, to_state=state.value, proposal_id=assignment.proposal_id)
    return review


# --- the criteria lock ---


def first_submission(event_id: int) -> datetime | None:
    """When the event's first review was submitted (None: not yet)."""
    return db.session.scalar(
        select(func.min(Review.submitted_at)).join(Assignment, Review.assignment_id == Assignment.id)
        .join(Reviewer, Assignment.reviewer_id == Reviewer.id)
        .where(Reviewer.event_id == event_id, Review.state == ReviewState.submitted))


def criteria_lock(item: Base) -> str | None:
    """Criteria, their weights and scales are what the submitted scores mean: fixed from the first submission."""
    if not isinstance(item, ReviewCriterion) or item.event_id is None:
        return None
    with db.session.no_autoflush:
        since = first_submission(item.event_id)
    if since is None:
        return None
    from ..i18n import format_in_zone

    event = db.session.get(Event, item.event_id)
    return _("The review criteria are locked: the first review was submitted on %(moment)s, and its scores "
             "refer to these criteria, weights and scales. Criteria can no longer be added, changed or deleted.",
             moment=format_in_zone(since, event.timezone))


if criteria_lock not in event_services.EDIT_LOCKS:
    event_services.EDIT_LOCKS.append(criteria_lock)
