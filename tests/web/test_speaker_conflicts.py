"""A speaker declares a conflict of interest with one of the event's reviewers (chosen by name, never shown an
email), with a reason: the declaration is audited, takes the proposal away from that reviewer, and only its author
can withdraw it."""
from __future__ import annotations

import re
from types import SimpleNamespace

from sqlalchemy import select

from review_app.audit.models import AuditEntry
from review_app.cfp.models import ProposalSpeaker
from review_app.db import db
from review_app.review.models import ConflictDeclaration

from ..factories import AFTER_CFP, login
from .decision_helpers import assign_only, committee_event, outsider, reviewer, speaker_proposal


def world(app):
    with app.app_context():
        event, chair = committee_event()
        proposal, speaker = speaker_proposal(event, chair, "Smarte Straßenlaternen", language="en")
        co = outsider("Cora Co")
        proposal.speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=AFTER_CFP))
        rita, rolf = reviewer(event, "Rita Reviewer"), reviewer(event, "Rolf Reviewer")
        assign_only(rita, proposal)
        stranger = outsider("Stan Stranger")
        db.session.commit()
        return SimpleNamespace(proposal=proposal.id, speaker=speaker.email, speaker_id=speaker.id, co=co.email,
                               chair=chair.email, chair_id=chair.id, chair_name=chair.name, rita=rita.user_id,
                               rita_email=rita.user.email, rolf=rolf.user_id, stranger=stranger.email)


def client_of(app, email):
    c = app.test_client()
    login(c, email)
    return c


def declarations(app) -> list[tuple[int, int, str]]:
    with app.app_context():
        return [(d.user_id, d.declared_by_id, d.reason) for d in db.session.scalars(select(ConflictDeclaration))]


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("conflict.%"))
                                       .order_by(AuditEntry.id)))


def test_a_speaker_declares_a_conflict_with_a_reviewer_and_withdraws_it(app, clock):
    clock.set(AFTER_CFP)
    w = world(app)
    url = f"/events/scd/proposals/{w.proposal}/conflicts"
    speaker = client_of(app, w.speaker)
    proposal_page = speaker.get(f"/events/scd/proposals/{w.proposal}").get_data(as_text=True)
    assert f'href="{url}"' in proposal_page

    page = speaker.get(url).get_data(as_text=True)
    options = {int(v): name for v, name in re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', page)
               if v != "0"}
    assert options == {w.chair_id: w.chair_name, w.rita: "Rita Reviewer", w.rolf: "Rolf Reviewer"}
    assert "@" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # names only, never an address

    # the reviewer still sees the assignment before the declaration
    rita = app.test_client()
    login(rita, w.rita_email)
    assert rita.get(f"/events/scd/reviews/{w.proposal}").status_code == 200

    response = speaker.post(url, data={"user_id": str(w.rita), "reason": "We run the project together."})
    assert response.status_code == 302
    assert declarations(app) == [(w.rita, w.speaker_id, "We run the project together.")]
    assert audit_actions(app) == ["conflict.declare"]
    page = speaker.get(url).get_data(as_text=True)
    assert "Rita Reviewer" in page and "We run the project together." in page and "/withdraw" in page

    # the proposal leaves the reviewer's pages; the committee sees the declared conflict with its reason
    assert rita.get(f"/events/scd/reviews/{w.proposal}").status_code == 404
    assert "Smarte Straßenlaternen" not in rita.get("/reviewing").get_data(as_text=True)
    conflicts = client_of(app, w.chair).get("/events/scd/manage/conflicts").get_data(as_text=True)
    assert "Rita Reviewer" in conflicts and "Declared conflict" in conflicts

    # a second declaration for the same person is refused, and so is a co-speaker withdrawing the speaker's one
    again = speaker.post(url, data={"user_id": str(w.rita), "reason": "Again."})
    assert again.status_code == 409 and "already on record" in again.get_data(as_text=True)
    with app.app_context():
        declaration_id = db.session.scalar(select(ConflictDeclaration.id))
    co = client_of(app, w.co)
    co_page = co.get(url).get_data(as_text=True)
    assert "Rita Reviewer" in co_page and f"/conflicts/{declaration_id}/withdraw" not in co_page
    assert co.post(f"{url}/{declaration_id}/withdraw").status_code == 404
    assert len(declarations(app)) == 1

    withdrawn = speaker.post(f"{url}/{declaration_id}/withdraw")
    assert withdrawn.status_code == 302
    assert declarations(app) == []
    assert audit_actions(app) == ["conflict.declare", "conflict.withdraw_declaration"]
    assert rita.get(f"/events/scd/reviews/{w.proposal}").status_code == 200


def test_only_a_speaker_may_declare_and_only_someone_who_reviews_can_be_named(app, clock):
    clock.set(AFTER_CFP)
    w = world(app)
    url = f"/events/scd/proposals/{w.proposal}/conflicts"
    speaker = client_of(app, w.speaker)
    for data in ({"user_id": str(w.speaker_id), "reason": "Myself."},  # a speaker of the proposal
                 {"user_id": "999999", "reason": "Nobody."},  # no one of the event
                 {"user_id": str(w.rolf), "reason": ""},  # no reason
                 {"user_id": "abc", "reason": "x"}):
        response = speaker.post(url, data=data)
        assert response.status_code == 422, data
        assert 'class="field-errors"' in response.get_data(as_text=True) or "form-error" in response.get_data(
            as_text=True)
    assert declarations(app) == []

    for email in (w.stranger, w.chair):  # the committee reads the proposal, but declares nothing for its speakers
        other = client_of(app, email)
        assert other.get(url).status_code == 404
        assert other.post(url, data={"user_id": str(w.rolf), "reason": "x"}).status_code == 404
    assert declarations(app) == []
