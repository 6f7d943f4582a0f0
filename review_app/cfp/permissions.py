"""The proposal rules: who may see a proposal, and which action is allowed in which state and when."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from ..errors import DeadlinePassed, InvalidState, NotFound, PermissionDenied
from ..events.permissions import can_manage_event
from .models import EDITABLE, TEAM_OPEN, WITHDRAWABLE, Proposal, ProposalState


@dataclass(frozen=True)
class Rule:
    states: frozenset[ProposalState]
    before_deadline: bool  # only while the call for sessions is open
    who: str = "speaker"  # "speaker", "committee" or "anyone" (the invitee is not a speaker yet)
    after_deadline: bool = False  # only once the call for sessions has closed


# Every action on a proposal: which states allow it, who may do it, and when.
ACTIONS: dict[str, Rule] = {
    "edit": Rule(EDITABLE, before_deadline=True),
    "submit": Rule(frozenset({ProposalState.draft}), before_deadline=True),
    "withdraw": Rule(WITHDRAWABLE, before_deadline=False),
    "invite": Rule(TEAM_OPEN, before_deadline=False),
    "accept_invitation": Rule(TEAM_OPEN, before_deadline=False, who="anyone"),
    "start_review": Rule(frozenset({ProposalState.submitted}), before_deadline=False, who="committee",
                         after_deadline=True),
    "decide": Rule(frozenset({ProposalState.under_review, ProposalState.waitlisted}), before_deadline=False,
                   who="committee"),
    "confirm": Rule(frozenset({ProposalState.accepted}), before_deadline=False),
    "decline": Rule(frozenset({ProposalState.accepted}), before_deadline=False),
}
SPEAKER_ACTIONS = tuple(name for name, rule in ACTIONS.items() if rule.who == "speaker")


def is_speaker(user, proposal: Proposal) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.id in proposal.speaker_ids()


def can_view_proposal(user, proposal: Proposal) -> bool:
    return is_speaker(user, proposal) or can_manage_event(user, proposal.event)


def check_visible(user, proposal: Proposal | None) -> Proposal:
    """Hidden and missing proposals look the same: 404."""
    if proposal is None or not can_view_proposal(user, proposal):
        raise NotFound(_("This proposal does not exist or is not visible to you."))
    return proposal


def check_action(user, proposal: Proposal, action: str, now: datetime) -> None:
    """Raise the DomainError that says why `action` is refused; return if it is allowed."""
    rule = ACTIONS[action]
    if rule.who == "speaker" and not is_speaker(user, proposal):
        raise PermissionDenied(_("Only the speakers of this proposal may do this."))
    if rule.who == "committee" and not can_manage_event(user, proposal.event):
        raise PermissionDenied(_("Only the programme committee may do this."))
    if proposal.state not in rule.states:
        raise InvalidState(_("This is not possible while the proposal is “%(state)s”.", state=proposal.state_label))
    if rule.before_deadline:
        event = proposal.event
        if now < event.cfp_opens_at:
            raise DeadlinePassed(_("The call for sessions has not opened yet."))
        if now >= event.cfp_closes_at:
            raise DeadlinePassed(_("The call for sessions closed on %(deadline)s; changes are no longer possible.",
                                   deadline=format_deadline(event)))
    if rule.after_deadline and now < proposal.event.cfp_closes_at:
        raise DeadlinePassed(_("This is possible only after the call for sessions has closed."))


def can(user, proposal: Proposal, action: str, now: datetime) -> bool:
    try:
        check_action(user, proposal, action, now)
    except (PermissionDenied, InvalidState, DeadlinePassed):
        return False
    return True


def check_can_propose(event, now: datetime) -> None:
    if now < event.cfp_opens_at:
        raise DeadlinePassed(_("The call for sessions has not opened yet."))
    if now >= event.cfp_closes_at:
        raise DeadlinePassed(_("The call for sessions closed on %(deadline)s; new proposals are no longer accepted.",
                               deadline=format_deadline(event)))


def format_deadline(event) -> str:
    from ..i18n import format_in_zone

    return f"{format_in_zone(event.cfp_closes_at, event.timezone)} ({event.timezone})"
