"""Every state change of a proposal happens here: permission, phase and deadline checked, audit row
written, mails queued, session flushed. The caller commits once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import find_user_by_email, hash_token, new_token, normalise_email
from ..audit.models import record
from ..db import db
from ..errors import Conflict, DomainError, PermissionDenied
from ..events.models import Audience, Event, Role, SessionFormat, Theme
from ..events.services import grant_role
from ..mail.services import absolute_url, queue_mail
from .availability import set_availability
from .models import (
    SUBMISSION_REQUIREMENTS,
    Invitation,
    InvitationState,
    ProjectStage,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    Requirement,
)
from .permissions import can, check_action, check_can_propose


@dataclass
class ProposalData:
    """The speaker-editable content of a proposal, as validated by the form."""

    title: str
    abstract: str
    format_id: int
    main_theme_id: int
    language: str
    description: str = ""
    further_theme_ids: list[int] = field(default_factory=list)
    audience_ids: list[int] = field(default_factory=list)
    project_organisation: str = ""
    project_city: str = ""
    project_partners: str = ""
    project_stage: str = ProjectStage.pilot.value
    project_results: str = ""
    project_transfer: str = ""
    notes_for_committee: str = ""
    # the acting speaker's windows (a person's availability holds for all their proposals of the event);
    # None leaves them as they are (the form always sends them, prefilled)
    availability: list[tuple[datetime, datetime]] | None = field(default_factory=list)


def _apply(proposal: Proposal, event: Event, data: ProposalData) -> None:
    """Copy `data` onto the proposal after checking that every id belongs to this event."""
    fmt = db.session.get(SessionFormat, data.format_id)
    main = db.session.get(Theme, data.main_theme_id)
    if fmt is None or fmt.event_id != event.id:
        raise DomainError(_("Choose one of this event's session formats."), 422)
    if main is None or main.event_id != event.id:
        raise DomainError(_("Choose one of this event's themes."), 422)
    further_ids = sorted(set(data.further_theme_ids) - {main.id})
    further = list(db.session.scalars(select(Theme).where(Theme.id.in_(further_ids), Theme.event_id == event.id)))
    audiences = list(db.session.scalars(select(Audience).where(Audience.id.in_(set(data.audience_ids)),
                                                               Audience.event_id == event.id)))
    if len(further) != len(further_ids) or len(audiences) != len(set(data.audience_ids)):
        raise DomainError(_("Choose themes and audiences of this event only."), 422)
    if data.language not in ("de", "en"):
        raise DomainError(_("Choose German or English."), 422)
    proposal.title = data.title
    proposal.abstract = data.abstract
    proposal.description = data.description
    proposal.format = fmt
    proposal.main_theme = main
    proposal.further_themes = further
    proposal.audiences = audiences
    proposal.language = data.language
    proposal.project_organisation = data.project_organisation
    proposal.project_city = data.project_city
    proposal.project_partners = data.project_partners
    proposal.project_stage = ProjectStage(data.project_stage)
    proposal.project_results = data.project_results
    proposal.project_transfer = data.project_transfer
    proposal.notes_for_committee = data.notes_for_committee


def create_proposal(event: Event, data: ProposalData, *, actor: User, now: datetime) -> Proposal:
    """A new draft owned by `actor`. Side effects: speaker role in the event, audit row."""
    if not actor.email_confirmed:
        raise PermissionDenied(_("Please confirm your email address first."))
    check_can_propose(event, now)
    proposal = Proposal(event_id=event.id, event=event, state=ProposalState.draft, created_at=now, updated_at=now)
    _apply(proposal, event, data)
    if data.availability is not None:
        set_availability(event, actor.id, data.availability)  # the person's, for all their proposals
    proposal.speakers.append(ProposalSpeaker(user_id=actor.id, is_submitter=True, joined_at=now))
    db.session.add(proposal)
    db.session.flush()
    grant_role(event, actor, Role.speaker, actor=None, now=now)
    record(actor=actor, action="proposal.create", obj=proposal, now=now, to_state=proposal.state.value)
    return proposal


def update_proposal(proposal: Proposal, data: ProposalData, *, actor: User, now: datetime,
                    expected_version: int | None = None) -> Proposal:
    """Edit the content while the call is open; a stale `expected_version` answers 409."""
    check_action(actor, proposal, "edit", now)
    if expected_version is not None and expected_version != proposal.version:
        raise Conflict(_("Someone else changed this proposal in the meantime. Your changes were not saved; "
                         "please review the current version and edit again."))
    if proposal.state is not ProposalState.draft and (missing := missing_for_submission(data)):
        raise DomainError(missing_message(missing), 422)  # a submitted proposal stays complete
    _apply(proposal, proposal.event, data)
    if data.availability is not None:
        set_availability(proposal.event, actor.id, data.availability)
    proposal.updated_at = now
    db.session.flush()
    record(actor=actor, action="proposal.edit", obj=proposal, now=now, from_state=proposal.state.value,
           to_state=proposal.state.value)
    return proposal


def missing_for_submission(proposal: Proposal | ProposalData) -> list[Requirement]:
    """What submitting still needs, for a saved proposal or for the data a form is about to save."""
    return [r for r in SUBMISSION_REQUIREMENTS if r.is_missing(proposal)]


def missing_message(missing: list[Requirement]) -> str:
    return _("Before you can submit, please add: %(missing)s.", missing=", ".join(str(r.ask) for r in missing))


def _move(proposal: Proposal, to: ProposalState, *, actor: User, action: str, now: datetime, **details) -> str:
    check_action(actor, proposal, action, now)
    before = proposal.state
    proposal.state = to
    proposal.updated_at = now
    db.session.flush()
    record(actor=actor, action=f"proposal.{action}", obj=proposal, now=now, from_state=before.value,
           to_state=to.value, **details)
    return before.value


def _mail_speakers(proposal: Proposal, template: str, *, now: datetime, **context) -> None:
    for speaker in proposal.speakers:
        queue_mail(template=template, recipient=speaker.user.email, language=speaker.user.language, now=now,
                   event_id=proposal.event_id, user=speaker.user, proposal=proposal, event=proposal.event,
                   link=absolute_url("cfp.proposal", slug=proposal.event.slug, proposal_id=proposal.id), **context)


def submit(proposal: Proposal, *, actor: User, now: datetime) -> Proposal:
    """draft → submitted. Side effects: audit row, a confirmation mail to every speaker."""
    check_action(actor, proposal, "submit", now)
    missing = missing_for_submission(proposal)
    if missing:
        raise DomainError(missing_message(missing), 422)
    proposal.submitted_at = now
    _move(proposal, ProposalState.submitted, actor=actor, action="submit", now=now)
    _mail_speakers(proposal, "proposal_submitted", now=now)
    return proposal


def withdraw(proposal: Proposal, *, actor: User, now: datetime) -> Proposal:
    """submitted/under review/waitlisted → withdrawn. Side effects: audit row, a mail to every speaker."""
    _move(proposal, ProposalState.withdrawn, actor=actor, action="withdraw", now=now)
    _mail_speakers(proposal, "proposal_withdrawn", now=now, actor=actor)
    return proposal


def delete_draft(proposal: Proposal, *, actor: User, now: datetime) -> None:
    """Delete a draft with its speakers, invitations and availability (pending invitation links stop working).
    Side effects: audit row (it keeps the title; the proposal itself is gone)."""
    check_action(actor, proposal, "delete", now)
    record(actor=actor, action="proposal.delete", obj=proposal, now=now, from_state=proposal.state.value,
           title=proposal.title)
    db.session.delete(proposal)
    db.session.flush()


def start_review(proposal: Proposal, *, actor: User, now: datetime) -> Proposal:
    """submitted → under review, once the call has closed (committee). Side effects: audit row."""
    _move(proposal, ProposalState.under_review, actor=actor, action="start_review", now=now)
    return proposal


def decide(proposal: Proposal, decision: ProposalState, *, actor: User, now: datetime) -> Proposal:
    """under review/waitlisted → accepted/waitlisted/rejected (committee). Side effects: audit row.

    Only review.decisions.release calls this: the committee's decisions stay pending (and invisible to the
    speakers) until released; the release sets the confirmation deadline and queues the mails.
    """
    if decision not in (ProposalState.accepted, ProposalState.waitlisted, ProposalState.rejected):
        raise DomainError(_("Unknown decision."), 422)
    _move(proposal, decision, actor=actor, action="decide", now=now)
    return proposal


def confirm(proposal: Proposal, *, actor: User, now: datetime) -> Proposal:
    """accepted → confirmed by a speaker, until Proposal.confirm_by (DeadlinePassed after it).
    Side effects: audit row, a mail to every speaker."""
    _move(proposal, ProposalState.confirmed, actor=actor, action="confirm", now=now)
    _mail_speakers(proposal, "proposal_confirmed", now=now, actor=actor)
    return proposal


def decline(proposal: Proposal, *, actor: User, now: datetime) -> Proposal:
    """accepted → declined by a speaker. Side effects: audit row, a mail to every speaker."""
    _move(proposal, ProposalState.declined, actor=actor, action="decline", now=now)
    _mail_speakers(proposal, "proposal_declined", now=now, actor=actor)
    return proposal


# what else a cancellation frees (the schedule registers itself: it removes the session's slot); cfp cannot
# import the schedule, which builds on it
CANCEL_HOOKS: list = []


def cancel(proposal: Proposal, reason: str, *, actor: User, now: datetime) -> Proposal:
    """confirmed → cancelled, by a speaker or the committee, with a reason, until the event ends. Side effects:
    the session's slot is freed (CANCEL_HOOKS), audit row with the reason, a mail to every speaker. The next
    released programme shows it as cancelled."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("Please give a reason for the cancellation."), 422)
    check_action(actor, proposal, "cancel", now)
    proposal.cancel_reason = reason[:1000]
    _move(proposal, ProposalState.cancelled, actor=actor, action="cancel", now=now, reason=proposal.cancel_reason)
    for hook in CANCEL_HOOKS:
        hook(proposal, actor=actor, now=now)
    _mail_speakers(proposal, "proposal_cancelled", now=now, actor=actor, reason=proposal.cancel_reason)
    return proposal


def invite_co_speaker(proposal: Proposal, email: str, *, actor: User, now: datetime) -> Invitation:
    """Invite a co-speaker by email (a repeated invitation renews the link). Side effects: audit row, one mail."""
    check_action(actor, proposal, "invite", now)
    email = normalise_email(email)
    invitee = find_user_by_email(email)
    if invitee is not None and invitee.id in proposal.speaker_ids():
        raise DomainError(_("This person is already a speaker of this proposal."), 409)
    token, digest = new_token()
    invitation = db.session.scalar(select(Invitation).where(Invitation.proposal_id == proposal.id,
                                                            Invitation.email == email))
    if invitation is not None and invitation.state is InvitationState.accepted:
        raise DomainError(_("This person has already accepted an invitation to this proposal."), 409)
    if invitation is None or invitation.state is not InvitationState.pending:
        pending = sum(1 for i in proposal.invitations if i.state is InvitationState.pending)
        if pending >= current_app.config["MAX_PENDING_INVITATIONS"]:
            raise DomainError(_("This proposal already has %(count)s open invitations. Wait until they are "
                                "accepted before inviting more people.", count=pending), 409)
    if invitation is None:
        invitation = Invitation(proposal_id=proposal.id, email=email, invited_by_id=actor.id)
        proposal.invitations.append(invitation)
    invitation.token_hash = digest
    invitation.state = InvitationState.pending  # a declined invitation may be sent again
    invitation.declined_at = None
    invitation.created_at = now
    invitation.invited_by_id = actor.id
    invitation.expires_at = now + timedelta(seconds=current_app.config["INVITATION_TTL"])
    invitation.token = token  # only in memory, for the caller: the database keeps the hash
    db.session.flush()
    queue_mail(template="co_speaker_invitation", recipient=email, secret=True,
               language=invitee.language if invitee else proposal.language, now=now, event_id=proposal.event_id,
               inviter=actor, proposal=proposal, event=proposal.event,
               link=absolute_url("cfp.invitation", token=token))
    record(actor=actor, action="proposal.invite", obj=proposal, now=now, from_state=proposal.state.value,
           to_state=proposal.state.value, email=email)
    return invitation


def cancel_invitation(invitation: Invitation, *, actor: User, now: datetime) -> None:
    """Take back an invitation that was not accepted yet (a mistyped address, a change of plan); its link stops
    working. Allowed whenever inviting is. Side effects: audit row."""
    proposal = invitation.proposal
    check_action(actor, proposal, "invite", now)
    if invitation.state is InvitationState.accepted:
        raise DomainError(_("This invitation has already been accepted."), 409)
    record(actor=actor, action="proposal.cancel_invitation", obj=proposal, now=now,
           from_state=proposal.state.value, to_state=proposal.state.value, email=invitation.email)
    proposal.invitations.remove(invitation)
    db.session.flush()


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


def check_invitation(invitation: Invitation | None, *, now: datetime) -> Invitation:
    if invitation is None or invitation.state is not InvitationState.pending:
        raise DomainError(_("This invitation is not valid or has already been used."), 404)
    if invitation.expires_at <= now:
        raise DomainError(_("This invitation has expired. Please ask for a new one."), 410)
    return invitation


def pending_invitations_for(user: User, *, now: datetime) -> list[Invitation]:
    """The open invitations addressed to the user's (confirmed) email address that can still be accepted,
    newest first."""
    if not user.email_confirmed:
        return []
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.email == normalise_email(user.email),
                                 Invitation.state == InvitationState.pending, Invitation.expires_at > now)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    return [i for i in invitations if can(user, i.proposal, "accept_invitation", now)]


def accept_invitation(token: str, *, actor: User, now: datetime) -> Proposal:
    """Accept the invitation whose link carries `token` (see accept)."""
    return accept(find_invitation(token), actor=actor, now=now)


def accept(invitation: Invitation | None, *, actor: User, now: datetime) -> Proposal:
    """The invitee becomes co-owner. Side effects: speaker role, audit row, a mail to the inviter."""
    invitation = check_invitation(invitation, now=now)
    proposal = invitation.proposal
    _check_addressee(invitation, actor)
    check_action(actor, proposal, "accept_invitation", now)
    if actor.id not in proposal.speaker_ids():
        proposal.speakers.append(ProposalSpeaker(user_id=actor.id, is_submitter=False, joined_at=now))
    invitation.state = InvitationState.accepted
    invitation.accepted_by_id = actor.id
    invitation.accepted_at = now
    db.session.flush()
    grant_role(proposal.event, actor, Role.speaker, actor=None, now=now)
    _mail_inviter(invitation, "invitation_accepted", invitee=actor, now=now)
    record(actor=actor, action="proposal.accept_invitation", obj=proposal, now=now,
           from_state=proposal.state.value, to_state=proposal.state.value, email=invitation.email)
    return proposal


def decline_invitation(invitation: Invitation | None, *, actor: User | None, now: datetime) -> Proposal:
    """The invitee says no; the link stops working (the speakers may invite again). Whoever holds the link may
    decline without an account (actor None); a logged-in actor must be the addressee. Side effects: audit row,
    a mail to the inviter."""
    invitation = check_invitation(invitation, now=now)
    if actor is not None:
        _check_addressee(invitation, actor)
    proposal = invitation.proposal
    invitation.state = InvitationState.declined
    invitation.declined_at = now
    db.session.flush()
    _mail_inviter(invitation, "invitation_declined", now=now)
    record(actor=actor, action="proposal.decline_invitation", obj=proposal, now=now,
           from_state=proposal.state.value, to_state=proposal.state.value, email=invitation.email)
    return proposal


def _check_addressee(invitation: Invitation, actor: User) -> None:
    if normalise_email(actor.email) != invitation.email:
        raise PermissionDenied(_("This invitation was sent to %(email)s. Please log in with that address.",
                                 email=invitation.email))
    if not actor.email_confirmed:
        raise PermissionDenied(_("Please confirm your email address first."))


def _mail_inviter(invitation: Invitation, template: str, *, now: datetime, **context) -> None:
    proposal, inviter = invitation.proposal, invitation.invited_by
    queue_mail(template=template, recipient=inviter.email, language=inviter.language, now=now,
               event_id=proposal.event_id, user=inviter, invitation=invitation, proposal=proposal,
               event=proposal.event, link=absolute_url("cfp.proposal", slug=proposal.event.slug,
                                                      proposal_id=proposal.id), **context)


def open_calls(now: datetime) -> list[Event]:
    """Events whose call for sessions is open now, the nearest deadline first."""
    return list(db.session.scalars(select(Event).where(Event.cfp_opens_at <= now, Event.cfp_closes_at > now)
                                   .order_by(Event.cfp_closes_at, Event.id)))
