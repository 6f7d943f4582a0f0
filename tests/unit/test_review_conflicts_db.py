"""Conflicts from the database, as the committee handles them: listed with their reason, lifted only with a
reason (audited), and two spellings of one organisation marked as the same make a conflict."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from review_app.audit.models import AuditEntry
from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.errors import DomainError, PermissionDenied
from review_app.events.models import Role
from review_app.events.services import grant_role
from review_app.review import conflict_admin as services
from review_app.review.models import ConflictOverride
from review_app.review.queries import conflict_map, conflicted_proposal_ids

from ..factories import AFTER_CFP, login, make_event, make_proposal, make_user

T = AFTER_CFP


def _world():
    chair = make_user(name="Clara Chair", email="chair@committee.org", organisation="Komitee", city="Essen",
                      organisation_type="other", language="en")
    event = make_event(slug="scd", committee=chair)
    speaker = make_user(name="Sam Speaker", email="sam@stadt-herne.de", organisation="Stadtverwaltung Herne",
                        organisation_type="administration", city="Herne")
    proposal = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair,
                             project_organisation="", project_city="")
    reviewer = make_user(name="Rolf Reviewer", email="rolf@gmail.com", organisation="Stadt Herne",
                         organisation_type="company", city="Bochum")
    grant_role(event, reviewer, Role.reviewer, actor=None, now=T)
    return chair, event, proposal, reviewer


def test_an_alias_makes_two_spellings_conflict(ctx):
    chair, event, proposal, reviewer = _world()
    assert proposal.id not in conflicted_proposal_ids(event, reviewer)
    services.add_alias(event, "Stadtverwaltung Herne", "Stadt  Herne", actor=chair, now=T)
    assert proposal.id in conflicted_proposal_ids(event, reviewer)
    [conflict] = conflict_map(event, [reviewer])[reviewer.id, proposal.id]
    assert conflict.reason == "organisation"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation_alias.create")) is not None
    with pytest.raises(DomainError) as err:
        services.add_alias(event, "Stadt Herne", "stadt herne", actor=chair, now=T)
    assert err.value.status == 422
    with pytest.raises(PermissionDenied):
        services.add_alias(event, "A GmbH", "B GmbH", actor=reviewer, now=T)


def test_an_override_needs_a_reason_and_is_audited(ctx):
    chair, event, proposal, reviewer = _world()
    services.add_alias(event, "Stadtverwaltung Herne", "Stadt Herne", actor=chair, now=T)
    with pytest.raises(DomainError) as err:
        services.override_conflict(event, reviewer.id, proposal.id, "   ", actor=chair, now=T)
    assert err.value.status == 422
    assert db.session.scalars(select(ConflictOverride)).all() == []

    services.override_conflict(event, reviewer.id, proposal.id, "Different department, never met",
                               actor=chair, now=T)
    assert proposal.id not in conflicted_proposal_ids(event, reviewer)
    [listed] = [r for r in services.conflict_rows(event) if r.user.id == reviewer.id]
    assert listed.conflict.overridden and not listed.overridable
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "conflict.override"))
    assert entry.actor_id == chair.id and entry.details["reason"] == "Different department, never met"
    assert entry.details["reasons"] == ["organisation"]


def test_a_speakers_own_conflict_cannot_be_lifted(ctx):
    chair, event, proposal, _reviewer = _world()
    speaker = proposal.speakers[0].user
    grant_role(event, speaker, Role.reviewer, actor=None, now=T)
    with pytest.raises(DomainError) as err:
        services.override_conflict(event, speaker.id, proposal.id, "trust me", actor=chair, now=T)
    assert err.value.status == 409
    [row] = [r for r in services.conflict_rows(event) if r.user.id == speaker.id]
    assert row.conflict.reason == "speaker" and not row.overridable


def test_the_conflicts_page_lists_reasons_and_refuses_an_override_without_reason(app, client, clock):
    clock.set(T)
    with app.app_context():
        chair, event, proposal, reviewer = _world()
        services.add_alias(event, "Stadtverwaltung Herne", "Stadt Herne", actor=chair, now=T)
        db.session.commit()
        reviewer_id, proposal_id = reviewer.id, proposal.id
    login(client, "chair@committee.org")
    page = client.get("/events/scd/manage/conflicts").get_data(as_text=True)
    assert "Rolf Reviewer" in page and "Same organisation" in page and "Stadt Herne" in page
    assert "Lift the conflict" in page
    r = client.post("/events/scd/manage/conflicts/override",
                    data={"user_id": reviewer_id, "proposal_id": proposal_id, "reason": ""})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalars(select(ConflictOverride)).all() == []
    r = client.post("/events/scd/manage/conflicts/override",
                    data={"user_id": reviewer_id, "proposal_id": proposal_id, "reason": "Other department"})
    assert r.status_code == 302
    page = client.get("/events/scd/manage/conflicts").get_data(as_text=True)
    assert "Lifted by the committee" in page
    r = client.post("/events/scd/manage/conflicts/aliases", data={"name_a": "X AG", "name_b": "x ag"})
    assert r.status_code == 422 and "already compared as the same organisation" in r.get_data(as_text=True)
