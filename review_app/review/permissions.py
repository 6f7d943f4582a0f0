"""The review rules: who may review what, and when (the proposal rules for speakers and the committee stay in
cfp.permissions). Each engineer's predicates are grouped under a heading."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ..cfp.models import ProposalState
from ..errors import DeadlinePassed, InvalidState, NotFound
from ..events.models import Event, Role
from ..events.permissions import roles_of
from .models import Assignment
from .queries import is_conflicted

# --- reviewing (the reviewer's side) ---


def can_see_assignment(user, assignment: Assignment | None) -> bool:
    """The assigned reviewer, still a reviewer of the event, not conflicted with the proposal: everyone else finds
    neither the review page nor the proposal through it."""
    if assignment is None or not getattr(user, "is_authenticated", False):
        return False
    event = assignment.proposal.event
    return (assignment.reviewer.user_id == user.id and assignment.reviewer.event_id == event.id
            and Role.reviewer in roles_of(user, event)
            and assignment.proposal.state is not ProposalState.draft
            and not is_conflicted(event, user, assignment.proposal_id))


def check_assignment_visible(user, assignment: Assignment | None) -> Assignment:
    if not can_see_assignment(user, assignment):
        raise NotFound(_("This page does not exist or is not visible to you."))
    return assignment


def review_window_open(event: Event, now: datetime) -> bool:
    return event.review_opens_at <= now < event.review_closes_at


def check_can_review(user, assignment: Assignment | None, now: datetime) -> None:
    """Raise the DomainError that says why `user` may not write this review now; return if they may."""
    check_assignment_visible(user, assignment)
    event = assignment.proposal.event
    if assignment.proposal.state is not ProposalState.under_review:
        raise InvalidState(_("This proposal is no longer under review (it is “%(state)s”).",
                             state=assignment.proposal.state_label))
    if now < event.review_opens_at:
        from ..i18n import format_in_zone

        raise DeadlinePassed(_("The review period opens on %(moment)s.",
                               moment=format_in_zone(event.review_opens_at, event.timezone)))
    if now >= event.review_closes_at:
        from ..i18n import format_in_zone

        raise DeadlinePassed(_("The review period closed on %(moment)s; reviews can no longer be changed.",
                               moment=format_in_zone(event.review_closes_at, event.timezone)))


def can_review(user, assignment: Assignment | None, now: datetime) -> bool:
    """The assigned reviewer, the proposal under review, not conflicted, within the review window."""
    try:
        check_can_review(user, assignment, now)
    except (NotFound, InvalidState, DeadlinePassed):
        return False
    return True


# --- ranking and deciding (the committee's side) ---


def can_rank(user, event: Event) -> bool:
    """The committee (and site admins) see the ranking, decide and release; conflicted rows stay hidden from them."""
    from ..events.permissions import can_manage_event

    return can_manage_event(user, event)


def check_can_rank(user, event: Event) -> None:
    if not can_rank(user, event):
        raise NotFound(_("This page does not exist or is not visible to you."))


def check_can_decide(user, proposal) -> None:
    """A committee member may decide any proposal of the event except one they are conflicted with (a speaker of
    it, the same organisation …): to them it does not exist."""
    check_can_rank(user, proposal.event)
    if is_conflicted(proposal.event, user, proposal.id):
        raise NotFound(_("This proposal does not exist or is not visible to you."))


def can_decide(user, proposal) -> bool:
    try:
        check_can_decide(user, proposal)
    except NotFound:
        return False
    return True


# --- reviewers, bids, conflicts and assignment (the committee's side; engineer A) ---


def can_manage_reviewers(user, event: Event) -> bool:
    """Inviting and limiting reviewers, listing and lifting conflicts, assigning: the committee (and site admins)."""
    from ..events.permissions import can_manage_event

    return can_manage_event(user, event)


def can_state_preferences(user, event: Event) -> bool:
    """Stating expert themes and languages and bidding on proposals: the event's reviewers."""
    return Role.reviewer in roles_of(user, event)


# --- conflicts declared by speakers (engineer E) ---


def check_can_declare_conflict(user, proposal) -> None:
    """A speaker of the proposal may name reviewers who must not judge it, as long as it is not withdrawn; to anyone
    else the page does not exist."""
    from ..cfp.permissions import is_speaker

    if proposal is None or not is_speaker(user, proposal):
        raise NotFound(_("This proposal does not exist or is not visible to you."))
    if proposal.state is ProposalState.withdrawn:
        raise InvalidState(_("This proposal was withdrawn; conflicts of interest no longer matter for it."))


def can_declare_conflict(user, proposal) -> bool:
    try:
        check_can_declare_conflict(user, proposal)
    except (NotFound, InvalidState):
        return False
    return True
