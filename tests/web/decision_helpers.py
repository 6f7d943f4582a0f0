"""Review data for the ranking and decision tests, built directly with the models (reviewers, assignments,
submitted reviews with their scores), and a committee whose members are not conflicted unless asked."""
from __future__ import annotations

from datetime import timedelta
from itertools import count

from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Role
from review_app.review.models import Assignment, Recommendation, Review, Reviewer, ReviewScore, ReviewState

from ..factories import AFTER_CFP, make_event, make_proposal, make_user

_n = count(1)


def outsider(name: str, *, language: str = "en", email: str | None = None):
    """Someone sharing no organisation, city or mail domain with anyone else in these tests."""
    i = next(_n)
    return make_user(name=name, email=email or f"{name.lower().replace(' ', '.')}{i}@org{i}.test",
                     organisation=f"Organisation {i}", organisation_type="company", city=f"City {i}",
                     language=language)


def committee_event(slug: str = "scd", chair_email: str = "chair@committee.test"):
    chair = outsider("Chair", email=chair_email)
    event = make_event(slug=slug, committee=chair)
    return event, chair


def speaker_proposal(event, chair, title: str, *, language: str = "de", state=ProposalState.under_review,
                     organisation: str | None = None, **overrides):
    """A proposal in `language` of a new speaker speaking it (own organisation and mail domain) in `state`."""
    i = next(_n)
    org = organisation or f"Speaker Org {i}"
    speaker = make_user(name=f"Speaker {i}", email=f"speaker{i}@speakers{i}.test", organisation=org,
                        organisation_type="company", city=f"Town {i}", language=language)
    overrides.setdefault("project_organisation", org)
    overrides.setdefault("project_city", f"Town {i}")
    overrides.setdefault("language", language)
    proposal = make_proposal(event, speaker, state=state, committee=chair, title=title, **overrides)
    return proposal, speaker


def reviewer(event, name: str):
    user = outsider(name)
    events.grant_role(event, user, Role.reviewer, actor=None, now=AFTER_CFP)
    row = Reviewer(event_id=event.id, user_id=user.id, languages="de,en")
    db.session.add(row)
    db.session.flush()
    return row


def submitted_review(reviewer_row, proposal, scores: dict[int, int], *, comment_speakers: str = "",
                     comment_committee: str = "", recommendation=Recommendation.accept, confidence: int = 2,
                     submitted: bool = True):
    """An assignment with a review (submitted unless told) scoring each criterion id as given."""
    assignment = Assignment(reviewer_id=reviewer_row.id, proposal_id=proposal.id)
    db.session.add(assignment)
    db.session.flush()
    review = Review(assignment_id=assignment.id, state=ReviewState.submitted if submitted else ReviewState.draft,
                    recommendation=recommendation, confidence=confidence, comment_speakers=comment_speakers,
                    comment_committee=comment_committee,
                    submitted_at=AFTER_CFP + timedelta(days=1) if submitted else None)
    review.scores = [ReviewScore(criterion_id=cid, score=score) for cid, score in scores.items()]
    db.session.add(review)
    db.session.flush()
    return review


def assign_only(reviewer_row, proposal):
    db.session.add(Assignment(reviewer_id=reviewer_row.id, proposal_id=proposal.id))
    db.session.flush()
