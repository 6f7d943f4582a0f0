"""A speaker takes back an invitation that was not accepted yet; its link stops working."""
from __future__ import annotations

from sqlalchemy import select

from review_app.audit.models import AuditEntry
from review_app.cfp import services as cfp
from review_app.cfp.models import Invitation, ProposalState
from review_app.db import db

from ..factories import AFTER_CFP, DURING_CFP, login, make_event, make_proposal, make_user


def _world(app, state=ProposalState.draft):
    with app.app_context():
        event = make_event(slug="scd")
        owner = make_user(email="owner@example.org", language="en")
        proposal = make_proposal(event, owner, state=state)
        invitation = cfp.invite_co_speaker(proposal, "typo@exmaple.org", actor=owner, now=DURING_CFP)
        db.session.commit()
        return proposal.id, invitation.id, invitation.token


def test_a_speaker_cancels_a_pending_invitation_and_its_link_stops_working(app, client, clock):
    clock.set(DURING_CFP)
    proposal_id, invitation_id, token = _world(app)
    login(client, "owner@example.org")
    page = client.get(f"/events/scd/proposals/{proposal_id}").get_data(as_text=True)
    cancel = f"/events/scd/proposals/{proposal_id}/invitations/{invitation_id}/cancel"
    assert "typo@exmaple.org" in page and f'action="{cancel}"' in page
    r = client.post(cancel)
    assert r.status_code == 302
    after = client.get(f"/events/scd/proposals/{proposal_id}").get_data(as_text=True)
    assert "is cancelled" in after and f'action="{cancel}"' not in after and "<li>typo@exmaple.org" not in after
    with app.app_context():
        assert db.session.get(Invitation, invitation_id) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.cancel_invitation"))
        assert entry.details == {"email": "typo@exmaple.org"} and entry.object_id == proposal_id
    assert client.get(f"/invitations/{token}").status_code == 404


def test_other_people_cannot_cancel_an_invitation_and_nothing_changes(app, client, clock):
    clock.set(DURING_CFP)
    proposal_id, invitation_id, _token = _world(app)
    with app.app_context():
        make_user(email="stranger@example.org")
        db.session.commit()
    login(client, "stranger@example.org")
    r = client.post(f"/events/scd/proposals/{proposal_id}/invitations/{invitation_id}/cancel")
    assert r.status_code == 404
    with app.app_context():
        assert db.session.get(Invitation, invitation_id) is not None


def test_while_the_committee_reviews_the_team_and_its_invitations_stay_as_submitted(app, client, clock):
    clock.set(DURING_CFP)
    proposal_id, invitation_id, _token = _world(app, state=ProposalState.submitted)
    with app.app_context():
        from review_app.cfp.models import Proposal
        from review_app.events.models import Role
        from review_app.events.services import grant_role

        proposal = db.session.get(Proposal, proposal_id)
        chair = make_user(name="Chair")
        grant_role(proposal.event, chair, Role.committee, actor=None, now=DURING_CFP)
        cfp.start_review(proposal, actor=chair, now=AFTER_CFP)
        db.session.commit()
    clock.set(AFTER_CFP)
    login(client, "owner@example.org")
    r = client.post(f"/events/scd/proposals/{proposal_id}/invitations/{invitation_id}/cancel",
                    headers={"Accept-Language": "en"})
    assert r.status_code == 409 and "Under review" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Invitation, invitation_id) is not None
