"""Deciding, revising and releasing through the ranking page: speakers learn nothing before the release, then the
right mails reach the real SMTP server; conflicts, withdrawn proposals and hostile input answer 4xx."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import force_locale
from sqlalchemy import delete, func, select

from review_app.audit.models import AuditEntry
from review_app.cfp.models import Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Role
from review_app.i18n import format_in_zone
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending
from review_app.review.models import Decision, DecisionOutcome

from ..factories import AFTER_CFP, CFP_CLOSES, DURING_CFP, login
from .decision_helpers import committee_event, outsider, reviewer, speaker_proposal, submitted_review

S = ProposalState


def setup(app, n: int = 1, language: str = "en"):
    """An event whose chair is conflicted with nothing, and `n` proposals under review of English speakers."""
    with app.app_context():
        event, chair = committee_event()
        props = [speaker_proposal(event, chair, f"Session {i}", language=language) for i in range(n)]
        db.session.commit()
        return SimpleNamespace(event=event.id, chair=chair.email, ids=[p.id for p, _s in props],
                               speakers=[s.email for _p, s in props])


def chair_client(app, ids):
    c = app.test_client()
    login(c, ids.chair)
    return c


def decide(c, proposal_ids, outcome, **extra):
    return c.post("/events/scd/manage/ranking/decide", data={"proposal": proposal_ids, "outcome": outcome, **extra})


def release(c, proposal_ids=None, confirmed: bool = True):
    """Release all or the chosen decisions; confirmed, as the button of the page that asks first posts it."""
    data = {"scope": "all"} if proposal_ids is None else {"scope": "selected", "proposal": proposal_ids}
    if confirmed:
        data["confirmed"] = "yes"
    return c.post("/events/scd/manage/ranking/release", data=data)


def state_of(app, proposal_id):
    with app.app_context():
        return db.session.get(Proposal, proposal_id).state


def decision_templates(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.template)
                                         .where(OutboxMessage.template.like("decision_%"))))


def test_a_decision_is_invisible_to_speakers_until_it_is_released(app, client, clock):
    clock.set(AFTER_CFP)
    ids = setup(app)
    chair = chair_client(app, ids)
    pid = ids.ids[0]

    assert decide(chair, [pid], "accept").status_code == 302
    login(client, ids.speakers[0])
    page = client.get(f"/events/scd/proposals/{pid}").get_data(as_text=True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Under review" in page and "Accepted" not in page and "/confirm" not in page
    assert "Under review" in dashboard and "Accepted" not in dashboard
    assert state_of(app, pid) is S.under_review and decision_templates(app) == []
    # the committee sees the pending decision on its ranking
    ranking = chair.get("/events/scd/manage/ranking").get_data(as_text=True)
    assert "1 pending decision" in ranking

    assert release(chair).status_code == 302

    page = client.get(f"/events/scd/proposals/{pid}").get_data(as_text=True)
    assert "Accepted" in page and f"/events/scd/proposals/{pid}/confirm" in page
    assert "Accepted" in client.get("/dashboard").get_data(as_text=True)
    assert decision_templates(app) == ["decision_accepted"]


def test_a_pending_decision_can_be_revised_and_only_the_last_one_is_released(app, clock):
    clock.set(AFTER_CFP)
    ids = setup(app)
    chair = chair_client(app, ids)
    pid = ids.ids[0]

    decide(chair, [pid], "accept")
    decide(chair, [pid], "reject")

    with app.app_context():
        row = db.session.scalar(select(Decision).where(Decision.proposal_id == pid))
        assert row.outcome is DecisionOutcome.reject and row.released_at is None
        audit = list(db.session.execute(select(AuditEntry.from_state, AuditEntry.to_state)
                                        .where(AuditEntry.action == "decision.decide").order_by(AuditEntry.id)))
        assert [tuple(a) for a in audit] == [(None, "accept"), ("accept", "reject")]
    assert state_of(app, pid) is S.under_review
    release(chair, [pid])
    assert state_of(app, pid) is S.rejected
    assert decision_templates(app) == ["decision_rejected"]


def test_release_sends_exactly_the_right_mails_in_each_speakers_language(app, client, clock, smtp_server):
    clock.set(AFTER_CFP)
    with app.app_context():
        event, chair = committee_event()
        accepted, owner = speaker_proposal(event, chair, "Offene Daten in Herne", language="de")
        co = outsider("Co Speaker", language="en")
        accepted.speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=DURING_CFP))
        rejected, rejected_speaker = speaker_proposal(event, chair, "Smart Parking", language="en")
        waitlisted, waitlisted_speaker = speaker_proposal(event, chair, "Urban Gardens", language="en")
        untouched, untouched_speaker = speaker_proposal(event, chair, "Not decided", language="en")
        criterion = event.criteria[0].id
        alice, bob = reviewer(event, "Alice Reviewer"), reviewer(event, "Bob Reviewer")
        submitted_review(alice, rejected, {criterion: 2}, comment_speakers="Please show measured results.",
                         comment_committee="INTERNAL-ONLY")
        submitted_review(bob, rejected, {criterion: 1}, comment_speakers="DRAFT-NOT-SENT", submitted=False)
        db.session.flush()
        db.session.execute(delete(OutboxMessage))  # the submission mails are not what this test is about
        db.session.commit()
        emails = SimpleNamespace(chair=chair.email, owner=owner.email, co=co.email, rej=rejected_speaker.email,
                                 wait=waitlisted_speaker.email, untouched=untouched_speaker.email)
        pids = SimpleNamespace(acc=accepted.id, rej=rejected.id, wait=waitlisted.id)
    chair_c = app.test_client()
    login(chair_c, emails.chair)
    decide(chair_c, [pids.acc], "accept")
    decide(chair_c, [pids.rej], "reject", share_comments="y")
    decide(chair_c, [pids.wait], "waitlist")
    assert release(chair_c).status_code == 302

    with app.app_context():
        assert send_pending(now=AFTER_CFP) == {"sent": 4, "retry": 0, "failed": 0}
        deadline = db.session.get(Proposal, pids.acc).confirm_by
        assert deadline == AFTER_CFP + timedelta(days=14)
        with force_locale("de"):
            deadline_de = format_in_zone(deadline, "Europe/Berlin", "full")
        with force_locale("en"):
            deadline_en = format_in_zone(deadline, "Europe/Berlin", "full")
    assert sorted(a for m in smtp_server.messages for a in m["envelope_to"]) == sorted(
        [emails.owner, emails.co, emails.rej, emails.wait])
    (de_mail,), (en_mail,) = smtp_server.to(emails.owner), smtp_server.to(emails.co)
    assert de_mail["subject"] == "Angenommen: Offene Daten in Herne" and deadline_de in de_mail["body"]
    assert en_mail["subject"] == "Accepted: Offene Daten in Herne" and deadline_en in en_mail["body"]
    (rej_mail,) = smtp_server.to(emails.rej)
    assert "Please show measured results." in rej_mail["body"]
    for secret in ("Alice", "Bob", "DRAFT-NOT-SENT", "INTERNAL-ONLY"):
        assert secret not in rej_mail["body"]
    (wait_mail,) = smtp_server.to(emails.wait)
    assert wait_mail["subject"] == "On the waiting list: Urban Gardens"
    assert smtp_server.to(emails.untouched) == []

    # the link in the acceptance mail leads to the proposal, where the speaker confirms before the deadline
    link = re.search(r"http://localhost(/\S+)", en_mail["body"]).group(1)
    assert link == f"/events/scd/proposals/{pids.acc}"
    login(client, emails.co)
    clock.set(deadline - timedelta(minutes=1))
    assert "Confirm: we will present" in client.get(link).get_data(as_text=True)
    assert client.post(f"{link}/confirm").status_code == 302
    assert state_of(app, pids.acc) is S.confirmed


def test_confirming_after_the_deadline_is_refused_with_a_clear_message(app, client, clock):
    clock.set(AFTER_CFP)
    ids = setup(app)
    chair = chair_client(app, ids)
    pid = ids.ids[0]
    decide(chair, [pid], "accept")
    release(chair)

    clock.set(AFTER_CFP + timedelta(days=14, minutes=1))
    login(client, ids.speakers[0])
    page = client.get(f"/events/scd/proposals/{pid}").get_data(as_text=True)
    assert "Confirm: we will present" not in page
    refused = client.post(f"/events/scd/proposals/{pid}/confirm")
    assert refused.status_code == 403
    assert "The deadline to confirm this session was" in refused.get_data(as_text=True)
    assert state_of(app, pid) is S.accepted


def test_releasing_twice_changes_nothing_and_sends_nothing_more(app, clock):
    clock.set(AFTER_CFP)
    ids = setup(app, 2)
    chair = chair_client(app, ids)
    decide(chair, ids.ids, "reject")
    release(chair)
    with app.app_context():
        audit = db.session.scalar(select(func.count()).select_from(AuditEntry))

    again = release(chair)
    assert again.status_code == 302
    assert "0 decisions released" in chair.get("/events/scd/manage/ranking").get_data(as_text=True)
    release(chair, ids.ids)

    assert decision_templates(app) == ["decision_rejected"] * 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit
    assert [state_of(app, pid) for pid in ids.ids] == [S.rejected, S.rejected]


def test_bulk_decide_and_release_a_selection(app, clock):
    clock.set(AFTER_CFP)
    ids = setup(app, 4)
    chair = chair_client(app, ids)

    assert decide(chair, ids.ids[:3], "waitlist").status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Decision).order_by(Decision.proposal_id)).all()
        assert [(d.proposal_id, d.outcome) for d in rows] == [(pid, DecisionOutcome.waitlist) for pid in ids.ids[:3]]
    release(chair, ids.ids[:2])

    assert [state_of(app, pid) for pid in ids.ids] == [S.waitlisted, S.waitlisted, S.under_review, S.under_review]
    assert decision_templates(app) == ["decision_waitlisted"] * 2


def test_a_waitlisted_proposal_can_be_accepted_later(app, clock):
    clock.set(AFTER_CFP)
    ids = setup(app)
    chair = chair_client(app, ids)
    pid = ids.ids[0]
    decide(chair, [pid], "waitlist")
    release(chair)
    clock.set(AFTER_CFP + timedelta(days=20))
    chair = chair_client(app, ids)

    decide(chair, [pid], "accept")
    assert state_of(app, pid) is S.waitlisted  # still pending
    release(chair)

    assert state_of(app, pid) is S.accepted
    assert decision_templates(app) == ["decision_accepted", "decision_waitlisted"]
    with app.app_context():
        assert db.session.get(Proposal, pid).confirm_by == AFTER_CFP + timedelta(days=34)


def test_deciding_a_withdrawn_proposal_is_refused_and_nothing_of_the_batch_is_saved(app, clock):
    clock.set(AFTER_CFP)
    ids = setup(app, 2)
    with app.app_context():
        from review_app.accounts.models import User
        from review_app.cfp import services as cfp

        proposal = db.session.get(Proposal, ids.ids[1])
        speaker = db.session.scalar(select(User).where(User.email == ids.speakers[1]))
        cfp.withdraw(proposal, actor=speaker, now=AFTER_CFP)
        db.session.commit()
    chair = chair_client(app, ids)

    refused = decide(chair, ids.ids, "accept")

    assert refused.status_code == 409
    assert "was withdrawn by its speakers; it can no longer be decided" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 0


def test_a_conflicted_member_can_neither_see_nor_decide_the_proposal(app, clock):
    clock.set(AFTER_CFP)
    ids = setup(app, 2)
    with app.app_context():
        from review_app.accounts.models import User
        from review_app.events.models import Event

        event = db.session.get(Event, ids.event)
        # a committee member who is a speaker of the first proposal
        member = db.session.scalar(select(User).where(User.email == ids.speakers[0]))
        events.grant_role(event, member, Role.committee, actor=None, now=AFTER_CFP)
        db.session.commit()
    member_c = app.test_client()
    login(member_c, ids.speakers[0])

    page = member_c.get("/events/scd/manage/ranking").get_data(as_text=True)
    assert "Session 1" in page and "Session 0" not in page
    assert f'data-proposal="{ids.ids[0]}"' not in page
    assert decide(member_c, [ids.ids[0]], "accept").status_code == 404
    assert decide(member_c, ids.ids, "accept").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    # releasing "all" leaves the decision the member may not see alone
    decide(chair_client(app, ids), ids.ids, "accept")
    release(member_c)
    assert [state_of(app, pid) for pid in ids.ids] == [S.under_review, S.accepted]


def test_the_review_starts_for_every_submitted_proposal_after_the_call(app, clock):
    clock.set(CFP_CLOSES - timedelta(hours=1))
    with app.app_context():
        event, chair = committee_event()
        proposals = [speaker_proposal(event, chair, f"P{i}", state=S.submitted)[0] for i in range(3)]
        draft = speaker_proposal(event, chair, "Draft", state=S.draft)[0]
        db.session.commit()
        ids = SimpleNamespace(chair=chair.email, ids=[p.id for p in proposals], draft=draft.id)
    chair_c = chair_client(app, ids)
    assert "Start the review" not in chair_c.get("/events/scd/manage/ranking").get_data(as_text=True)
    early = chair_c.post("/events/scd/manage/ranking/start-review")
    assert early.status_code == 403 and state_of(app, ids.ids[0]) is S.submitted

    clock.set(CFP_CLOSES + timedelta(minutes=1))
    assert "Start the review" in chair_c.get("/events/scd/manage/ranking").get_data(as_text=True)
    assert chair_c.post("/events/scd/manage/ranking/start-review").status_code == 302

    assert [state_of(app, pid) for pid in ids.ids] == [S.under_review] * 3
    assert state_of(app, ids.draft) is S.draft


def test_hostile_input_answers_4xx_and_saves_nothing(app, clock):
    clock.set(AFTER_CFP)
    ids = setup(app)
    chair = chair_client(app, ids)
    pid = ids.ids[0]

    assert decide(chair, [pid], "maybe").status_code == 400
    assert decide(chair, ["abc"], "accept").status_code == 400
    assert decide(chair, [pid], "").status_code == 422
    assert decide(chair, [], "accept").status_code == 422
    assert decide(chair, [999999], "accept").status_code == 404
    assert decide(chair, [2**40], "accept").status_code in (400, 404)
    assert release(chair, []).status_code == 422
    for query in ("sort=evil", "theme=x", "dir=sideways", "state=%00", "city=" + "x" * 500, "format=-1"):
        response = chair.get(f"/events/scd/manage/ranking?{query}")
        assert response.status_code == 400, query
        assert "Session 0" in response.get_data(as_text=True)
        assert chair.get(f"/events/scd/manage/ranking.csv?{query}").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    # a stranger and a speaker find no ranking at all
    speaker = app.test_client()
    login(speaker, ids.speakers[0])
    assert speaker.get("/events/scd/manage/ranking").status_code == 404
    assert decide(speaker, [pid], "accept").status_code == 404
