"""The proposal life cycle: every (state, action) pair, allowed or refused, with its audit row and mails."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from review_app.accounts.models import User
from review_app.accounts.services import hash_token
from review_app.audit.models import AuditEntry
from review_app.cfp import services as cfp
from review_app.cfp.models import Invitation, InvitationState, Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.errors import DomainError, InvalidState, PermissionDenied
from review_app.mail.models import OutboxMessage

from ..factories import (
    AFTER_CFP,
    DURING_CFP,
    drive_to,
    login,
    make_event,
    make_proposal,
    make_user,
    proposal_data,
    proposal_form,
)

S = ProposalState
ALL_STATES = list(ProposalState)
ACTIONS = [
    "edit",
    "submit",
    "withdraw",
    "invite",
    "accept_invitation",
    "start_review",
    "decide",
    "confirm",
    "decline",
    "cancel",
    "delete",
]

# The life cycle as the domain describes it, written out by hand (not derived from the rule table).
ALLOWED: dict[str, set[ProposalState]] = {
    "edit": {S.draft, S.submitted},
    "submit": {S.draft},
    "withdraw": {S.submitted, S.under_review, S.waitlisted},
    "invite": {S.draft, S.submitted, S.accepted, S.confirmed},  # not while the committee reviews
    "accept_invitation": {S.draft, S.submitted, S.under_review, S.accepted, S.waitlisted, S.confirmed},
    "start_review": {S.submitted},
    "decide": {S.under_review, S.waitlisted},
    "confirm": {S.accepted},
    "decline": {S.accepted},
    "cancel": {S.confirmed},  # a confirmed session called off, by a speaker or the committee
    "delete": {S.draft},  # only a draft nobody has seen yet; anything submitted is withdrawn instead
}
# the state an allowed action leads to (None: the state stays as it is)
TARGET: dict[str, ProposalState | None] = {
    "edit": None,
    "submit": S.submitted,
    "withdraw": S.withdrawn,
    "invite": None,
    "accept_invitation": None,
    "start_review": S.under_review,
    "decide": S.accepted,
    "confirm": S.confirmed,
    "decline": S.declined,
    "cancel": S.cancelled,
    "delete": None,  # the proposal is gone
}
# the mails an allowed action queues: (template, who receives them)
MAILS: dict[str, tuple[str, str] | None] = {
    "edit": None,
    "submit": ("proposal_submitted", "speakers"),
    "withdraw": ("proposal_withdrawn", "speakers"),
    "invite": ("co_speaker_invitation", "invitee"),
    "accept_invitation": ("invitation_accepted", "inviter"),
    "start_review": None,
    "decide": None,
    "confirm": ("proposal_confirmed", "speakers"),
    "decline": ("proposal_declined", "speakers"),
    "cancel": ("proposal_cancelled", "speakers"),
    "delete": None,
}
COMMITTEE_ACTIONS = {"start_review", "decide"}
SPEAKER_ACTIONS = ["edit", "submit", "withdraw", "invite", "confirm", "decline", "cancel", "delete"]
# states that only exist once the call has closed; speaker actions on them happen after the deadline
LATE_STATES = {S.under_review, S.accepted, S.waitlisted, S.rejected, S.confirmed, S.declined, S.cancelled}
LATER = AFTER_CFP + timedelta(days=2)
INVITEE_EMAIL = "co.speaker@example.org"
INVITE_TOKEN = "invitation-token-for-the-lifecycle-test"


@pytest.fixture
def ctx(ctx):
    """The application context of conftest, with messages in English (the msgids asserted on below)."""
    with force_locale("en"):
        yield


def moment(action: str, state: ProposalState):
    if action in ("edit", "submit"):
        return DURING_CFP  # actions with a deadline: while the call is open
    if action in COMMITTEE_ACTIONS or state in LATE_STATES:
        return LATER
    return DURING_CFP


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    )


class World:
    def __init__(self, state: ProposalState):
        self.committee = make_user(name="Chair", email="chair@example.org")
        self.event = make_event(committee=self.committee)
        self.owner = make_user(name="Owner", email="owner@example.org", language="en")
        self.co = make_user(name="Co Owner", email="co.owner@example.org", language="de")
        self.invitee = make_user(name="Invitee", email=INVITEE_EMAIL, language="en")
        self.stranger = make_user(name="Stranger", email="stranger@example.org")
        self.proposal = make_proposal(self.event, self.owner, committee=self.committee)
        # a second speaker, so that "one mail per speaker" is visible
        self.proposal.speakers.append(
            ProposalSpeaker(user_id=self.co.id, is_submitter=False, joined_at=DURING_CFP)
        )
        db.session.flush()
        db.session.expire(self.proposal, ["speakers"])
        make_proposal_state(self, state)
        # a pending invitation for accept_invitation, created as if sent while the call was open
        db.session.add(
            Invitation(
                proposal_id=self.proposal.id,
                email=INVITEE_EMAIL,
                token_hash=hash_token(INVITE_TOKEN),
                invited_by_id=self.owner.id,
                created_at=DURING_CFP,
                expires_at=LATER + timedelta(days=30),
            )
        )
        db.session.flush()


def make_proposal_state(world: World, state: ProposalState) -> None:
    """Drive the proposal to `state` through the real transitions."""
    drive_to(world.proposal, state, owner=world.owner, committee=world.committee)


def perform(world: World, action: str, actor, now):
    p = world.proposal
    if action == "edit":
        return cfp.update_proposal(
            p, proposal_data(world.event, title="A changed title"), actor=actor, now=now
        )
    if action == "submit":
        return cfp.submit(p, actor=actor, now=now)
    if action == "withdraw":
        return cfp.withdraw(p, actor=actor, now=now)
    if action == "invite":
        return cfp.invite_co_speaker(p, "new.person@example.org", actor=actor, now=now)
    if action == "accept_invitation":
        return cfp.accept_invitation(INVITE_TOKEN, actor=actor, now=now)
    if action == "start_review":
        return cfp.start_review(p, actor=actor, now=now)
    if action == "decide":
        return cfp.decide(p, S.accepted, actor=actor, now=now)
    if action == "confirm":
        return cfp.confirm(p, actor=actor, now=now)
    if action == "decline":
        return cfp.decline(p, actor=actor, now=now)
    if action == "cancel":
        return cfp.cancel(p, "The speaker fell ill.", actor=actor, now=now)
    if action == "delete":
        return cfp.delete_draft(p, actor=actor, now=now)
    raise AssertionError(action)


def rightful_actor(world: World, action: str):
    if action in COMMITTEE_ACTIONS:
        return world.committee
    if action == "accept_invitation":
        return world.invitee
    return world.owner


def assert_nothing_changed(world: World, state: ProposalState, version: int, before: tuple[int, int]) -> None:
    assert counts() == before
    db.session.expire_all()
    fresh = db.session.get(Proposal, world.proposal.id)
    assert fresh.state is state
    assert fresh.version == version
    assert fresh.title == "Digitale Bürgerdienste in Herne"
    assert world.invitee.id not in fresh.speaker_ids()
    invitations = {i.email: i.state for i in fresh.invitations}
    assert invitations == {INVITEE_EMAIL: InvitationState.pending}


@pytest.mark.parametrize(
    ("state", "action"), list(itertools.product(ALL_STATES, ACTIONS)), ids=lambda v: str(v)
)
def test_every_action_in_every_state_is_allowed_or_refused_as_the_life_cycle_says(ctx, state, action):
    world = World(state)
    actor = rightful_actor(world, action)
    now = moment(action, state)
    before = counts()
    max_audit = db.session.scalar(select(func.max(AuditEntry.id)))
    max_mail = db.session.scalar(select(func.max(OutboxMessage.id)))
    version = world.proposal.version

    if state not in ALLOWED[action]:
        with pytest.raises(InvalidState) as refused:
            perform(world, action, actor, now)
        assert refused.value.status == 409
        assert "not possible while the proposal is" in refused.value.message
        assert_nothing_changed(world, state, version, before)
        return

    proposal_id = world.proposal.id
    perform(world, action, actor, now)
    db.session.flush()
    expected_state = TARGET[action] or state
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal_id)
    if action == "delete":
        assert proposal is None
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
        assert db.session.scalar(select(func.count()).select_from(ProposalSpeaker)) == 0
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.id > max_audit))
        assert (entry.action, entry.actor_id, entry.object_id, entry.from_state, entry.at) == (
            "proposal.delete", actor.id, proposal_id, state.value, now)
        assert entry.details == {"title": "Digitale Bürgerdienste in Herne"}
        assert counts()[1] == before[1]  # no mail
        return
    assert proposal.state is expected_state

    # the transition's own row (accepting an invitation also records the granted speaker role)
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.id > max_audit, AuditEntry.object_type == "proposal")
    )
    assert entry.actor_id == actor.id
    assert entry.action == f"proposal.{action}"
    assert entry.object_type == "proposal" and entry.object_id == proposal.id
    assert entry.event_id == world.event.id
    assert entry.from_state == state.value
    assert entry.to_state == expected_state.value
    assert entry.at == now

    mails = list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > max_mail).order_by(OutboxMessage.id)
        )
    )
    expected_mail = MAILS[action]
    if expected_mail is None:
        assert mails == []
    else:
        template, audience = expected_mail
        recipients = {
            "speakers": {"owner@example.org", "co.owner@example.org"},
            "invitee": {"new.person@example.org"},
            "inviter": {"owner@example.org"},
        }[audience]
        assert {m.template for m in mails} == {template}
        assert sorted(m.recipient for m in mails) == sorted(recipients)  # exactly one each
        assert all(m.status == "pending" and m.event_id == world.event.id for m in mails)
        if action != "invite":
            assert all(f"/events/{world.event.slug}/proposals/{proposal.id}" in m.body_text for m in mails)

    if action == "edit":
        assert proposal.title == "A changed title"
        assert proposal.version == version + 1
    if action == "submit":
        assert proposal.submitted_at == now
    if action == "accept_invitation":
        assert world.invitee.id in proposal.speaker_ids()
        [inv] = proposal.invitations
        assert inv.state is InvitationState.accepted and inv.accepted_by_id == world.invitee.id
    if action == "invite":
        assert {i.email for i in proposal.invitations} == {INVITEE_EMAIL, "new.person@example.org"}


@pytest.mark.parametrize("outsider", ["stranger", "committee"])
@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("edit", S.draft),
        ("submit", S.draft),
        ("withdraw", S.submitted),
        ("invite", S.draft),
        ("confirm", S.accepted),
        ("decline", S.accepted),
        ("delete", S.draft),
    ],
)
def test_someone_who_is_not_a_speaker_is_refused_every_speaker_action(ctx, action, state, outsider):
    world = World(state)
    actor = world.stranger if outsider == "stranger" else world.committee
    before, version = counts(), world.proposal.version
    with pytest.raises(PermissionDenied) as refused:
        perform(world, action, actor, moment(action, state))
    assert refused.value.status == 403
    assert "Only the speakers" in refused.value.message
    assert_nothing_changed(world, state, version, before)


@pytest.mark.parametrize(
    ("action", "state"), [("start_review", S.submitted), ("decide", S.under_review), ("decide", S.waitlisted)]
)
@pytest.mark.parametrize("who", ["owner", "stranger"])
def test_a_speaker_or_stranger_is_refused_the_committee_actions(ctx, action, state, who):
    world = World(state)
    before, version = counts(), world.proposal.version
    with pytest.raises(PermissionDenied) as refused:
        perform(world, action, getattr(world, who), LATER)
    assert refused.value.status == 403
    assert "programme committee" in refused.value.message
    assert_nothing_changed(world, state, version, before)


def test_the_committee_cannot_start_the_review_while_the_call_is_open(ctx):
    from review_app.errors import DeadlinePassed

    world = World(S.submitted)
    before, version = counts(), world.proposal.version
    with pytest.raises(DeadlinePassed):
        cfp.start_review(world.proposal, actor=world.committee, now=DURING_CFP)
    assert_nothing_changed(world, S.submitted, version, before)


def test_an_invitation_sent_to_someone_else_cannot_be_accepted(ctx):
    world = World(S.draft)
    before, version = counts(), world.proposal.version
    with pytest.raises(PermissionDenied):
        cfp.accept_invitation(INVITE_TOKEN, actor=world.stranger, now=DURING_CFP)
    assert_nothing_changed(world, S.draft, version, before)


@pytest.mark.parametrize("missing", ["description", "abstract", "availability"])
def test_submitting_an_incomplete_draft_answers_422_and_keeps_the_draft(ctx, missing):
    event = make_event()
    owner = make_user()
    proposal = make_proposal(event, owner, **{missing: [] if missing == "availability" else ""})
    before, version = counts(), proposal.version
    with pytest.raises(DomainError) as refused:
        cfp.submit(proposal, actor=owner, now=DURING_CFP)
    assert refused.value.status == 422
    assert "Before you can submit" in refused.value.message
    assert counts() == before
    db.session.expire_all()
    fresh = db.session.get(Proposal, proposal.id)
    assert fresh.state is S.draft and fresh.submitted_at is None and fresh.version == version


# ---------------------------------------------------------------- the HTTP layer


def _setup_http(app, state: ProposalState):
    with app.app_context():
        event = make_event(slug="scd")
        owner = make_user(email="owner@example.org", language="en")
        proposal = make_proposal(event, owner, state=state)
        db.session.commit()
        return SimpleNamespace(email=owner.email, id=owner.id), proposal.id


def _snapshot(app, proposal_id):
    with app.app_context():
        p = db.session.get(Proposal, proposal_id)
        return (p.state, p.version, counts())


@pytest.mark.parametrize(
    ("action", "state", "label"),
    [
        ("submit", S.submitted, "Submitted"),
        ("submit", S.withdrawn, "Withdrawn"),
        ("withdraw", S.draft, "Draft"),
        ("withdraw", S.withdrawn, "Withdrawn"),
        ("confirm", S.submitted, "Submitted"),
        ("confirm", S.rejected, "Rejected"),
        ("decline", S.confirmed, "Confirmed"),
        ("decline", S.draft, "Draft"),
    ],
)
def test_posting_an_action_in_a_refused_state_answers_409_with_a_message_and_changes_nothing(
    app, client, clock, action, state, label
):
    owner, pid = _setup_http(app, state)
    clock.set(LATER if state in LATE_STATES or action in ("confirm", "decline") else DURING_CFP)
    login(client, owner)
    before = _snapshot(app, pid)
    r = client.post(f"/events/scd/proposals/{pid}/{action}")
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert f"This is not possible while the proposal is “{label}”." in page
    assert _snapshot(app, pid) == before


def test_posting_a_valid_action_moves_the_state_and_queues_the_mail(app, client, clock):
    owner, pid = _setup_http(app, S.submitted)
    clock.set(DURING_CFP)
    login(client, owner)
    r = client.post(f"/events/scd/proposals/{pid}/withdraw")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Proposal, pid).state is S.withdrawn
        assert [m.template for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))][
            -1
        ] == "proposal_withdrawn"


def test_submitting_an_incomplete_draft_over_http_answers_422_and_names_what_is_missing(app, client, clock):
    with app.app_context():
        event = make_event(slug="scd")
        owner = make_user(email="owner@example.org", language="en")
        pid = make_proposal(event, owner, description="").id
        db.session.commit()
        owner = SimpleNamespace(email=owner.email)
    clock.set(DURING_CFP)
    login(client, owner)
    before = _snapshot(app, pid)
    r = client.post(f"/events/scd/proposals/{pid}/submit")
    assert r.status_code == 422
    assert "Before you can submit, please add: a description." in r.get_data(as_text=True)
    assert _snapshot(app, pid) == before


def _edit_form(app, pid, **overrides):
    with app.app_context():
        p = db.session.get(Proposal, pid)
        current = {"title": p.title, "abstract": p.abstract, "description": p.description, "language": p.language,
                   "day0_to": "17:00"}
        return proposal_form(p.format_id, p.main_theme_id, **{**current, **overrides})


def test_an_edit_with_a_stale_version_answers_409_and_keeps_the_other_edit(app, client, clock):
    owner, pid = _setup_http(app, S.draft)
    clock.set(DURING_CFP)
    login(client, owner)
    page = client.get(f"/events/scd/proposals/{pid}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"|name="version" value="(\d+)"', page)
    stale = next(g for g in version.groups() if g)
    # meanwhile a co-speaker saves another edit
    with app.app_context():
        p = db.session.get(Proposal, pid)
        event = p.event
        cfp.update_proposal(
            p,
            proposal_data(event, title="The other edit"),
            actor=db.session.get(User, owner.id),
            now=DURING_CFP,
            expected_version=int(stale),
        )
        db.session.commit()
    before = _snapshot(app, pid)
    r = client.post(
        f"/events/scd/proposals/{pid}/edit", data=_edit_form(app, pid, title="My late edit", version=stale)
    )
    assert r.status_code == 409
    assert "Someone else changed this proposal in the meantime" in r.get_data(as_text=True)
    assert _snapshot(app, pid) == before
    with app.app_context():
        assert db.session.get(Proposal, pid).title == "The other edit"
    # with the current version the edit goes through
    r = client.post(
        f"/events/scd/proposals/{pid}/edit",
        data=_edit_form(app, pid, title="My late edit", version=str(before[1])),
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Proposal, pid).title == "My late edit"
