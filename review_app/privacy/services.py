"""The person's export and account deletion, and the retention run over old proposals; the caller commits."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import String, cast, delete, func, select

from ..accounts.models import AccountToken, LoginSession, OrganisationType, User
from ..accounts.services import verify_password
from ..audit.models import AuditEntry, record
from ..cfp.models import Invitation, InvitationState, Proposal, ProposalSpeaker, ProposalState
from ..db import db
from ..errors import DomainError
from ..events.models import Event
from ..mail.models import OutboxMessage
from ..mail.services import queue_mail
from ..schedule.models import ScheduleVersion
from .export import personal_data

# What a deleted account is called wherever a record of it stays (a released session, a review): the same in
# both languages, because the released programme's pages are rendered from stored text.
DELETED_NAME = "Gelöschtes Konto · Deleted account"
UNUSABLE_PASSWORD = "!deleted"  # noqa: S105 - no argon2 hash: verifying any password against it fails
# What `flask retention` leaves in the texts of an old rejected, withdrawn or declined proposal.
ANONYMISED_TEXT = "[anonymisiert · anonymised]"
RETAINED_STATES = (ProposalState.rejected, ProposalState.withdrawn, ProposalState.declined)


def deleted_email(user: User) -> str:
    return f"deleted-{user.id}@invalid"


def export_personal_data(user: User, *, actor: User, now: datetime) -> dict:
    """The person's data (see export.personal_data). Side effects: audit row `export.personal_data`."""
    if actor.id != user.id:
        raise DomainError(_("You can only download your own data."), 403)
    data = {"exported_at": now.isoformat(), **personal_data(user)}
    record(actor=actor, action="export.personal_data", obj=user, now=now)
    return data


def other_admins(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.is_admin.is_(True), User.id != user.id, User.deleted_at.is_(None), User.deactivated_at.is_(None))) or 0


def can_delete_account(user: User) -> bool:
    """Anyone may delete their own account, except the last site admin (nobody could manage the site then)."""
    return user.deleted_at is None and (not user.is_admin or other_admins(user) > 0)


def delete_account(user: User, password: str, *, actor: User, now: datetime) -> None:
    """The person deletes their account, confirmed by their password. Side effects, in order: the old address
    removed from audit details and invitations (pending invitations to it are dropped), the mails to it deleted
    (sent or waiting); a mail confirming the deletion queued to the old address; their drafts deleted (audit row
    each) and their links to other people's drafts removed; in released programmes their name, organisation, city
    and bio replaced; every login session and account token deleted; the account anonymised (DELETED_NAME,
    deleted-<id>@invalid, blank profile, an unusable password, no site admin) with `deleted_at`; audit row
    `user.delete`. Records that must stay keep pointing at the anonymised account: proposals past the draft (a
    released session keeps its title), reviews, roles, and the audit rows with their actor_id."""
    if actor.id != user.id:
        raise DomainError(_("You can only delete your own account."), 403)
    if user.deleted_at is not None:
        raise DomainError(_("This account is already deleted."), 409)
    if not verify_password(user, password or ""):
        raise DomainError(_("The password is wrong."), 403)
    if not can_delete_account(user):
        raise DomainError(_("You are the last site admin: make someone else site admin before you delete your "
                            "account."), 409)
    old_email = user.email
    _forget_address(user, old_email)
    queue_mail(template="account_deleted", recipient=old_email, language=user.language, now=now,
               recipient_name="", user=user)
    _drop_drafts(user, now)
    _anonymise_releases(user, now)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    user.current_session_token = None
    user.name = DELETED_NAME
    user.email = deleted_email(user)
    user.organisation = ""
    user.organisation_type = OrganisationType.other
    user.city = ""
    user.bio = ""
    user.password_hash = UNUSABLE_PASSWORD
    user.is_admin = False
    user.deleted_at = now
    record(actor=user, action="user.delete", obj=user, now=now)
    db.session.flush()


def _forget_address(user: User, old_email: str) -> None:
    placeholder = deleted_email(user)
    for entry in db.session.scalars(select(AuditEntry).where(
            cast(AuditEntry.details, String).like(f"%{_like_escape(old_email)}%", escape="\\"))):
        details = {k: (placeholder if isinstance(v, str) and v.lower() == old_email else v)
                   for k, v in (entry.details or {}).items()}
        if details != entry.details:
            entry.details = details
    # the mails to the address go, sent or waiting (a waiting one may hold a link that works no more)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == old_email))
    for invitation in db.session.scalars(select(Invitation).where(Invitation.email == old_email)):
        if invitation.state is InvitationState.pending:
            db.session.delete(invitation)
        else:
            invitation.email = placeholder


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _drop_drafts(user: User, now: datetime) -> None:
    links = list(db.session.scalars(select(ProposalSpeaker).join(Proposal).where(
        ProposalSpeaker.user_id == user.id, Proposal.state == ProposalState.draft)))
    for link in links:
        proposal = link.proposal
        if link.is_submitter:
            record(actor=user, action="proposal.delete", obj=proposal, now=now, from_state=proposal.state.value,
                   reason="account deleted")
            db.session.delete(proposal)
        else:
            proposal.speakers.remove(link)
    db.session.flush()


def _anonymised_speaker(user: User) -> dict:
    return {"id": user.id, "name": DELETED_NAME, "organisation": "", "city": "", "bio": ""}


def _anonymise_releases(user: User, now: datetime) -> None:
    """Released versions never change but for this: a deleted person's details leave the public programme. They
    are replaced by what a release made now would hold for the anonymised account, so the next release sees no
    change in those sessions."""
    events = select(Proposal.event_id).join(ProposalSpeaker).where(ProposalSpeaker.user_id == user.id)
    versions = db.session.scalars(select(ScheduleVersion).where(ScheduleVersion.event_id.in_(events)))
    for version in versions:
        snap = copy.deepcopy(version.snapshot)
        touched = False
        for key in ("sessions", "cancelled"):
            for session in snap.get(key, []):
                for i, person in enumerate(session.get("speakers", [])):
                    if person.get("id") == user.id:
                        session["speakers"][i] = _anonymised_speaker(user)
                        touched = True
        if touched:
            version.snapshot = snap
            version.revised_at = now


# -- retention -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Anonymised:
    proposal_id: int
    event_slug: str
    state: str
    co_speakers: int


def retention_due(days: int, now: datetime) -> list[Proposal]:
    """Rejected, withdrawn and declined proposals of events that ended more than `days` days ago, not yet
    anonymised."""
    last_day: date = (now - timedelta(days=days)).date()
    return list(db.session.scalars(select(Proposal).join(Event, Event.id == Proposal.event_id).where(
        Proposal.state.in_(RETAINED_STATES), Proposal.anonymised_at.is_(None), Event.ends_on < last_day)
        .order_by(Proposal.id)))


def apply_retention(*, days: int, now: datetime, dry_run: bool = False) -> list[Anonymised]:
    """Anonymise what retention_due finds: title, abstract and description replaced by ANONYMISED_TEXT; notes and
    project details blanked; co-speakers' links and every invitation removed (the submitter's link stays, so the
    speaker still sees the proposal existed); `anonymised_at` set; audit row `proposal.anonymise` each. Accepted,
    confirmed and scheduled proposals are never touched; running it again changes nothing. `dry_run`: only say."""
    if days < 0:
        raise DomainError(_("The number of days cannot be negative."), 400)
    done = []
    for proposal in retention_due(days, now):
        co = [s for s in proposal.speakers if not s.is_submitter]
        done.append(Anonymised(proposal.id, proposal.event.slug, proposal.state.value, len(co)))
        if dry_run:
            continue
        proposal.title = ANONYMISED_TEXT
        proposal.abstract = ANONYMISED_TEXT
        proposal.description = ANONYMISED_TEXT
        proposal.notes_for_committee = ""
        proposal.cancel_reason = ""
        proposal.project_organisation = ""
        proposal.project_city = ""
        proposal.project_partners = ""
        proposal.project_results = ""
        proposal.project_transfer = ""
        for link in co:
            proposal.speakers.remove(link)
        for invitation in list(proposal.invitations):
            proposal.invitations.remove(invitation)
        proposal.anonymised_at = now
        proposal.updated_at = now
        record(actor=None, action="proposal.anonymise", obj=proposal, now=now, from_state=proposal.state.value,
               to_state=proposal.state.value, days=days, co_speakers=len(co) or None)
    db.session.flush()
    return done
