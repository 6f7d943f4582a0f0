"""Assignment: by hand never a conflicted or out-of-theme reviewer (422, nothing saved); automatically k reviews
per proposal under review within load caps and limited themes, never a conflict, and one mail per reviewer
listing all their new assignments; the overview page's query count does not grow with the proposals."""
from __future__ import annotations

import re

from sqlalchemy import select

from review_app.accounts.models import User
from review_app.audit.models import AuditEntry
from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events.models import Event, Role, Theme
from review_app.events.services import grant_role
from review_app.mail.services import send_pending
from review_app.review.models import Assignment, Reviewer, ReviewSettings

from ..factories import AFTER_CFP, login, make_event, make_proposal, make_user
from .test_queries import counted

T = AFTER_CFP


def _setup(app, n_reviewers=4, n_proposals=4):
    """A chair; reviewers r0… from distinct organisations; proposals under review from Herne (main theme 0)."""
    with app.app_context():
        chair = make_user(name="Clara Chair", email="chair@committee.org", organisation="Komitee", city="Essen",
                          organisation_type="other", language="en")
        event = make_event(slug="scd", committee=chair)
        reviewers = []
        for i in range(n_reviewers):
            user = make_user(name=f"Reviewer {i}", email=f"r{i}@org{i}.de", organisation=f"Org {i}",
                             organisation_type="research", city=f"City {i}", language="en")
            grant_role(event, user, Role.reviewer, actor=None, now=T)
            reviewers.append(user.id)
        speaker = make_user(name="Sam Speaker", email="sam@herne.de")
        proposals = [make_proposal(event, speaker, state=ProposalState.under_review, committee=chair,
                                   title=f"Proposal {i}").id for i in range(n_proposals)]
        db.session.add(ReviewSettings(event_id=event.id, blind=False, visibility="after_own", reviews_per_proposal=2,
                                      max_load=12, confirm_days=14))
        db.session.commit()
        return event.id, reviewers, proposals


def _pairs(app):
    with app.app_context():
        return {(a.reviewer.user_id, a.proposal_id) for a in db.session.scalars(select(Assignment))}


def test_by_hand_a_conflicted_or_out_of_theme_reviewer_is_refused(app, client, clock, smtp_server):
    clock.set(T)
    event_id, (r0, r1, r2, _r3), (p0, *_rest) = _setup(app)
    with app.app_context():
        db.session.get(User, r0).organisation = "Stadt Herne"  # the speaker's organisation
        event = db.session.get(Event, event_id)
        other_theme = db.session.scalar(select(Theme).where(Theme.event_id == event_id).order_by(Theme.position.desc()))
        reviewer = Reviewer(event_id=event.id, user_id=r1, languages="")
        reviewer.limited_themes = [other_theme]
        db.session.add(reviewer)
        db.session.commit()
    login(client, "chair@committee.org")
    r = client.post(f"/events/scd/manage/assignments/{p0}/add", data={"reviewer_id": r0})
    assert r.status_code == 422 and "Reviewer 0 has a conflict of interest" in r.get_data(as_text=True)
    r = client.post(f"/events/scd/manage/assignments/{p0}/add", data={"reviewer_id": r1})
    assert r.status_code == 422 and "reviews only some themes" in r.get_data(as_text=True)
    assert _pairs(app) == set()
    page = client.get(f"/events/scd/manage/assignments/{p0}").get_data(as_text=True)
    assert "Conflict of interest" in page and "Outside their themes" in page

    r = client.post(f"/events/scd/manage/assignments/{p0}/add", data={"reviewer_id": r2})
    assert r.status_code == 302
    assert _pairs(app) == {(r2, p0)}
    r = client.post(f"/events/scd/manage/assignments/{p0}/add", data={"reviewer_id": r2})
    assert r.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.create")) is not None
        send_pending(now=T)
    [mail] = [m for m in smtp_server.to("r2@org2.de") if "to review" in m["subject"]]
    assert "1 new proposal to review" in mail["subject"] and f"- #{p0} Proposal 0" in mail["body"]


def test_automatic_assignment_respects_conflicts_caps_and_themes_and_mails_each_reviewer_once(
        app, client, clock, smtp_server):
    clock.set(T)
    event_id, (r0, r1, r2, r3), proposals = _setup(app, n_reviewers=4, n_proposals=4)
    with app.app_context():
        db.session.get(User, r0).organisation = "Stadt Herne"  # conflicted with every proposal
        other_theme = db.session.scalar(select(Theme).where(Theme.event_id == event_id).order_by(Theme.position.desc()))
        limited = Reviewer(event_id=event_id, user_id=r1, languages="")
        limited.limited_themes = [other_theme]  # no proposal has it as its main theme
        capped = Reviewer(event_id=event_id, user_id=r2, languages="", max_load=3)
        db.session.add_all([limited, capped])
        db.session.commit()
    login(client, "chair@committee.org")
    # one proposal already has r3 by hand: kept, counted towards k and the load
    assert client.post(f"/events/scd/manage/assignments/{proposals[0]}/add", data={"reviewer_id": r3}).status_code \
        == 302
    with app.app_context():
        send_pending(now=T)
    smtp_server.messages.clear()

    r = client.post("/events/scd/manage/assignments/automatic")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    pairs = _pairs(app)
    assert not any(uid in (r0, r1) for uid, _ in pairs)  # conflicted / out of theme: never
    assert sum(1 for uid, _ in pairs if uid == r2) == 3  # the cap
    assert sum(1 for uid, _ in pairs if uid == r3) == 4
    per_proposal = {pid: sum(1 for _, q in pairs if q == pid) for pid in proposals}
    assert sorted(per_proposal.values()) == [1, 2, 2, 2]  # 7 reviews possible for 8 needed
    [short] = [pid for pid, n in per_proposal.items() if n == 1]
    assert "Proposals that could not be covered" in page
    assert re.search(rf"#{short} Proposal \d+ – 1 review missing: ", page)
    assert "6 new assignments" in page

    with app.app_context():
        auto = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.automatic"))
        assert len(auto.details["pairs"]) == 6
        send_pending(now=T)
    assert sorted(m["envelope_to"][0] for m in smtp_server.messages) == ["r2@org2.de", "r3@org3.de"]
    [r2_mail] = smtp_server.to("r2@org2.de")
    assert "3 new proposals to review" in r2_mail["subject"]
    assert len(re.findall(r"^- #\d+ Proposal", r2_mail["body"], re.M)) == 3
    [r3_mail] = smtp_server.to("r3@org3.de")
    assert len(re.findall(r"^- #\d+ Proposal", r3_mail["body"], re.M)) == 3  # its hand-made one is not repeated

    # a second run finds nothing new and sends nothing
    client.post("/events/scd/manage/assignments/automatic")
    assert len(_pairs(app)) == 7
    with app.app_context():
        assert send_pending(now=T)["sent"] == 0


def test_the_assignments_page_needs_the_same_queries_for_more_proposals(app, client, clock):
    clock.set(T)
    event_id, reviewers, _ = _setup(app, n_reviewers=3, n_proposals=2)
    login(client, "chair@committee.org")
    client.post("/events/scd/manage/assignments/automatic")
    client.get("/events/scd/manage/assignments")
    with counted(app) as few:
        page = client.get("/events/scd/manage/assignments").get_data(as_text=True)
    assert "Reviewer 0" in page
    with app.app_context():
        event = db.session.get(Event, event_id)
        speaker = make_user(name="Other Speaker", email="other@herne.de")
        chair = db.session.scalar(select(User).where(User.email == "chair@committee.org"))
        for i in range(6):
            make_proposal(event, speaker, state=ProposalState.under_review, committee=chair, title=f"More {i}")
        db.session.commit()
    client.post("/events/scd/manage/assignments/automatic")
    with counted(app) as many:
        page = client.get("/events/scd/manage/assignments").get_data(as_text=True)
    assert "More 5" in page
    assert len(many) == len(few)


def test_committee_pages_are_hidden_from_reviewers(app, client, clock):
    clock.set(T)
    _setup(app)
    login(client, "r1@org1.de")
    for path in ("/events/scd/manage/reviewers", "/events/scd/manage/conflicts", "/events/scd/manage/assignments"):
        assert client.get(path).status_code == 404
    assert client.post("/events/scd/manage/assignments/automatic").status_code == 404
    assert _pairs(app) == set()
