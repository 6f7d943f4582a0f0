"""The reviewer rules (can_review) and the review service, called directly: who may review, when, and what a
save changes; the criteria lock through the events service's hook."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from review_app.audit.models import AuditEntry
from review_app.cfp import services as cfp
from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.errors import Conflict, DeadlinePassed, InvalidState, NotFound
from review_app.events import services as events
from review_app.events.models import ReviewCriterion, Role
from review_app.review import reviewing
from review_app.review.models import Assignment, ConflictDeclaration, Review, Reviewer, ReviewState
from review_app.review.permissions import can_review, check_can_review

from ..factories import DURING_CFP, make_event, make_proposal, make_user

DURING_REVIEW = datetime(2024, 12, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def setup(ctx):
    chair = make_user(name="Chair")
    event = make_event(committee=chair)
    rita = make_user(name="Rita", email="rita@uni-bochum.de", organisation="Ruhr-Uni Bochum",
                     organisation_type="research", city="Bochum")
    speaker = make_user(name="Speaker", email="speaker@herne.de")
    events.grant_role(event, rita, Role.reviewer, actor=None, now=DURING_CFP)
    reviewer = Reviewer(event_id=event.id, user_id=rita.id)
    db.session.add(reviewer)
    proposal = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair)
    db.session.flush()
    assignment = Assignment(reviewer_id=reviewer.id, proposal_id=proposal.id)
    db.session.add(assignment)
    db.session.flush()
    return event, chair, rita, speaker, proposal, assignment


def data(event, score: int | None = 4, **kw) -> reviewing.ReviewData:
    values = {"scores": {event.criteria[0].id: score}, "recommendation": "accept", "confidence": 2,
              "comment_committee": "Good."}
    values.update(kw)
    return reviewing.ReviewData(**values)


def test_can_review_only_the_assigned_unconflicted_reviewer_within_the_window(setup):
    event, chair, rita, speaker, proposal, assignment = setup
    assert can_review(rita, assignment, DURING_REVIEW)
    assert can_review(rita, assignment, event.review_opens_at)
    assert can_review(rita, assignment, event.review_closes_at - timedelta(seconds=1))
    assert not can_review(rita, assignment, event.review_closes_at)
    assert not can_review(rita, assignment, event.review_opens_at - timedelta(seconds=1))
    for other in (chair, speaker):  # neither the committee nor the speaker is the assigned reviewer
        assert not can_review(other, assignment, DURING_REVIEW)
        with pytest.raises(NotFound):
            check_can_review(other, assignment, DURING_REVIEW)
    with pytest.raises(DeadlinePassed):
        check_can_review(rita, assignment, event.review_closes_at)


def test_a_declared_conflict_hides_the_assignment(setup):
    event, chair, rita, speaker, proposal, assignment = setup
    db.session.add(ConflictDeclaration(event_id=event.id, user_id=rita.id, proposal_id=proposal.id, reason="x"))
    db.session.flush()
    from review_app.review.queries import forget_conflicts

    forget_conflicts()
    with pytest.raises(NotFound):
        check_can_review(rita, assignment, DURING_REVIEW)


def test_a_withdrawn_proposal_can_no_longer_be_reviewed(setup):
    event, chair, rita, speaker, proposal, assignment = setup
    cfp.withdraw(proposal, actor=speaker, now=DURING_REVIEW)
    with pytest.raises(InvalidState):
        check_can_review(rita, assignment, DURING_REVIEW)


def test_save_review_submits_once_and_audits_each_save(setup):
    event, chair, rita, speaker, proposal, assignment = setup
    review = reviewing.save_review(assignment, data(event, score=None, recommendation=None), actor=rita,
                                   now=DURING_REVIEW, expected_version=None, submit=False)
    assert review.state is ReviewState.draft and review.version == 1
    later = DURING_REVIEW + timedelta(hours=1)
    review = reviewing.save_review(assignment, data(event), actor=rita, now=later, expected_version=1, submit=True)
    assert review.state is ReviewState.submitted and review.submitted_at == later and review.version == 2
    # "Save draft" on a submitted review edits it; it stays submitted, and keeps the moment of submission
    review = reviewing.save_review(assignment, data(event, score=3), actor=rita, now=later + timedelta(hours=1),
                                   expected_version=2, submit=False)
    assert review.state is ReviewState.submitted and review.submitted_at == later and review.version == 3
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "review")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["review.save_draft", "review.submit", "review.update"]
    with pytest.raises(reviewing.ReviewInvalid) as err:  # a submitted review stays complete
        reviewing.save_review(assignment, data(event, score=None), actor=rita, now=later, expected_version=3,
                              submit=False)
    assert list(err.value.errors) == [f"score_{event.criteria[0].id}"] and err.value.status == 422


def test_a_stale_version_is_refused_unless_it_changes_nothing(setup):
    event, chair, rita, speaker, proposal, assignment = setup
    reviewing.save_review(assignment, data(event), actor=rita, now=DURING_REVIEW, expected_version=None, submit=True)
    same = reviewing.save_review(assignment, data(event), actor=rita, now=DURING_REVIEW, expected_version=None,
                                 submit=True)
    assert same.version == 1  # the double click: nothing written
    with pytest.raises(Conflict):
        reviewing.save_review(assignment, data(event, score=1), actor=rita, now=DURING_REVIEW,
                              expected_version=None, submit=True)
    assert db.session.scalar(select(db.func.count(Review.id))) == 1


def test_the_criteria_lock_is_consulted_by_the_events_service(setup):
    event, chair, rita, speaker, proposal, assignment = setup
    criterion = event.criteria[0]
    assert events.edit_lock(criterion) is None
    events.save_item(event, criterion, actor=chair, now=DURING_REVIEW, apply=lambda c: setattr(c, "weight", 3))
    reviewing.save_review(assignment, data(event), actor=rita, now=DURING_REVIEW, expected_version=None, submit=True)
    assert "Die Bewertungskriterien sind gesperrt" in events.edit_lock(criterion)
    with pytest.raises(Conflict):
        events.save_item(event, criterion, actor=chair, now=DURING_REVIEW, apply=lambda c: setattr(c, "weight", 1))
    with pytest.raises(Conflict):
        events.delete_item(event, criterion, actor=chair, now=DURING_REVIEW)
    with pytest.raises(Conflict):
        events.save_item(event, ReviewCriterion(), actor=chair, now=DURING_REVIEW,
                         apply=lambda c: (setattr(c, "name_de", "Neu"), setattr(c, "name_en", "New")))
    theme = event.themes[0]  # other objects are not locked
    events.save_item(event, theme, actor=chair, now=DURING_REVIEW, apply=lambda t: setattr(t, "position", 9))
