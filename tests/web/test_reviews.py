"""The reviewer's side over HTTP: the dashboard, writing a review (draft, submit, edit, stale edits, the window),
blind review, the other reviews, and the lock on the criteria once a review is submitted."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from review_app.audit.models import AuditEntry
from review_app.cfp.models import ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Event, ReviewCriterion, Role
from review_app.review.models import (
    Assignment,
    ConflictDeclaration,
    Recommendation,
    Review,
    Reviewer,
    ReviewScore,
    ReviewSettings,
    ReviewState,
    ReviewVisibility,
)

from ..factories import DURING_CFP, login, make_event, make_proposal, make_user
from .test_queries import counted

DURING_REVIEW = datetime(2024, 12, 10, 12, 0, tzinfo=UTC)


def add_reviewer(event, user) -> Reviewer:
    events.grant_role(event, user, Role.reviewer, actor=None, now=DURING_CFP)
    reviewer = Reviewer(event_id=event.id, user_id=user.id, languages="de,en")
    db.session.add(reviewer)
    db.session.flush()
    return reviewer


def assign(reviewer: Reviewer, proposal) -> Assignment:
    row = Assignment(reviewer_id=reviewer.id, proposal_id=proposal.id)
    db.session.add(row)
    db.session.flush()
    return row


def submitted_review(assignment: Assignment, criterion: ReviewCriterion, score: int, comment: str) -> Review:
    review = Review(assignment_id=assignment.id, state=ReviewState.submitted, recommendation=Recommendation.accept,
                    confidence=2, comment_committee=comment, submitted_at=DURING_REVIEW)
    review.scores.append(ReviewScore(criterion_id=criterion.id, score=score))
    db.session.add(review)
    db.session.flush()
    return review


@pytest.fixture
def world(app, clock):
    """An event under review: a chair, a reviewer (English, from Bochum) assigned to two proposals of Herne
    speakers, a third proposal not assigned to them, and a second reviewer."""
    clock.set(DURING_REVIEW)
    with app.app_context():
        chair = make_user(name="Chair")
        event = make_event(slug="scd", committee=chair)
        reviewer_user = make_user(name="Rita Reviewer", email="rita@uni-bochum.de", organisation="Ruhr-Uni Bochum",
                                  organisation_type="research", city="Bochum", language="en")
        other_user = make_user(name="Otto Otherreviewer", email="otto@tu-dortmund.de", organisation="TU Dortmund",
                               organisation_type="research", city="Dortmund", language="en")
        speaker = make_user(name="Sandra Speaker", email="sandra@herne.de")
        reviewer, other = add_reviewer(event, reviewer_user), add_reviewer(event, other_user)
        first = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair, title="Open data")
        second = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair, title="Smart bins")
        third = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair, title="Not yours")
        a1, a2 = assign(reviewer, first), assign(reviewer, second)
        o1 = assign(other, first)
        criterion = event.criteria[0]
        db.session.commit()
        ids = SimpleNamespace(event=event.id, chair=chair.email, reviewer=reviewer_user.email,
                              other=other_user.email, reviewer_user_id=reviewer_user.id, speaker=speaker.email,
                              first=first.id, second=second.id, third=third.id, a1=a1.id, a2=a2.id, o1=o1.id,
                              reviewer_id=reviewer.id, criterion=criterion.id,
                              field=f"score_{criterion.id}", closes=event.review_closes_at,
                              opens=event.review_opens_at)
    return ids


def url(proposal_id: int) -> str:
    return f"/events/scd/reviews/{proposal_id}"


def form(ids, *, action="submit", score="4", version="", recommendation="accept", confidence="3",
         comment="Solid practice report.", **extra) -> dict:
    data = {"action": action, ids.field: score, "recommendation": recommendation, "confidence": confidence,
            "comment_committee": comment, "comment_speakers": "", "version": version}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def the_review(app, assignment_id: int) -> Review | None:
    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.assignment_id == assignment_id))
        if review is not None:
            review.score_map = {s.criterion_id: s.score for s in review.scores}
            db.session.expunge_all()
        return review


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("review.%"))
                                       .order_by(AuditEntry.id)))


def test_the_reviewer_saves_a_draft_then_submits_it_and_the_dashboard_counts_it(app, client, world):
    login(client, world.reviewer)
    page = client.get(url(world.first)).get_data(as_text=True)
    assert "Practical relevance" in page and "1 – weak" in page and "5 – excellent" in page
    assert "Accept, by all means" in page and "Low: not my field" in page
    assert 'value="draft"' in page and "Submit review" in page

    r = client.post(url(world.first), data=form(world, action="draft", recommendation=None, confidence=None))
    assert r.status_code == 302
    draft = the_review(app, world.a1)
    assert draft.state is ReviewState.draft and draft.score_map == {world.criterion: 4}
    assert draft.recommendation is None and draft.submitted_at is None
    dashboard = client.get("/reviewing").get_data(as_text=True)
    assert "0 of 2 reviews submitted" in dashboard and "Draft" in dashboard and "Not started" in dashboard

    r = client.post(url(world.first), data=form(world, version=str(draft.version)))
    assert r.status_code == 302 and r.headers["Location"].endswith("/reviewing")
    review = the_review(app, world.a1)
    assert review.state is ReviewState.submitted and review.submitted_at == DURING_REVIEW
    assert review.recommendation is Recommendation.accept and review.confidence == 3
    assert review.comment_committee == "Solid practice report."
    assert audit_actions(app) == ["review.save_draft", "review.submit"]

    dashboard = client.get("/reviewing").get_data(as_text=True)
    assert "1 of 2 reviews submitted" in dashboard
    next_link = dashboard.split('class="button primary next-review"', 1)[1].split("</a>", 1)[0]
    assert f'href="{url(world.second)}"' in next_link and "Smart bins" in next_link


def test_a_submitted_review_can_be_edited_and_a_stale_edit_answers_409_changing_nothing(app, client, world):
    login(client, world.reviewer)
    client.post(url(world.first), data=form(world))
    page = client.get(url(world.first)).get_data(as_text=True)
    assert "You have submitted this review" in page and 'value="draft"' not in page
    assert client.post(url(world.first), data=form(world, version="1", score="5")).status_code == 302
    assert the_review(app, world.a1).score_map == {world.criterion: 5}

    stale = client.post(url(world.first), data=form(world, version="1", score="2", comment="Overwritten?"))
    assert stale.status_code == 409
    assert "changed in the meantime" in stale.get_data(as_text=True)
    review = the_review(app, world.a1)
    assert review.score_map == {world.criterion: 5} and review.comment_committee == "Solid practice report."
    assert review.version == 2 and review.state is ReviewState.submitted
    assert audit_actions(app) == ["review.submit", "review.update"]


def test_a_double_click_on_submit_saves_one_review_once(app, client, world):
    login(client, world.reviewer)
    first = client.post(url(world.first), data=form(world))
    second = client.post(url(world.first), data=form(world))  # the same form, sent again
    assert first.status_code == second.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Review.id))) == 1
    assert audit_actions(app) == ["review.submit"]


@pytest.mark.parametrize(("posted", "message"), [
    ({"score": "9"}, "Choose a score from 1 to 5."),
    ({"score": "0"}, "Choose a score from 1 to 5."),
    ({"score": None}, "Give a score before submitting."),
    ({"score": "vier"}, "please choose one of the options offered."),
    ({"recommendation": None}, "Choose a recommendation before submitting."),
    ({"confidence": "7"}, "please choose one of the options offered."),
])
def test_a_score_outside_the_scale_or_a_missing_one_answers_422_at_the_field_saving_nothing(
        app, client, world, posted, message):
    login(client, world.reviewer)
    r = client.post(url(world.first), data=form(world, **posted))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page
    assert 'class="field-errors"' in page and "Please correct the marked fields." in page
    assert the_review(app, world.a1) is None
    assert audit_actions(app) == []


def test_a_draft_may_leave_scores_open_but_not_outside_the_scale(app, client, world):
    login(client, world.reviewer)
    r = client.post(url(world.first), data=form(world, action="draft", score="6"))
    assert r.status_code == 422 and "Choose a score from 1 to 5." in r.get_data(as_text=True)
    assert the_review(app, world.a1) is None
    r = client.post(url(world.first), data=form(world, action="draft", score=None, recommendation=None))
    assert r.status_code == 302 and the_review(app, world.a1).score_map == {}


def test_the_review_window_is_enforced_to_the_second_in_the_events_zone(app, client, world, clock):
    def at(moment):  # log in again: a login lasts less long than the review period
        clock.set(moment)
        login(client, world.reviewer)

    at(world.opens - timedelta(seconds=1))
    early = client.post(url(world.first), data=form(world))
    assert early.status_code == 403 and "The review period opens on" in early.get_data(as_text=True)
    assert the_review(app, world.a1) is None

    at(world.opens)
    assert client.post(url(world.first), data=form(world)).headers["Location"].endswith("/reviewing")
    at(world.closes - timedelta(seconds=1))
    assert client.post(url(world.first), data=form(world, version="1", score="2")).status_code == 302
    assert the_review(app, world.a1).score_map == {world.criterion: 2}

    at(world.closes)
    late = client.post(url(world.first), data=form(world, version="2", score="5"))
    assert late.status_code == 403
    assert "The review period closed on Dec 31, 2024, 23:59 CET" in late.get_data(as_text=True)  # Berlin time
    assert the_review(app, world.a1).score_map == {world.criterion: 2}
    page = client.get(url(world.first)).get_data(as_text=True)
    assert "The review period closed on" in page and 'name="action"' not in page
    assert "Solid practice report." in page  # the own review, read only


def test_unassigned_and_conflicted_proposals_answer_404_and_are_not_counted(app, client, world):
    with app.app_context():
        db.session.add(ConflictDeclaration(event_id=world.event, user_id=world.reviewer_user_id,
                                           proposal_id=world.second, reason="my former team"))
        db.session.commit()
    login(client, world.reviewer)
    for proposal_id in (world.second, world.third, 999_999):
        assert client.get(url(proposal_id)).status_code == 404
        assert client.post(url(proposal_id), data=form(world)).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Review.id))) == 0
    dashboard = client.get("/reviewing").get_data(as_text=True)
    assert "Open data" in dashboard and "Smart bins" not in dashboard and "Not yours" not in dashboard
    assert "0 of 1 reviews submitted" in dashboard
    # nor do they reach the speakers' proposal page, for any proposal
    for proposal_id in (world.first, world.second, world.third):
        assert client.get(f"/events/scd/proposals/{proposal_id}").status_code == 404


def test_a_reviewer_of_the_same_organisation_as_the_speaker_does_not_meet_the_proposal(app, client, world):
    with app.app_context():  # the computed rule: a Herne speaker's proposal and a reviewer of the city of Herne
        herne = make_user(name="Hanna Herne", email="hanna@herne-verwaltung.de", organisation="Stadt Herne",
                          organisation_type="city", city="Herne", language="en")
        reviewer = add_reviewer(db.session.get(Event, world.event), herne)
        for assignment_id in (world.a1, world.a2):
            assign(reviewer, db.session.get(Assignment, assignment_id).proposal)
        db.session.commit()
    login(client, "hanna@herne-verwaltung.de")
    assert client.get(url(world.first)).status_code == 404
    dashboard = client.get("/reviewing").get_data(as_text=True)
    assert "Open data" not in dashboard and "Smart bins" not in dashboard
    assert "No assignments yet." in dashboard


MARKERS = {"name": "Zq-Name-Marker", "organisation": "Zq-Org-Marker", "email": "zq-mail-marker@zq-domain.example",
           "bio": "Zq-Bio-Marker", "city": "Zq-City-Marker", "project_organisation": "Zq-ProjOrg-Marker",
           "project_city": "Zq-ProjCity-Marker", "project_partners": "Zq-Partners-Marker",
           "notes_for_committee": "Zq-Notes-Marker", "co_name": "Zq-CoName-Marker", "co_org": "Zq-CoOrg-Marker",
           "co_email": "zq-co-marker@zq-co.example", "co_city": "Zq-CoCity-Marker", "co_bio": "Zq-CoBio-Marker"}


def seed_identities(app, world, *, blind: bool) -> None:
    with app.app_context():
        event = db.session.get(Event, world.event)
        db.session.add(ReviewSettings(event_id=event.id, blind=blind, visibility=ReviewVisibility.always,
                                      reviews_per_proposal=3, max_load=12, confirm_days=14))
        speaker = make_user(name=MARKERS["name"], email=MARKERS["email"], organisation=MARKERS["organisation"],
                            organisation_type="company", city=MARKERS["city"])
        speaker.bio = MARKERS["bio"]
        co = make_user(name=MARKERS["co_name"], email=MARKERS["co_email"], organisation=MARKERS["co_org"],
                       organisation_type="startup", city=MARKERS["co_city"])
        co.bio = MARKERS["co_bio"]
        chair = db.session.scalar(select(type(speaker)).where(type(speaker).email == world.chair))
        proposal = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair,
                                 title="Marked proposal", project_organisation=MARKERS["project_organisation"],
                                 project_city=MARKERS["project_city"], project_partners=MARKERS["project_partners"],
                                 notes_for_committee=MARKERS["notes_for_committee"])
        proposal.speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=DURING_CFP))
        assign(db.session.get(Reviewer, world.reviewer_id), proposal)
        world.marked = proposal.id
        db.session.commit()


def reviewer_pages(client, world) -> list[str]:
    pages = [client.get("/reviewing").get_data(as_text=True), client.get(url(world.marked)).get_data(as_text=True)]
    pages.append(client.post(url(world.marked), data=form(world, score="9")).get_data(as_text=True))  # 422 page
    assert client.post(url(world.marked), data=form(world, action="draft")).status_code == 302
    pages.append(client.get(url(world.marked), follow_redirects=True).get_data(as_text=True))
    return pages


def test_blind_review_shows_no_speaker_identity_on_any_page_the_reviewer_reaches(app, client, world):
    seed_identities(app, world, blind=True)
    login(client, world.reviewer)
    pages = reviewer_pages(client, world)
    assert "Marked proposal" in pages[0] and "Marked proposal" in pages[1]
    for page in pages:
        for marker in MARKERS.values():
            assert marker.lower() not in page.lower(), marker
        assert "zq-" not in page.lower()


def test_without_blind_review_the_reviewer_sees_the_speakers_with_organisation_and_city(app, client, world):
    seed_identities(app, world, blind=False)
    login(client, world.reviewer)
    page = client.get(url(world.marked)).get_data(as_text=True)
    for key in ("name", "organisation", "city", "co_name", "co_org", "project_organisation", "project_partners",
                "notes_for_committee"):
        assert MARKERS[key] in page, key
    assert MARKERS["email"] not in page  # never needed to review


def set_visibility(app, world, visibility: ReviewVisibility) -> None:
    with app.app_context():
        db.session.add(ReviewSettings(event_id=world.event, blind=False, visibility=visibility,
                                      reviews_per_proposal=3, max_load=12, confirm_days=14))
        submitted_review(db.session.get(Assignment, world.o1), db.session.get(ReviewCriterion, world.criterion), 2,
                         "Otto thinks the data part is thin.")
        db.session.commit()


@pytest.mark.parametrize(("visibility", "before", "after"), [
    (ReviewVisibility.never, False, False),
    (ReviewVisibility.after_own, False, True),
    (ReviewVisibility.always, True, True),
])
def test_the_other_reviews_show_as_the_event_says(app, client, world, visibility, before, after):
    set_visibility(app, world, visibility)
    login(client, world.reviewer)
    page = client.get(url(world.first)).get_data(as_text=True)
    assert ("Otto thinks the data part is thin." in page) is before
    assert ("Review by Otto Otherreviewer" in page) is before
    client.post(url(world.first), data=form(world, action="draft"))
    page = client.get(url(world.first)).get_data(as_text=True)
    assert ("Otto thinks the data part is thin." in page) is before  # a draft is not a submitted review
    assert client.post(url(world.first), data=form(world, version="1")).status_code == 302
    page = client.get(url(world.first)).get_data(as_text=True)
    assert ("Otto thinks the data part is thin." in page) is after
    if not after:
        assert "Review by" not in page


def test_the_criteria_lock_once_the_first_review_is_submitted(app, client, world):
    edit = f"/events/scd/manage/criteria/{world.criterion}/edit"
    values = {"name_de": "Praxisrelevanz", "name_en": "Practical relevance", "description_de": "",
              "description_en": "", "weight": "3", "scale_min": "1", "scale_max": "5", "position": "0"}
    login(client, world.chair)
    assert client.post(edit, data=values).status_code == 302  # before any submitted review: free to change
    reviewer = app.test_client()
    login(reviewer, world.reviewer)
    reviewer.post(url(world.first), data=form(world, action="draft"))
    assert client.post(edit, data={**values, "weight": "4"}).status_code == 302  # a draft does not lock them
    assert reviewer.post(url(world.first), data=form(world, version="1")).status_code == 302

    r = client.post(edit, data={**values, "weight": "1", "scale_max": "10"})
    assert r.status_code == 409
    assert "Die Bewertungskriterien sind gesperrt: Das erste Gutachten wurde am 10.12.2024, 13:00 MEZ eingereicht" \
        in r.get_data(as_text=True)  # in the chair's language, the moment in the event's zone
    deleting = client.post(f"/events/scd/manage/criteria/{world.criterion}/delete")
    assert deleting.status_code == 409 and "Die Bewertungskriterien sind gesperrt" in deleting.get_data(as_text=True)
    adding = client.post("/events/scd/manage/criteria/new", data={**values, "name_de": "Neu", "name_en": "New"})
    assert adding.status_code == 409 and "Die Bewertungskriterien sind gesperrt" in adding.get_data(as_text=True)
    with app.app_context():
        criteria = db.session.scalars(select(ReviewCriterion).where(ReviewCriterion.event_id == world.event)).all()
        assert [(c.name_en, c.weight, c.scale_max) for c in criteria] == [("Practical relevance", 4, 5)]
    # other configuration stays editable
    theme = client.post("/events/scd/manage/themes/new", data={"name_de": "Mobilität", "name_en": "Mobility",
                                                               "colour": "#005a9c", "position": "5"})
    assert theme.status_code == 302


def test_the_dashboard_loads_in_a_fixed_number_of_queries(app, client, world):
    login(client, world.reviewer)

    def queries() -> tuple[int, str]:
        client.get("/reviewing")
        with counted(app) as statements:
            page = client.get("/reviewing").get_data(as_text=True)
        return len(statements), page

    few, page = queries()
    assert "0 of 2 reviews submitted" in page
    with app.app_context():
        event = db.session.get(Event, world.event)
        speaker = make_user(name="More")
        reviewer = db.session.get(Reviewer, world.reviewer_id)
        committee = make_user(name="Second chair")
        events.grant_role(event, committee, Role.committee, actor=None, now=DURING_CFP)
        for i in range(6):
            assign(reviewer, make_proposal(event, speaker, state=ProposalState.under_review, committee=committee,
                                           title=f"More {i}"))
        db.session.commit()
    many, page = queries()
    assert "0 of 8 reviews submitted" in page and "More 5" in page
    assert many == few
