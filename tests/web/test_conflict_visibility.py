"""A committee member conflicted with a proposal (the same organisation as its speaker, or its speaker) meets it in
no list, count, search, city choice, ranking, export, conflict or assignment page, and its URLs answer 404 to them;
the chair, conflicted with nothing, sees it everywhere."""
from __future__ import annotations

from types import SimpleNamespace

from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Role
from review_app.review.models import Reviewer

from ..factories import AFTER_CFP, login, make_user
from .decision_helpers import assign_only, committee_event, reviewer, speaker_proposal, submitted_review

SECRET = "Quartiersspeicher Ruhrort"  # the conflicted proposal's title
CITY = "Duisburg-Ruhrort"  # its project's city, named by no other proposal


def world(app):
    """The member works at "Musterwerk GmbH", as does the speaker of SECRET; both are reviewed (a comment each)."""
    with app.app_context():
        event, chair = committee_event()
        secret, _speaker = speaker_proposal(event, chair, SECRET, organisation="Musterwerk GmbH",
                                            project_city=CITY, abstract="Lastmanagement im Quartier.")
        other, _ = speaker_proposal(event, chair, "Offene Daten Bochum")
        member = make_user(name="Mia Member", email="mia@mitglied.test", organisation="Musterwerk GmbH",
                           organisation_type="company", city="Moers", language="en")
        events.grant_role(event, member, Role.committee, actor=None, now=AFTER_CFP)
        events.grant_role(event, member, Role.reviewer, actor=None, now=AFTER_CFP)
        db.session.add(Reviewer(event_id=event.id, user_id=member.id, languages="de,en"))
        rita = reviewer(event, "Rita")
        criterion = event.criteria[0].id
        submitted_review(rita, secret, {criterion: 4}, comment_committee="Kommentar zum Speicher")
        submitted_review(rita, other, {criterion: 3}, comment_committee="Kommentar zu Bochum")
        db.session.flush()
        # an assignment made before the conflict was known: the member still must not reach the review page
        assign_only(db.session.query(Reviewer).filter_by(user_id=member.id).one(), secret)
        db.session.commit()
        return SimpleNamespace(chair=chair.email, member=member.email, secret=secret.id, other=other.id)


def client_of(app, email):
    c = app.test_client()
    login(c, email)
    return c


def test_a_member_of_the_speakers_organisation_meets_the_proposal_nowhere(app, clock):
    clock.set(AFTER_CFP)
    w = world(app)
    member = client_of(app, w.member)

    listing = member.get("/events/scd/manage/proposals")
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert "Offene Daten Bochum" in page and SECRET not in page
    assert CITY not in page  # not even among the cities to filter by
    assert '>All <span class="count">1</span>' in page  # the counts leave it out too
    searched = member.get("/events/scd/manage/proposals", query_string={"q": "Quartier"}).get_data(as_text=True)
    assert SECRET not in searched and '>All <span class="count">0</span>' in searched
    by_state = member.get("/events/scd/manage/proposals", query_string={"state": "under_review"})
    assert SECRET not in by_state.get_data(as_text=True)

    ranking = member.get("/events/scd/manage/ranking").get_data(as_text=True)
    assert "Offene Daten Bochum" in ranking and SECRET not in ranking and CITY not in ranking
    for export in ("ranking.csv", "reviews.csv"):
        csv_text = member.get(f"/events/scd/manage/{export}").get_data(as_text=True)
        assert "Offene Daten Bochum" in csv_text and SECRET not in csv_text, export
    assert "Kommentar zum Speicher" not in member.get("/events/scd/manage/reviews.csv").get_data(as_text=True)

    assignments = member.get("/events/scd/manage/assignments").get_data(as_text=True)
    assert "Offene Daten Bochum" in assignments and SECRET not in assignments
    assert SECRET not in member.get("/events/scd/manage/conflicts").get_data(as_text=True)
    assert SECRET not in member.get("/reviewing").get_data(as_text=True)
    assert SECRET not in member.get("/events/scd/review/preferences").get_data(as_text=True)

    for url in (f"/events/scd/proposals/{w.secret}", f"/events/scd/manage/assignments/{w.secret}",
                f"/events/scd/reviews/{w.secret}"):
        response = member.get(url)
        assert response.status_code == 404, url
        assert SECRET not in response.get_data(as_text=True), url
    assert member.post(f"/events/scd/manage/assignments/{w.secret}/add", data={"reviewer_id": "1"}).status_code == 404
    assert member.get(f"/events/scd/proposals/{w.other}").status_code == 200

    # the chair, conflicted with nothing, sees it everywhere, the member's conflict included
    chair = client_of(app, w.chair)
    page = chair.get("/events/scd/manage/proposals").get_data(as_text=True)
    assert SECRET in page and CITY in page and '>All <span class="count">2</span>' in page
    assert chair.get(f"/events/scd/proposals/{w.secret}").status_code == 200
    assert chair.get(f"/events/scd/manage/assignments/{w.secret}").status_code == 200
    assert SECRET in chair.get("/events/scd/manage/assignments").get_data(as_text=True)
    conflicts = chair.get("/events/scd/manage/conflicts").get_data(as_text=True)
    assert SECRET in conflicts and "Mia Member" in conflicts


def test_a_speaker_on_the_committee_reads_their_own_proposal_only_as_its_speaker(app, clock):
    clock.set(AFTER_CFP)
    with app.app_context():
        event, chair = committee_event()
        own, speaker = speaker_proposal(event, chair, "Mein eigener Vortrag", state=ProposalState.submitted)
        speaker_proposal(event, chair, "Fremder Vortrag", state=ProposalState.submitted)
        events.grant_role(event, speaker, Role.committee, actor=None, now=AFTER_CFP)
        db.session.commit()
        email, own_id = speaker.email, own.id
    c = client_of(app, email)

    listing = c.get("/events/scd/manage/proposals").get_data(as_text=True)
    assert "Fremder Vortrag" in listing and "Mein eigener Vortrag" not in listing
    page = c.get(f"/events/scd/proposals/{own_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'href="/dashboard"' in body.split("<h1>", 1)[0]  # the speaker's breadcrumb, not the committee's list
    assert "back-to-list" not in body
