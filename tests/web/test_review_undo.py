"""What can be taken back in the review, and what by-hand assignment refuses: a reviewer takes back a conflict
they declared themself (never one a speaker declared about them); the committee puts a lifted conflict back in
force and undoes an organisation alias (each audited); a by-hand assignment above the load cap or outside the
reviewer's languages is refused with the reason and saves nothing; the conflicts page says what a conflict rests
on in the page's language, naming people."""
from __future__ import annotations

from sqlalchemy import select

from review_app.accounts.models import User
from review_app.audit.models import AuditEntry
from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events.models import Event, Role
from review_app.events.services import grant_role
from review_app.review import conflict_admin
from review_app.review.models import (
    Assignment,
    Bid,
    ConflictDeclaration,
    ConflictOverride,
    OrganisationAlias,
    Reviewer,
    ReviewSettings,
)
from review_app.review.queries import conflicted_proposal_ids

from ..factories import AFTER_CFP, login, make_event, make_proposal, make_user

T = AFTER_CFP


def _world(app, *, max_load: int = 12):
    """A chair; Rolf (Stadt Herne, a company in Bochum) reviewing; Sam (Stadtverwaltung Herne) speaking on one
    proposal under review; Eva (English) speaking on an English one."""
    with app.app_context():
        chair = make_user(name="Clara Chair", email="chair@committee.org", organisation="Komitee", city="Essen",
                          organisation_type="other", language="en")
        event = make_event(slug="scd", committee=chair)
        sam = make_user(name="Sam Speaker", email="sam@stadt-herne.de", organisation="Stadtverwaltung Herne",
                        organisation_type="administration", city="Herne")
        eva = make_user(name="Eva English", email="eva@example.com", organisation="Smart Ltd",
                        organisation_type="company", city="Leeds")
        p_sam = make_proposal(event, sam, state=ProposalState.under_review, committee=chair, title="Herne portal",
                              project_organisation="", project_city="")
        p_eva = make_proposal(event, eva, state=ProposalState.under_review, committee=chair, title="Leeds lights",
                              language="en", project_organisation="", project_city="")
        rolf = make_user(name="Rolf Reviewer", email="rolf@gmail.com", organisation="Stadt Herne",
                         organisation_type="company", city="Bochum", language="en")
        grant_role(event, rolf, Role.reviewer, actor=None, now=T)
        db.session.add(ReviewSettings(event_id=event.id, blind=False, visibility="after_own",
                                      reviews_per_proposal=3, max_load=max_load, confirm_days=14))
        db.session.commit()
        return event.id, rolf.id, p_sam.id, p_eva.id


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_reviewer_takes_back_a_conflict_they_declared_and_the_proposal_returns(app, client, clock):
    clock.set(T)
    _event_id, rolf_id, p_sam, p_eva = _world(app)
    login(client, "rolf@gmail.com")
    r = client.post("/events/scd/review/preferences", data={"languages": ["de", "en"], f"bid-{p_eva}": "conflict"})
    assert r.status_code == 302
    page = client.get("/events/scd/review/preferences").get_data(as_text=True)
    assert f'name="bid-{p_eva}"' not in page and "Leeds lights" in page  # only in the declared list
    with app.app_context():
        [row] = db.session.scalars(select(ConflictDeclaration)).all()
        declaration_id = row.id
    r = client.post(f"/events/scd/review/preferences/declarations/{declaration_id}/withdraw")
    assert r.status_code == 302
    page = client.get("/events/scd/review/preferences").get_data(as_text=True)
    assert f'name="bid-{p_eva}"' in page and "Conflicts of interest you declared" not in page
    assert "You took back your conflict of interest with “Leeds lights”" in page
    with app.app_context():
        assert db.session.scalars(select(ConflictDeclaration)).all() == []
        assert db.session.scalars(select(Bid)).all() == []  # the "conflict" bid went with it
        event = db.session.get(Event, _event_id)
        assert p_eva not in conflicted_proposal_ids(event, db.session.get(User, rolf_id))
    [entry] = _audit(app, "conflict.withdraw_declaration")
    assert entry.actor_id == rolf_id and entry.details["proposal_id"] == p_eva


def test_a_conflict_a_speaker_declared_about_a_reviewer_is_not_theirs_to_take_back(app, client, clock):
    clock.set(T)
    event_id, rolf_id, _p_sam, p_eva = _world(app)
    with app.app_context():
        eva = db.session.scalar(select(User).where(User.email == "eva@example.com"))
        row = ConflictDeclaration(event_id=event_id, user_id=rolf_id, proposal_id=p_eva, declared_by_id=eva.id,
                                  reason="competitor", created_at=T)
        db.session.add(row)
        db.session.commit()
        declaration_id, eva_id = row.id, eva.id
    login(client, "rolf@gmail.com")
    page = client.get("/events/scd/review/preferences").get_data(as_text=True)
    assert "Conflicts of interest you declared" not in page and "Leeds lights" not in page
    r = client.post(f"/events/scd/review/preferences/declarations/{declaration_id}/withdraw")
    assert r.status_code == 404
    with app.app_context():
        [kept] = db.session.scalars(select(ConflictDeclaration)).all()
        assert (kept.user_id, kept.declared_by_id) == (rolf_id, eva_id)


def test_the_committee_puts_a_lifted_conflict_back_and_undoes_an_alias(app, client, clock):
    clock.set(T)
    event_id, rolf_id, p_sam, _p_eva = _world(app)
    login(client, "chair@committee.org")
    r = client.post("/events/scd/manage/conflicts/aliases", data={"name_a": "Stadt Herne",
                                                                  "name_b": "Stadtverwaltung Herne"})
    assert r.status_code == 302
    page = client.get("/events/scd/manage/conflicts").get_data(as_text=True)
    # the detail names the speaker and quotes both spellings, in English here
    assert "“Stadt Herne” matches Sam Speaker: “Stadtverwaltung Herne”" in page
    r = client.post("/events/scd/manage/conflicts/override",
                    data={"user_id": rolf_id, "proposal_id": p_sam, "reason": "Never met"})
    assert r.status_code == 302
    with app.app_context():
        [override] = db.session.scalars(select(ConflictOverride)).all()
        override_id = override.id
    page = client.get("/events/scd/manage/conflicts").get_data(as_text=True)
    assert "Lifted by the committee" in page and "Never met" in page and "Put the conflict back in force" in page

    r = client.post(f"/events/scd/manage/conflicts/overrides/{override_id}/delete")
    assert r.status_code == 302
    page = client.get("/events/scd/manage/conflicts").get_data(as_text=True)
    assert "The conflict is in force again." in page and "Lift the conflict" in page
    with app.app_context():
        assert db.session.scalars(select(ConflictOverride)).all() == []
        event = db.session.get(Event, event_id)
        assert p_sam in conflicted_proposal_ids(event, db.session.get(User, rolf_id))
        [alias] = db.session.scalars(select(OrganisationAlias)).all()
        alias_id = alias.id
    [restored] = _audit(app, "conflict.restore")
    assert restored.details["reason"] == "Never met"

    r = client.post(f"/events/scd/manage/conflicts/aliases/{alias_id}/delete")
    assert r.status_code == 302
    page = client.get("/events/scd/manage/conflicts").get_data(as_text=True)
    assert "count as different organisations again" in page and "No conflicts of interest found." in page
    with app.app_context():
        assert db.session.scalars(select(OrganisationAlias)).all() == []
    assert len(_audit(app, "organisation_alias.delete")) == 1


def test_undoing_needs_the_committee_and_another_events_rows_look_missing(app, client, clock):
    clock.set(T)
    event_id, rolf_id, p_sam, _p_eva = _world(app)
    with app.app_context():
        other_chair = make_user(name="Otto Other", email="otto@other.org", organisation="Anders",
                                organisation_type="other", city="Köln")
        make_event(slug="other", committee=other_chair)
        chair = db.session.scalar(select(User).where(User.email == "chair@committee.org"))
        event = db.session.get(Event, event_id)
        alias = conflict_admin.add_alias(event, "Stadt Herne", "Stadtverwaltung Herne", actor=chair, now=T)
        override = conflict_admin.override_conflict(event, rolf_id, p_sam, "Never met", actor=chair, now=T)
        db.session.commit()
        alias_id, override_id = alias.id, override.id
    login(client, "rolf@gmail.com")  # a reviewer, not the committee
    assert client.post(f"/events/scd/manage/conflicts/overrides/{override_id}/delete").status_code in (403, 404)
    assert client.post(f"/events/scd/manage/conflicts/aliases/{alias_id}/delete").status_code in (403, 404)
    client.post("/logout")
    login(client, "otto@other.org")  # the committee of another event, through its own address
    assert client.post(f"/events/other/manage/conflicts/overrides/{override_id}/delete").status_code == 404
    assert client.post(f"/events/other/manage/conflicts/aliases/{alias_id}/delete").status_code == 404
    with app.app_context():
        assert len(db.session.scalars(select(ConflictOverride)).all()) == 1
        assert len(db.session.scalars(select(OrganisationAlias)).all()) == 1


def test_by_hand_the_load_cap_and_the_reviewers_languages_are_kept(app, client, clock):
    clock.set(T)
    event_id, rolf_id, p_sam, p_eva = _world(app, max_load=1)
    with app.app_context():
        for i in range(2):
            user = make_user(name=f"Reviewer {i}", email=f"r{i}@org{i}.de", organisation=f"Org {i}",
                             organisation_type="research", city=f"City {i}", language="en")
            grant_role(db.session.get(Event, event_id), user, Role.reviewer, actor=None, now=T)
        r0 = db.session.scalar(select(User).where(User.email == "r0@org0.de"))
        r1 = db.session.scalar(select(User).where(User.email == "r1@org1.de"))
        db.session.add(Reviewer(event_id=event_id, user_id=r1.id, languages="de"))
        db.session.commit()
        r0_id, r1_id = r0.id, r1.id
    login(client, "chair@committee.org")
    r = client.post(f"/events/scd/manage/assignments/{p_sam}/add", data={"reviewer_id": r0_id})
    assert r.status_code == 302
    r = client.post(f"/events/scd/manage/assignments/{p_eva}/add", data={"reviewer_id": r0_id})
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "Reviewer 0 has reached the load cap of 1 review" in page
    r = client.post(f"/events/scd/manage/assignments/{p_eva}/add", data={"reviewer_id": r1_id})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Reviewer 1 does not review in English" in page
    with app.app_context():
        assert [(a.reviewer.user_id, a.proposal_id) for a in db.session.scalars(select(Assignment))] == [
            (r0_id, p_sam)]


def test_the_conflicts_page_speaks_german_on_a_german_page(app, client, clock):
    clock.set(T)
    event_id, rolf_id, p_sam, _p_eva = _world(app)
    with app.app_context():
        chair = db.session.scalar(select(User).where(User.email == "chair@committee.org"))
        chair.language = "de"
        conflict_admin.add_alias(db.session.get(Event, event_id), "Stadt Herne", "Stadtverwaltung Herne",
                                 actor=chair, now=T)
        db.session.commit()
    login(client, "chair@committee.org")
    page = client.get("/events/scd/manage/conflicts", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "„Stadt Herne“ entspricht Sam Speaker: „Stadtverwaltung Herne“" in page
    assert "matches" not in page and "speaker #" not in page
