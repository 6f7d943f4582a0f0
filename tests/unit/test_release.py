"""The release as a service and `flask remind-unconfirmed`: deadlines, mails to the real SMTP server, refusals."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, select

from review_app.cfp import services as cfp
from review_app.cfp.models import Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.errors import DeadlinePassed, InvalidState
from review_app.i18n import format_in_zone
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending
from review_app.review import decisions
from review_app.review.models import Decision
from review_app.review.queries import settings_of
from tests.factories import AFTER_CFP, CFP_CLOSES, DURING_CFP
from tests.web.decision_helpers import committee_event, outsider, speaker_proposal

S = ProposalState


def test_release_moves_the_proposal_and_sets_the_confirmation_deadline_from_the_settings(ctx):
    event, chair = committee_event()
    settings_of(event).confirm_days = 10
    proposal, speaker = speaker_proposal(event, chair, "Sensoren")
    decisions.decide(proposal, "accept", actor=chair, now=AFTER_CFP)
    assert proposal.state is S.under_review and proposal.confirm_by is None

    result = decisions.release(event, actor=chair, now=AFTER_CFP)

    assert [d.proposal_id for d in result.released] == [proposal.id]
    assert proposal.state is S.accepted and proposal.confirm_by == AFTER_CFP + timedelta(days=10)
    with pytest.raises(DeadlinePassed, match="Frist zur Bestätigung"):
        cfp.confirm(proposal, actor=speaker, now=AFTER_CFP + timedelta(days=10))
    cfp.confirm(proposal, actor=speaker, now=AFTER_CFP + timedelta(days=9))
    assert proposal.state is S.confirmed


def test_a_decision_on_a_proposal_withdrawn_after_it_stays_pending_at_release(ctx):
    event, chair = committee_event()
    proposal, speaker = speaker_proposal(event, chair, "Sensoren")
    decisions.decide(proposal, "reject", actor=chair, now=AFTER_CFP)
    cfp.withdraw(proposal, actor=speaker, now=AFTER_CFP)

    result = decisions.release(event, actor=chair, now=AFTER_CFP)

    assert result.released == [] and [d.proposal_id for d in result.skipped] == [proposal.id]
    assert proposal.state is S.withdrawn
    assert db.session.scalar(select(Decision.released_at)) is None
    with pytest.raises(InvalidState, match="zurückgezogen"):
        decisions.decide(proposal, "accept", actor=chair, now=AFTER_CFP)


def test_the_review_starts_for_all_submitted_proposals_only_after_the_call(ctx):
    event, chair = committee_event()
    submitted = [speaker_proposal(event, chair, f"P{i}", state=S.submitted)[0] for i in range(2)]
    with pytest.raises(DeadlinePassed):
        decisions.start_review_all(event, actor=chair, now=CFP_CLOSES - timedelta(minutes=1))
    assert decisions.start_review_all(event, actor=chair, now=CFP_CLOSES) == submitted
    assert {p.state for p in submitted} == {S.under_review}


def test_remind_unconfirmed_mails_each_speaker_of_each_unconfirmed_acceptance_once(app, smtp_server, clock):
    with app.app_context():
        event, chair = committee_event()
        old, owner = speaker_proposal(event, chair, "Old acceptance", language="en")
        co = outsider("Co", language="de")
        old.speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=DURING_CFP))
        recent, recent_owner = speaker_proposal(event, chair, "Recent acceptance")
        confirmed, confirmed_owner = speaker_proposal(event, chair, "Confirmed already")
        rejected, rejected_owner = speaker_proposal(event, chair, "Rejected")
        for p, outcome in ((old, "accept"), (confirmed, "accept"), (rejected, "reject")):
            decisions.decide(p, outcome, actor=chair, now=AFTER_CFP)
        decisions.release(event, actor=chair, now=AFTER_CFP)
        cfp.confirm(confirmed, actor=confirmed_owner, now=AFTER_CFP + timedelta(days=1))
        decisions.decide(recent, "accept", actor=chair, now=AFTER_CFP + timedelta(days=6))
        decisions.release(event, actor=chair, now=AFTER_CFP + timedelta(days=6))
        db.session.flush()
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
        emails = (owner.email, co.email)
        old_id = old.id
    clock.set(AFTER_CFP + timedelta(days=7))

    result = app.test_cli_runner().invoke(args=["remind-unconfirmed", "--days", "5"])

    assert result.exit_code == 0, result.output
    assert "Queued 2 reminder mail(s)" in result.output
    with app.app_context():
        send_pending(now=AFTER_CFP + timedelta(days=7))
        deadline_link = f"http://localhost/events/scd/proposals/{old_id}"
        assert db.session.get(Proposal, old_id).state is S.accepted
    assert sorted(a for m in smtp_server.messages for a in m["envelope_to"]) == sorted(emails)
    (en,), (de,) = smtp_server.to(emails[0]), smtp_server.to(emails[1])
    assert en["subject"] == "Please confirm your session: Old acceptance" and deadline_link in en["body"]
    deadline = AFTER_CFP + timedelta(days=14)
    with app.app_context():
        for language, mail in (("en", en), ("de", de)):
            with force_locale(language):
                assert format_in_zone(deadline, "Europe/Berlin", "full") in mail["body"]
    assert de["subject"] == "Bitte bestätigen Sie Ihre Session: Old acceptance"

    refused = app.test_cli_runner().invoke(args=["remind-unconfirmed", "--days", "-1"])
    assert refused.exit_code == 2
