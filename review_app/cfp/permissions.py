"""The proposal rules: who may see a proposal, and which action is allowed in which state and when."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import gettext as _

from ..errors import DeadlinePassed, InvalidState, NotFound, PermissionDenied
from ..events.permissions import can_manage_event
from .models import EDITABLE, TEAM_OPEN, WITHDRAWABLE, Proposal, ProposalState
from .queries import hidden_from_committee


@dataclass(frozen=True)
class Rule:
    states: frozenset[ProposalState]
    while_call_open: frozenset[ProposalState] = frozenset()  # in these states only while the call is open
    who: str = "speaker"  # "speaker", "committee", "speaker or committee" or "anyone" (an invitee is no speaker yet)
    after_call: bool = False  # only once the call for sessions has closed
    until_event_ends: bool = False  # only until the end of the event's last day (in its time zone)
    until_confirm_by: bool = False  # only until Proposal.confirm_by (set when an acceptance is released)


S = ProposalState

# Every action on a proposal: which states allow it, who may do it, and when.
ACTIONS: dict[str, Rule] = {
    "edit": Rule(EDITABLE, while_call_open=EDITABLE),
    "submit": Rule(frozenset({S.draft}), while_call_open=frozenset({S.draft})),
    # once the event is over, a proposal that was never taken stays as it ended
    "withdraw": Rule(WITHDRAWABLE, until_event_ends=True),
    # a draft nobody has seen yet may go entirely; anything submitted stays on record (withdraw it instead)
    "delete": Rule(frozenset({S.draft})),
    # the team stays as it was submitted while the committee reviews; it may grow again once accepted
    "invite": Rule(EDITABLE | {S.accepted, S.confirmed}, while_call_open=EDITABLE),
    # an invitation sent in time may be accepted later, as long as the proposal is still alive
    "accept_invitation": Rule(TEAM_OPEN, who="anyone"),
    "start_review": Rule(frozenset({S.submitted}), who="committee", after_call=True),
    "decide": Rule(frozenset({S.under_review, S.waitlisted}), who="committee"),
    "confirm": Rule(frozenset({S.accepted}), until_confirm_by=True),
    "decline": Rule(frozenset({S.accepted})),
    # a confirmed session can still be called off, by its speakers or the committee, until the event is over
    "cancel": Rule(frozenset({S.confirmed}), who="speaker or committee", until_event_ends=True),
}
del S


def is_speaker(user, proposal: Proposal) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.id in proposal.speaker_ids()


def can_view_proposal(user, proposal: Proposal) -> bool:
    """Its speakers; the committee, unless the proposal is hidden from the member (a conflict of interest)."""
    if is_speaker(user, proposal):
        return True
    if not can_manage_event(user, proposal.event):
        return False
    return proposal.id not in hidden_from_committee(proposal.event, user)


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
    if rule.who == "speaker or committee" and not (is_speaker(user, proposal) or can_view_proposal(user, proposal)):
        raise PermissionDenied(_("Only the speakers of this proposal or the programme committee may do this."))
    if proposal.state not in rule.states:
        raise InvalidState(_("This is not possible while the proposal is “%(state)s”.", state=proposal.state_label))
    if proposal.state in rule.while_call_open:
        check_call_open(proposal.event, now, _("The call for sessions closed on %(deadline)s; changes are no longer "
                                               "possible.", deadline=format_deadline(proposal.event)))
    if rule.after_call and now < proposal.event.cfp_closes_at:
        raise DeadlinePassed(_("This is possible only after the call for sessions has closed."))
    if rule.until_confirm_by and proposal.confirm_by is not None and now >= proposal.confirm_by:
        from ..i18n import format_in_zone

        raise DeadlinePassed(_("The deadline to confirm this session was %(deadline)s. Please contact the "
                               "programme committee.",
                               deadline=format_in_zone(proposal.confirm_by, proposal.event.timezone)))
    if rule.until_event_ends and now >= event_ends_at(proposal.event):
        from ..i18n import format_day

        raise DeadlinePassed(_("The event ended on %(day)s; this is no longer possible.",
                               day=format_day(proposal.event.ends_on, "full")))


def event_ends_at(event) -> datetime:
    """The end of the event's last day in its own time zone."""
    return event.at(event.ends_on + timedelta(days=1), time.min)


def can(user, proposal: Proposal, action: str, now: datetime) -> bool:
    try:
        check_action(user, proposal, action, now)
    except (PermissionDenied, InvalidState, DeadlinePassed):
        return False
    return True


def check_call_open(event, now: datetime, closed_message: str) -> None:
    """Refuse unless the call for sessions is open (Event.cfp_is_open), saying why."""
    if event.cfp_is_open(now):
        return
    if now < event.cfp_opens_at:
        raise DeadlinePassed(_("The call for sessions has not opened yet."))
    raise DeadlinePassed(closed_message)


def check_can_propose(event, now: datetime) -> None:
    check_call_open(event, now, _("The call for sessions closed on %(deadline)s; new proposals are no longer "
                                  "accepted.", deadline=format_deadline(event)))


def format_deadline(event) -> str:
    from ..i18n import format_in_zone

    return format_in_zone(event.cfp_closes_at, event.timezone)  # "…, 23:59 MEZ": the zone as people say it
