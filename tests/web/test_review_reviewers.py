"""Reviewers: invited by the committee (an existing account at once, an unknown address by a signed link that
works after registering), their themes, languages and bids; conflicted proposals never on their bidding page,
and under blind review no speaker identity on it."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from review_app.audit.models import AuditEntry
from review_app.cfp.models import ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.events.models import EventRole, Role
from review_app.events.services import grant_role
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending
from review_app.review.models import Bid, BidLevel, ConflictDeclaration, Reviewer, ReviewSettings

from ..conftest import TEST_PASSWORD
from ..factories import AFTER_CFP, DURING_CFP, login, make_event, make_proposal, make_user

T = AFTER_CFP


def _setup(app, *, blind: bool = False):
    """An event with a chair, a reviewer (Uni Bochum) and three proposals under review from Herne; the
    reviewer's own colleague (same organisation) speaks on the second, the third is only submitted."""
    with app.app_context():
        chair = make_user(name="Clara Chair", email="chair@committee.org", organisation="Komitee", city="Essen",
                          organisation_type="other")
        event = make_event(slug="scd", committee=chair)
        rita = make_user(name="Rita Reviewer", email="rita@uni-bochum.de", organisation="Uni Bochum",
                         organisation_type="research", city="Bochum", language="en")
        grant_role(event, rita, Role.reviewer, actor=None, now=T)
        speaker = make_user(name="Sam Speaker", email="sam@herne.de")
        colleague = make_user(name="Cora Colleague", email="cora@web.de", organisation="Uni Bochum e. V.",
                              organisation_type="research", city="Bochum")
        p1 = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair, title="Open data portal")
        p2 = make_proposal(event, colleague, state=ProposalState.under_review, committee=chair,
                           title="Colleague's smart parking", project_organisation="", project_city="")
        p3 = make_proposal(event, speaker, state=ProposalState.submitted, title="Digital twin")
        if blind:
            db.session.add(ReviewSettings(event_id=event.id, blind=True, visibility="after_own",
                                          reviews_per_proposal=3, max_load=12, confirm_days=14))
        db.session.commit()
        return event.id, rita.id, p1.id, p2.id, p3.id


def test_inviting_an_existing_account_makes_it_a_reviewer_at_once(app, client, clock, smtp_server):
    clock.set(T)
    _setup(app)
    with app.app_context():
        make_user(name="Otto Existing", email="otto@fh-dortmund.de", language="en")
        db.session.commit()
    login(client, "chair@committee.org")
    r = client.post("/events/scd/manage/reviewers", data={"email": "Otto@FH-Dortmund.de", "language": "de"})
    assert r.status_code == 302
    page = client.get("/events/scd/manage/reviewers").get_data(as_text=True)
    assert "Otto Existing" in page and "Rita Reviewer" in page
    with app.app_context():
        otto_roles = db.session.scalars(select(EventRole.role).join(EventRole.user)
                                        .where(EventRole.user.has(email="otto@fh-dortmund.de"))).all()
        assert Role.reviewer in otto_roles
        assert db.session.scalar(select(Reviewer).join(Reviewer.user).where(Reviewer.user.has(
            email="otto@fh-dortmund.de"))) is not None
        assert [m.template for m in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == "otto@fh-dortmund.de", OutboxMessage.template != "confirm_email"))] == [
            "role_granted"]
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reviewer.add")) is not None


def test_a_new_address_registers_through_the_signed_link_and_becomes_a_reviewer(app, client, clock, smtp_server):
    clock.set(T)
    _setup(app)
    login(client, "chair@committee.org")
    r = client.post("/events/scd/manage/reviewers", data={"email": "nina@tu-dortmund.de", "language": "en"})
    assert r.status_code == 302
    with app.app_context():
        send_pending(now=T)
    [mail] = smtp_server.to("nina@tu-dortmund.de")
    assert "invitation to review" in mail["subject"]
    assert "Clara Chair invites you" in " ".join(mail["body"].split())
    link = re.search(r"http://localhost(/reviewer-invitations/\S+)", mail["body"]).group(1)
    client.post("/logout")

    # a stranger's account cannot use the link
    with app.app_context():
        make_user(name="Eve Else", email="eve@else.de")
        db.session.commit()
    login(client, "eve@else.de")
    r = client.post(link)
    assert r.status_code == 403 and "nina@tu-dortmund.de" in r.get_data(as_text=True)
    client.post("/logout")

    # anonymous: the page offers to register with the invited address, coming back here
    page = client.get(link).get_data(as_text=True)
    assert "nina%40tu-dortmund.de" in page or "nina@tu-dortmund.de" in page
    r = client.post(f"/register?next={link}", data={
        "name": "Nina New", "email": "nina@tu-dortmund.de", "password": TEST_PASSWORD,
        "password_repeat": TEST_PASSWORD, "password_confirm": TEST_PASSWORD, "organisation": "TU Dortmund",
        "organisation_type": "research", "city": "Dortmund", "language": "en", "privacy_consent": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    with app.app_context():
        send_pending(now=T)
    [confirm] = [m for m in smtp_server.to("nina@tu-dortmund.de") if m is not mail]
    confirm_link = re.search(r"http://localhost(/confirm/\S+)", confirm["body"]).group(1)
    r = client.get(confirm_link)
    assert r.status_code == 302 and r.headers["Location"].endswith(link)
    login(client, "nina@tu-dortmund.de")
    r = client.post(link)
    assert r.status_code == 302 and r.headers["Location"].endswith("/events/scd/review/preferences")
    with app.app_context():
        reviewer = db.session.scalar(select(Reviewer).where(Reviewer.user.has(email="nina@tu-dortmund.de")))
        assert reviewer is not None
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reviewer.join")) is not None
    assert client.get("/events/scd/review/preferences").status_code == 200

    # after 30 days the link is gone
    clock.set(T + timedelta(days=31))
    assert client.get(link).status_code == 410
    assert client.get(link[:-3] + "abc").status_code == 404


def test_preferences_are_saved_and_conflicted_proposals_never_listed(app, client, clock):
    clock.set(T)
    event_id, rita_id, p1, p2, p3 = _setup(app)
    login(client, "rita@uni-bochum.de")
    page = client.get("/events/scd/review/preferences").get_data(as_text=True)
    assert "Open data portal" in page and "Digital twin" in page
    assert "Colleague" not in page  # same organisation ("Uni Bochum e. V."): conflicted
    assert "2 proposals" in page
    with app.app_context():
        theme_id = db.session.scalar(select(ProposalSpeaker.proposal_id))  # any id; replaced below
        from review_app.events.models import Theme
        theme_id = db.session.scalar(select(Theme.id).where(Theme.event_id == event_id).order_by(Theme.position))

    # a bid on the conflicted proposal is refused whole
    r = client.post("/events/scd/review/preferences", data={"languages": ["de"], f"bid-{p1}": "eager",
                                                            f"bid-{p2}": "eager"})
    assert r.status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Bid)).all() == []

    r = client.post("/events/scd/review/preferences", data={
        "expert_theme_ids": [str(theme_id)], "languages": ["de", "en"], f"bid-{p1}": "eager",
        f"bid-{p3}": "conflict"})
    assert r.status_code == 302
    with app.app_context():
        reviewer = db.session.scalar(select(Reviewer).where(Reviewer.user_id == rita_id))
        assert reviewer.languages == "de,en" and [t.id for t in reviewer.expert_themes] == [theme_id]
        assert {(b.proposal_id, b.level) for b in db.session.scalars(select(Bid))} == {
            (p1, BidLevel.eager), (p3, BidLevel.conflict)}
        [declared] = db.session.scalars(select(ConflictDeclaration)).all()
        assert (declared.user_id, declared.proposal_id) == (rita_id, p3)
    page = client.get("/events/scd/review/preferences").get_data(as_text=True)
    assert "Open data portal" in page and f'name="bid-{p3}"' not in page and "1 proposal" in page
    assert "Conflicts of interest you declared" in page  # where it can be taken back
    assert re.search(r'<option value="eager" selected>', page)

    r = client.post("/events/scd/review/preferences", data={"languages": ["fr"]})
    assert r.status_code == 422


def test_the_preferences_page_is_for_reviewers_only(app, client, clock):
    clock.set(T)
    _setup(app)
    login(client, "sam@herne.de")
    assert client.get("/events/scd/review/preferences").status_code == 404


MARKERS = {"name": "Zqname", "email": "zqmail@zqdomain.de", "organisation": "Zqorg", "city": "Zqcity",
           "bio": "Zqbio"}


def test_blind_review_shows_no_speaker_identity_on_the_preferences_page(app, client, clock):
    clock.set(T)
    event_id, rita_id, p1, *_ = _setup(app, blind=True)
    with app.app_context():
        from review_app.cfp.models import Proposal
        speaker = make_user(name=MARKERS["name"] + " Main", email="zqmail@zqdomain.de",
                            organisation=MARKERS["organisation"] + " Main", city=MARKERS["city"] + "main")
        speaker.bio = MARKERS["bio"] + " main"
        co = make_user(name=MARKERS["name"] + " Co", email="zqco@zqdomain.de",
                       organisation=MARKERS["organisation"] + " Co", city=MARKERS["city"] + "co")
        co.bio = MARKERS["bio"] + " co"
        from review_app.events.models import Event
        event = db.session.get(Event, event_id)
        proposal = make_proposal(event, speaker, state=ProposalState.submitted, title="Blind title",
                                 project_organisation="Zqprojorg", project_city="Zqprojcity")
        proposal.speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=DURING_CFP))
        db.session.commit()
        assert db.session.get(Proposal, proposal.id).state is ProposalState.submitted
    login(client, "rita@uni-bochum.de")
    page = client.get("/events/scd/review/preferences").get_data(as_text=True)
    assert "Blind title" in page
    for marker in ("Zqname", "zqmail", "zqco", "zqdomain", "Zqorg", "Zqcity", "Zqbio", "Zqprojorg", "Zqprojcity",
                   "Sam Speaker", "sam@herne.de"):
        assert marker.lower() not in page.lower(), marker

    # without blind review the same page names the speakers
    with app.app_context():
        db.session.get(ReviewSettings, event_id).blind = False
        db.session.commit()
    page = client.get("/events/scd/review/preferences").get_data(as_text=True)
    assert "Zqname Main" in page
