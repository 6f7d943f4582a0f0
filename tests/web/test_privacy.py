"""Personal data: the person's JSON export, deleting one's account, `flask retention`, and the site admin's audit
log with its filters."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from review_app.accounts import services as accounts
from review_app.accounts.models import AccountToken, LoginSession, User
from review_app.audit.models import AuditEntry, record
from review_app.cfp import services as cfp
from review_app.cfp.models import Availability, Invitation, Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Event, EventRole, Role
from review_app.mail.models import OutboxMessage
from review_app.privacy import export, services
from review_app.review.models import (
    Assignment,
    ConflictDeclaration,
    ConflictOverride,
    Recommendation,
    Review,
    Reviewer,
    ReviewScore,
    ReviewState,
)
from review_app.schedule.models import ScheduleVersion

from ..conftest import TEST_PASSWORD
from ..factories import AFTER_CFP, DURING_CFP, OUTSIDE, login, make_event, make_proposal, make_user
from .public_helpers import BASE, FEEDS, PROGRAMME, SPEAKERS, A, U, build_programme, release, translated
from .test_queries import counted

# -- the export ----------------------------------------------------------------------------------------------------

# Every column referring to user.id, as the export treats it: exported (its rows where it holds the person's id),
# or left out with a reason in review_app/privacy/export.py. A new table that refers to a person fails here until
# someone decides which it is.
EXPORTED = {
    "account_token.user_id", "audit_entry.actor_id", "event_role.user_id", "login_session.user_id",
    "reviewer.user_id", "speaker_availability.user_id", "conflict_declaration.user_id",
    "conflict_override.user_id", "invitation.invited_by_id", "invitation.accepted_by_id",
    "proposal_speaker.user_id",
}


def test_every_column_referring_to_a_person_is_exported_or_declared_left_out_with_a_reason(app):
    with app.app_context():
        columns = {f"{c.table.name}.{c.name}" for c in export.user_columns()}
    undeclared = columns - EXPORTED - set(export.LEFT_OUT)
    assert not undeclared, f"refers to user.id but is neither exported nor in export.LEFT_OUT: {sorted(undeclared)}"
    assert not EXPORTED & set(export.LEFT_OUT)
    assert set(export.LEFT_OUT) <= columns and columns >= EXPORTED  # no stale declarations
    assert all(len(reason) > 20 for reason in export.LEFT_OUT.values())


def _export_world(app) -> dict:
    """Petra (the person) submits a proposal with co-speaker Bob, states her availability, reviews Carla's proposal
    as a reviewer with a declared conflict and an override, and is logged in; Dora is another reviewer of Carla."""
    with app.app_context():
        chair = make_user(name="Clara Chair", email="chair@beirat.test", **OUTSIDE)
        event = make_event(slug="scd", committee=chair)
        petra = make_user(name="Petra Person", email="petra@herne.test", organisation="Stadt Herne")
        bob = make_user(name="Bob Mitsprecher", email="bob@bochum.test", organisation="Stadt Bochum", city="Bochum")
        carla = make_user(name="Carla Fremd", email="carla@essen.test", organisation="Stadt Essen", city="Essen")
        dora = make_user(name="Dora Gutachterin", email="dora@dortmund.test", organisation="TU", city="Dortmund")
        mine = make_proposal(event, petra, state=ProposalState.submitted, title="Petras Datenraum",
                             notes_for_committee="Bitte am Vormittag.")
        invitation = cfp.invite_co_speaker(mine, bob.email, actor=petra, now=DURING_CFP)
        cfp.accept(invitation, actor=bob, now=DURING_CFP)
        theirs = make_proposal(event, carla, state=ProposalState.under_review, committee=chair,
                               title="Carlas Plattform")
        events.grant_role(event, petra, Role.reviewer, actor=chair, now=AFTER_CFP)
        reviewer = Reviewer(event_id=event.id, user_id=petra.id, languages="de")
        other = Reviewer(event_id=event.id, user_id=dora.id, languages="de")
        db.session.add_all([reviewer, other])
        db.session.flush()
        for r, text in ((reviewer, "Petras Gutachten"), (other, "Doras Gutachten")):
            assignment = Assignment(reviewer_id=r.id, proposal_id=theirs.id, created_by_id=chair.id)
            db.session.add(assignment)
            db.session.flush()
            review = Review(assignment_id=assignment.id, state=ReviewState.submitted,
                            recommendation=Recommendation.accept, confidence=2, comment_committee=text,
                            submitted_at=AFTER_CFP)
            review.scores = [ReviewScore(criterion_id=event.criteria[0].id, score=4)]
            db.session.add(review)
        db.session.add(ConflictDeclaration(event_id=event.id, user_id=petra.id, proposal_id=mine.id,
                                           declared_by_id=chair.id, reason="Eigener Vorschlag"))
        db.session.add(ConflictOverride(event_id=event.id, user_id=petra.id, proposal_id=theirs.id,
                                        reason="Nur dieselbe Stadt", created_by_id=chair.id))
        accounts.request_password_reset(petra.email, now=AFTER_CFP)  # an account token and a secret mail
        db.session.commit()
        return {"event": event.id, "petra": petra.id, "mine": mine.id, "theirs": theirs.id}


def test_the_export_holds_the_persons_rows_and_nothing_of_other_people(app, client, clock):
    clock.set(AFTER_CFP + timedelta(days=2))
    ids = _export_world(app)
    login(client, "petra@herne.test")
    page = client.get("/profile/data").get_data(as_text=True)
    assert "My data" in page or "Meine Daten" in page
    assert 'action="/profile/data"' in page
    r = client.post("/profile/data")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    text = r.get_data(as_text=True)
    data = json.loads(text)
    assert data["profile"]["email"] == "petra@herne.test" and data["profile"]["name"] == "Petra Person"
    tables = data["tables"]
    # a row in every exported table
    for column in EXPORTED:
        assert tables.get(column.split(".")[0]), column
    assert len(tables["login_session"]) == 1 and tables["login_session"][0]["user_agent"] is not None
    assert {p["title"] for p in data["proposals"]} == {"Petras Datenraum"}
    assert data["proposals"][0]["notes_for_committee"] == "Bitte am Vormittag."
    assert [r["comment_committee"] for r in data["reviews"]] == ["Petras Gutachten"]
    assert len(data["review_scores"]) == 1 and len(data["assignments"]) == 1
    assert {r["role"] for r in tables["event_role"]} == {"speaker", "reviewer"}
    assert tables["conflict_declaration"][0]["reason"] == "Eigener Vorschlag"
    with app.app_context():
        stated = [(a.day.isoformat(), a.starts.isoformat()) for a in db.session.scalars(
            select(Availability).where(Availability.user_id == ids["petra"]).order_by(Availability.id))]
    assert [(a["day"], a["starts"]) for a in tables["speaker_availability"]] == stated and stated
    assert {a["action"] for a in tables["audit_entry"]} >= {"proposal.create", "proposal.submit", "proposal.invite",
                                                            "account.register", "account.login"}
    assert any(a["action"] == "event.grant_role" for a in data["audit_about_you"])
    # the mails addressed to her; the body of one that held a one-time link is not there
    templates = {m["template"]: m for m in data["mails"]}
    assert {"confirm_email", "reset_password", "invitation_accepted"} <= set(templates)
    assert "body_text" not in templates["reset_password"] and "body_text" not in templates["confirm_email"]
    assert "body_text" in templates["invitation_accepted"]
    # never a secret, nothing of the other people (Bob's name is in the mail telling her he accepted: hers to read)
    assert "token_hash" not in text and "password_hash" not in text and "$argon2" not in text
    without_mails = json.dumps({k: v for k, v in data.items() if k != "mails"}, ensure_ascii=False)
    for other in ("Carla Fremd", "carla@essen.test", "Dora Gutachterin", "dora@dortmund.test", "Doras Gutachten",
                  "Carlas Plattform", "Bob Mitsprecher", "bob@bochum.test", "chair@beirat.test", "Clara Chair"):
        assert other not in without_mails, other
    for other in ("Carla", "Dora", "carla@", "dora@"):  # not even in her mails (the chair's name is: "Clara Chair
        assert other not in text, other                 # gave you the role of reviewer")
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.personal_data"))
        assert entry.actor_id == ids["petra"] and entry.object_type == "user" and entry.object_id == ids["petra"]


def test_the_export_and_deletion_pages_need_a_login(app, client):
    for path in ("/profile/data", "/profile/delete"):
        r = client.get(path)
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.post("/profile/data").status_code in (302, 400)


def test_the_profile_links_to_my_data_and_to_deleting_the_account(app, client):
    with app.app_context():
        make_user(email="p@example.org", language="en")
        db.session.commit()
    login(client, "p@example.org")
    page = client.get("/profile").get_data(as_text=True)
    assert 'href="/profile/data"' in page and 'href="/profile/delete"' in page


# -- deleting an account ---------------------------------------------------------------------------------------------

def _public_texts(client) -> dict[str, str]:
    paths = [PROGRAMME, *(f"{BASE}/{feed}" for feed in FEEDS), f"/api/v1{BASE}/speakers", f"/api/v1{BASE}/sessions"]
    out = {}
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, path
        out[path] = r.get_data(as_text=True)
    return out


def test_deleting_an_account_anonymises_it_ends_its_sessions_and_keeps_the_released_programme_working(
        app, client, smtp_server, clock):
    p = build_programme(app)
    release(app, p.world, "Erste Fassung")
    sam_id, name = p.pid(A), SPEAKERS[A]
    with app.app_context():
        sam = db.session.get(User, sam_id)
        old_email, language = sam.email, sam.language
        event = db.session.get(Event, p.event_id)
        draft = make_proposal(event, sam, title="Sams Entwurf")
        draft_id = draft.id
        accounts.request_password_reset(old_email, now=DURING_CFP)
        db.session.commit()
    clock.set(AFTER_CFP + timedelta(days=3))
    other_client = app.test_client()
    login(other_client, old_email)
    login(client, old_email)
    api = [path for path in _public_texts(client) if "/api/" in path]
    assert any(name in text for text in _public_texts(client).values())
    session_page = f"{PROGRAMME}sessions/{p.sid(A)}/"
    assert name in client.get(session_page).get_data(as_text=True)

    page = client.get("/profile/delete").get_data(as_text=True)
    assert 'name="password"' in page and services.DELETED_NAME in page
    # a wrong password deletes nothing
    r = client.post("/profile/delete", data={"password": "not my password", "understood": "y"})
    assert r.status_code == 403 and ("password is wrong" in r.get_data(as_text=True)
                                     or "Passwort ist falsch" in r.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(User, sam_id).deleted_at is None
    # without ticking the box neither
    assert client.post("/profile/delete", data={"password": TEST_PASSWORD}).status_code == 422

    r = client.post("/profile/delete", data={"password": TEST_PASSWORD, "understood": "y"})
    assert r.status_code == 302
    with app.app_context():
        sam = db.session.get(User, sam_id)
        assert sam.deleted_at is not None and not sam.is_active
        assert sam.name == services.DELETED_NAME and sam.email == f"deleted-{sam_id}@invalid"
        assert (sam.organisation, sam.city, sam.bio) == ("", "", "")
        assert not accounts.verify_password(sam, TEST_PASSWORD)
        assert db.session.scalar(select(func.count()).select_from(LoginSession)
                                 .where(LoginSession.user_id == sam_id)) == 0
        assert db.session.scalar(select(func.count()).select_from(AccountToken)
                                 .where(AccountToken.user_id == sam_id)) == 0
        assert db.session.get(Proposal, draft_id) is None
        kept = db.session.get(Proposal, p.sid(A))
        assert kept.title == A and sam_id in kept.speaker_ids()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.delete"))
        assert entry.actor_id == sam_id and entry.object_id == sam_id
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.actor_id == sam_id)) > 3  # the older rows keep their actor
        # the confirmation went to the old address; nothing else of the past mails to it is kept
        mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == old_email)))
        assert [m.template for m in mails] == ["account_deleted"]
        assert name not in mails[0].body_text and not mails[0].recipient_name
        for version in db.session.scalars(select(ScheduleVersion)):
            assert name not in json.dumps(version.snapshot, ensure_ascii=False)
    # both logins are over
    assert client.get("/profile").status_code == 302
    assert other_client.get("/profile").status_code == 302
    assert client.post("/login", data={"email": old_email, "password": TEST_PASSWORD}).status_code == 401
    # the released sessions keep their pages; the speaker shows anonymised; no feed names or addresses them
    html = client.get(session_page).get_data(as_text=True)
    assert A in html and name not in html and services.DELETED_NAME in html
    assert client.get(f"{PROGRAMME}sessions/{p.sid(U)}/").status_code == 200
    for path, text in _public_texts(client).items():
        assert name not in text and old_email not in text, path
    assert api
    # the mail reaches the old address
    from review_app.mail.services import send_pending

    with app.app_context():
        send_pending(now=AFTER_CFP + timedelta(days=3))
        db.session.commit()
    [mail] = smtp_server.to(old_email)
    # received as sent (email.policy.default): in Sam's language, to the bare old address, his name nowhere
    assert mail["subject"] == translated(app, "Your account is deleted", language)
    assert mail["to"] == old_email and name not in mail["body"]
    assert translated(app, "This is the last mail we send to this address. If you did not delete your account "
                      "yourself, please contact the organisers.", language) in mail["body"]
    # a release made now sees no change in the sessions the deleted speaker held
    with app.app_context():
        from review_app.schedule import releases

        plan = releases.plan_release(db.session.get(Event, p.event_id),
                                     actor=db.session.get(User, p.world.chair_id))
        assert p.sid(A) not in plan.changes["changed"] and p.sid(U) not in plan.changes["changed"]


def test_a_deleted_reviewers_reviews_stay_under_the_anonymised_account(app, client):
    with app.app_context():
        chair = make_user(name="Clara Chair", email="chair@beirat.test", **OUTSIDE)
        event = make_event(slug="scd", committee=chair)
        speaker = make_user(name="Carla Fremd", email="carla@essen.test", organisation="Essen", city="Essen")
        proposal = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair)
        rita = make_user(name="Rita Review", email="rita@review.test", organisation="TU", city="Dortmund")
        reviewer = Reviewer(event_id=event.id, user_id=rita.id)
        db.session.add(reviewer)
        db.session.flush()
        assignment = Assignment(reviewer_id=reviewer.id, proposal_id=proposal.id)
        db.session.add(assignment)
        db.session.flush()
        db.session.add(Review(assignment_id=assignment.id, state=ReviewState.submitted, comment_committee="Gut.",
                              recommendation=Recommendation.accept, confidence=2, submitted_at=AFTER_CFP))
        db.session.commit()
        rita_id = rita.id
    login(client, "rita@review.test")
    assert client.post("/profile/delete", data={"password": TEST_PASSWORD, "understood": "y"}).status_code == 302
    with app.app_context():
        review = db.session.scalar(select(Review))
        assert review.comment_committee == "Gut." and review.assignment.reviewer.user_id == rita_id
        assert review.assignment.reviewer.user.name == services.DELETED_NAME


def test_the_last_site_admin_cannot_delete_their_account(app, client):
    with app.app_context():
        make_user(name="Ada Admin", email="ada@site.test", admin=True)
        db.session.commit()
    login(client, "ada@site.test")
    page = client.get("/profile/delete").get_data(as_text=True)
    assert "last site admin" in page or "letzte" in page
    r = client.post("/profile/delete", data={"password": TEST_PASSWORD, "understood": "y"})
    assert r.status_code == 409
    with app.app_context():
        ada = accounts.find_user_by_email("ada@site.test")
        assert ada.deleted_at is None and ada.is_admin
        make_user(name="Ben Admin", email="ben@site.test", admin=True)
        db.session.commit()
    r = client.post("/profile/delete", data={"password": TEST_PASSWORD, "understood": "y"})
    assert r.status_code == 302
    with app.app_context():
        assert accounts.find_user_by_email("ada@site.test") is None
        assert db.session.scalar(select(func.count()).select_from(User).where(User.is_admin.is_(True))) == 1


def test_deleting_removes_the_old_address_from_invitations_and_audit_details(app, client):
    with app.app_context():
        event = make_event(slug="scd")
        owner = make_user(name="Olga Owner", email="olga@herne.test")
        guest = make_user(name="Gina Gast", email="gina@bochum.test", organisation="Bochum", city="Bochum")
        proposal = make_proposal(event, owner, state=ProposalState.submitted)
        cfp.accept(cfp.invite_co_speaker(proposal, guest.email, actor=owner, now=DURING_CFP), actor=guest,
                   now=DURING_CFP)
        second = make_proposal(event, owner, state=ProposalState.submitted, title="Zweiter")
        cfp.invite_co_speaker(second, guest.email, actor=owner, now=DURING_CFP)  # pending
        db.session.commit()
        guest_id, proposal_id = guest.id, proposal.id
    login(client, "gina@bochum.test")
    assert client.post("/profile/delete", data={"password": TEST_PASSWORD, "understood": "y"}).status_code == 302
    with app.app_context():
        invitations = list(db.session.scalars(select(Invitation)))
        assert [(i.proposal_id, i.email) for i in invitations] == [(proposal_id, f"deleted-{guest_id}@invalid")]
        for entry in db.session.scalars(select(AuditEntry)):
            assert "gina@bochum.test" not in json.dumps(entry.details)
        assert db.session.scalar(select(ProposalSpeaker).where(ProposalSpeaker.user_id == guest_id)) is not None


# -- retention -----------------------------------------------------------------------------------------------------

def _retention_world(app) -> dict:
    with app.app_context():
        chair = make_user(name="Clara Chair", email="chair@beirat.test", **OUTSIDE)
        old = make_event(slug="old", committee=chair)  # 5–6 February 2025
        recent = make_event(slug="recent", committee=chair, starts_on=date(2025, 8, 20))
        owner = make_user(name="Olga Owner", email="olga@herne.test")
        co = make_user(name="Cem Co", email="cem@bochum.test", organisation="Bochum", city="Bochum")
        ids = {}
        for state in (ProposalState.rejected, ProposalState.withdrawn, ProposalState.declined,
                      ProposalState.accepted, ProposalState.confirmed, ProposalState.cancelled,
                      ProposalState.under_review):
            proposal = make_proposal(old, owner, state=state, committee=chair, title=f"Alt {state.value}",
                                     notes_for_committee="Notiz", project_partners="Partner GmbH",
                                     project_organisation="Stadt Herne", project_city="Herne")
            proposal.speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=DURING_CFP))
            ids[state.value] = proposal.id
        ids["recent"] = make_proposal(recent, owner, state=ProposalState.rejected, committee=chair,
                                      title="Neu abgelehnt").id
        db.session.commit()
        ids["co"] = co.id
        return ids


def _proposal_rows(app) -> dict[int, tuple]:
    with app.app_context():
        return {p.id: (p.title, p.abstract, p.description, p.notes_for_committee, p.project_partners,
                       p.project_organisation, p.anonymised_at, p.version, tuple(sorted(p.speaker_ids())))
                for p in db.session.scalars(select(Proposal))}


def test_retention_anonymises_exactly_the_old_rejected_withdrawn_and_declined_proposals_once(app, clock):
    ids = _retention_world(app)
    clock.set(datetime(2025, 9, 1, 10, 0, tzinfo=UTC))  # 207 days after the old event, 11 after the recent one
    runner = app.test_cli_runner()
    before = _proposal_rows(app)

    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 proposal(s) would be anonymised" in dry.output and "180 days" in dry.output
    assert _proposal_rows(app) == before

    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "3 proposal(s) anonymised" in result.output
    for state in ("rejected", "withdrawn", "declined"):
        assert f"Anonymised proposal {ids[state]} (old, {state}, 1 co-speaker link(s) removed)" in result.output
    after = _proposal_rows(app)
    gone = {ids["rejected"], ids["withdrawn"], ids["declined"]}
    for pid, row in after.items():
        if pid in gone:
            title, abstract, description, notes, partners, organisation, anonymised_at, _v, speakers = row
            assert (title, abstract, description) == (services.ANONYMISED_TEXT,) * 3
            assert (notes, partners, organisation) == ("", "", "") and anonymised_at is not None
            assert ids["co"] not in speakers and len(speakers) == 1
        else:
            assert row == before[pid], pid  # accepted, confirmed, cancelled, under review, the recent event's
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.anonymise")))
        assert sorted(e.object_id for e in entries) == sorted(gone)

    again = runner.invoke(args=["retention"])
    assert again.exit_code == 0 and "0 proposal(s) anonymised" in again.output
    assert _proposal_rows(app) == after

    # a shorter period reaches the recent event too
    short = runner.invoke(args=["retention", "--days", "7"])
    assert "1 proposal(s) anonymised" in short.output and f"proposal {ids['recent']} (recent, rejected" in short.output
    assert runner.invoke(args=["retention", "--days", "-1"]).exit_code != 0


def test_retention_reads_its_period_from_the_config(app, clock):
    ids = _retention_world(app)
    clock.set(datetime(2025, 9, 1, 10, 0, tzinfo=UTC))
    app.config["RETENTION_DAYS"] = 365
    try:
        result = app.test_cli_runner().invoke(args=["retention"])
    finally:
        app.config["RETENTION_DAYS"] = 180
    assert "0 proposal(s) anonymised (events ended more than 365 days ago)" in result.output
    with app.app_context():
        assert db.session.get(Proposal, ids["rejected"]).anonymised_at is None


# -- the audit log ---------------------------------------------------------------------------------------------------

def _audit_world(app) -> dict:
    with app.app_context():
        admin = make_user(name="Ada Admin", email="ada@site.test", admin=True, **OUTSIDE)
        chair = make_user(name="Clara Chair", email="chair@beirat.test", **OUTSIDE)
        event = make_event(slug="scd", committee=chair)
        other_event = make_event(slug="other")
        speaker = make_user(name="Sina Speaker", email="sina@herne.test")
        db.session.commit()
        return {"admin": admin.id, "chair": chair.id, "event": event.id, "other": other_event.id,
                "event_name": event.name, "other_name": other_event.name, "speaker": speaker.id}


def _rows(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-entry="(\d+)">', html)]


def test_the_audit_log_is_for_the_site_admin_only(app, client):
    _audit_world(app)
    r = client.get("/admin/audit")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    for email in ("sina@herne.test", "chair@beirat.test"):
        c = app.test_client()
        login(c, email)
        assert c.get("/admin/audit").status_code == 404
    login(client, "ada@site.test")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Audit log" in page or "Protokoll" in page
    events_page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/audit"' in events_page


def test_sign_ins_and_failed_sign_ins_are_in_the_audit_log(app, client):
    ids = _audit_world(app)
    r = client.post("/login", data={"email": "  Sina@Herne.TEST ", "password": "wrong password 123"})
    assert r.status_code == 401
    client.post("/login", data={"email": "nobody@nowhere.test", "password": "secret guess 456"})
    login(client, "sina@herne.test")
    with app.app_context():
        failed = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.login_failed")
                                         .order_by(AuditEntry.id)))
        assert [(e.details, e.object_id, e.actor_id) for e in failed] == [
            ({"email": "sina@herne.test"}, ids["speaker"], None), ({"email": "nobody@nowhere.test"}, None, None)]
        everything = json.dumps([e.details for e in db.session.scalars(select(AuditEntry))])
        assert "wrong password" not in everything and "secret guess" not in everything
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.login",
                                                          AuditEntry.actor_id == ids["speaker"])) is not None
    admin = app.test_client()
    login(admin, "ada@site.test")
    page = admin.get("/admin/audit?action=account.login_failed").get_data(as_text=True)
    assert len(_rows(page)) == 2 and "nobody@nowhere.test" in page


def _add_entries(app, ids, n: int, *, start: datetime) -> None:
    with app.app_context():
        chair = db.session.get(User, ids["chair"])
        event = db.session.get(Event, ids["event"])
        for i in range(n):
            record(actor=chair, action="event.update", obj=event, now=start + timedelta(minutes=i), n=i)
        db.session.commit()


def test_the_audit_log_filters_and_pages_newest_first(app, client):
    ids = _audit_world(app)
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    _add_entries(app, ids, 60, start=start)
    with app.app_context():
        other = db.session.get(Event, ids["other"])
        record(actor=db.session.get(User, ids["admin"]), action="event.grant_role", obj=other,
               now=datetime(2025, 4, 10, 12, 0, tzinfo=UTC))
        db.session.commit()
    login(client, "ada@site.test")
    page = client.get("/admin/audit").get_data(as_text=True)
    first = _rows(page)
    assert len(first) == 50
    with app.app_context():
        newest = list(db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))
    assert first == newest[:50]
    second = _rows(client.get("/admin/audit?page=2").get_data(as_text=True))
    assert second == newest[50:100] and len(second) == len(newest) - 50 > 10
    # the action select offers the distinct actions
    assert '<option value="event.update">' in page and '<option value="account.login">' in page
    # by action, by actor, by event, by object type, by dates (Berlin days): all in the address
    assert len(_rows(client.get("/admin/audit?action=event.update").get_data(as_text=True))) == 50
    by_actor = client.get("/admin/audit?action=event.update&actor=CHAIR%40beirat&page=2").get_data(as_text=True)
    assert len(_rows(by_actor)) == 10 and '<option selected value="event.update">' in by_actor
    assert 'value="CHAIR@beirat"' in by_actor and "page=1&amp;action=event.update&amp;actor=CHAIR@beirat" in by_actor
    only_other = _rows(client.get(f"/admin/audit?event={ids['other']}").get_data(as_text=True))
    with app.app_context():
        expected = list(db.session.scalars(select(AuditEntry.id).where(AuditEntry.event_id == ids["other"])
                                           .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))
    assert only_other == expected and expected
    users = _rows(client.get("/admin/audit?object_type=user").get_data(as_text=True))
    with app.app_context():
        assert users and all(db.session.get(AuditEntry, i).object_type == "user" for i in users)
    in_april = _rows(client.get("/admin/audit?date_from=2025-04-01&date_to=2025-04-30").get_data(as_text=True))
    with app.app_context():
        assert [db.session.get(AuditEntry, i).action for i in in_april] == ["event.grant_role"]
    # 09:00–09:59 UTC on 1 March is 10:00–10:59 in Berlin: one Berlin day holds all 60
    march = _rows(client.get("/admin/audit?action=event.update&date_from=2025-03-01&date_to=2025-03-01&page=2")
                  .get_data(as_text=True))
    assert len(march) == 10
    assert _rows(client.get("/admin/audit?action=event.update&date_to=2025-02-28").get_data(as_text=True)) == []


def test_bad_audit_log_filters_answer_400_with_a_message(app, client):
    _audit_world(app)
    login(client, "ada@site.test")
    for query in ("date_from=2025-13-45", "date_from=2025-05-02&date_to=2025-05-01", "action=no.such.action",
                  "event=abc", "page=0", "page=zwei", "actor=" + "x" * 300):
        r = client.get(f"/admin/audit?{query}")
        assert r.status_code == 400, query
        html = r.get_data(as_text=True)
        assert 'class="form-error"' in html or "does not exist" in html or "gibt es nicht" in html, query


def test_the_audit_log_costs_the_same_queries_for_10_and_110_entries(app, client):
    ids = _audit_world(app)
    login(client, "ada@site.test")
    _add_entries(app, ids, 10, start=datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    client.get("/admin/audit")
    with counted(app) as small:
        assert client.get("/admin/audit").status_code == 200
    _add_entries(app, ids, 100, start=datetime(2025, 3, 2, 9, 0, tzinfo=UTC))
    with app.app_context():  # entries of several actors, several events
        for i in range(20):
            user = make_user(name=f"Person {i}", email=f"p{i}@example.org")
            record(actor=user, action="account.update_profile", obj=user, now=datetime(2025, 3, 3, tzinfo=UTC))
        db.session.commit()
    with counted(app) as large:
        page = client.get("/admin/audit")
    assert page.status_code == 200 and len(_rows(page.get_data(as_text=True))) == 50
    assert len(large) == len(small), (len(small), len(large))


# -- the privacy notice ----------------------------------------------------------------------------------------------

def test_the_privacy_notice_tells_of_export_deletion_and_retention(app, client):
    de = client.get("/legal/privacy", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Meine Daten" in de and "Mein Konto löschen" in de and "anonymisiert" in de
    en = client.get("/legal/privacy?lang=en", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "My data" in en and "Delete my account" in en and "anonymised" in en


def test_a_deleted_persons_roles_stay_as_records(app, client):
    """Roles stay as records of who held them; the account cannot log in, so they grant nothing."""
    with app.app_context():
        event = make_event(slug="scd")
        person = make_user(email="roles@example.org")
        events.grant_role(event, person, Role.reviewer, actor=None, now=AFTER_CFP)
        db.session.commit()
        person_id = person.id
    login(client, "roles@example.org")
    assert client.post("/profile/delete", data={"password": TEST_PASSWORD, "understood": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(EventRole).where(EventRole.user_id == person_id)) is not None
