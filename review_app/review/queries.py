"""Reading the review data of an event: its settings, reviewers, and the conflicts of interest computed from the
database through the pure rules of `conflicts` (a fixed number of queries, whatever the number of proposals)."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..cfp.models import Proposal, ProposalSpeaker, ProposalState
from ..cfp.queries import HIDDEN_FROM_COMMITTEE
from ..db import db
from ..events.models import Event, EventRole, Role
from . import conflicts as rules
from .models import ConflictDeclaration, ConflictOverride, OrganisationAlias, Reviewer, ReviewSettings

# proposals a reviewer or the committee deal with: everything past the draft
REVIEWABLE_STATES = frozenset(ProposalState) - {ProposalState.draft}


def settings_of(event: Event) -> ReviewSettings:
    """The event's review settings; the defaults (unsaved until the caller flushes) when none were set."""
    row = db.session.get(ReviewSettings, event.id)
    if row is None:
        row = ReviewSettings(event_id=event.id, blind=False, visibility="after_own", reviews_per_proposal=3,
                             max_load=12, confirm_days=14)
        db.session.add(row)
    return row


def reviewer_of(user, event: Event) -> Reviewer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Reviewer).where(Reviewer.event_id == event.id, Reviewer.user_id == user.id))


def _person(user: User) -> rules.Person:
    return rules.Person(id=user.id, email=user.email, organisation=user.organisation,
                        organisation_type=str(getattr(user.organisation_type, "value", user.organisation_type)),
                        city=user.city)


def _rules(event: Event, user_ids: list[int] | None = None) -> rules.ConflictRules:
    """The event's aliases, and its declarations and overrides (only those of `user_ids` when given: a reviewer's
    own conflict map needs none of the thousands of the others')."""
    aliases = db.session.execute(select(OrganisationAlias.name_a, OrganisationAlias.name_b)
                                 .where(OrganisationAlias.event_id == event.id)).all()
    # plain columns, not objects: an event may hold thousands of declarations and overrides
    declarations = [rules.Declaration(user_id, proposal_id, declared_by_id or user_id, reason)
                    for user_id, proposal_id, declared_by_id, reason in db.session.execute(
                        select(ConflictDeclaration.user_id, ConflictDeclaration.proposal_id,
                               ConflictDeclaration.declared_by_id, ConflictDeclaration.reason)
                        .where(ConflictDeclaration.event_id == event.id,
                               *([ConflictDeclaration.user_id.in_(user_ids)] if user_ids is not None else [])))]
    overrides = [rules.Override(user_id, proposal_id, reason)
                 for user_id, proposal_id in db.session.execute(
                     select(ConflictOverride.user_id, ConflictOverride.proposal_id)
                     .where(ConflictOverride.event_id == event.id,
                            *([ConflictOverride.user_id.in_(user_ids)] if user_ids is not None else [])))
                 for reason in rules.OVERRIDABLE]
    return rules.ConflictRules([tuple(a) for a in aliases], declarations, overrides)


def _parties(event: Event, proposal_ids: list[int] | None = None) -> list[rules.ProposalParties]:
    """Who stands behind each proposal, in one query of plain columns whatever the number of proposals (a select-in
    load of the speakers would add a query per 500 proposals, and build an object per row)."""
    stmt = (select(Proposal.id, Proposal.project_organisation, Proposal.project_city, User.id, User.email,
                   User.organisation, User.organisation_type, User.city)
            .outerjoin(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
            .outerjoin(User, User.id == ProposalSpeaker.user_id)
            .where(Proposal.event_id == event.id, Proposal.state.in_(REVIEWABLE_STATES))
            .order_by(Proposal.id, ProposalSpeaker.id))
    if proposal_ids is not None:
        stmt = stmt.where(Proposal.id.in_(proposal_ids))
    parties: dict[int, tuple[str, str, list[rules.Person]]] = {}
    for pid, organisation, city, uid, email, user_org, kind, user_city in db.session.execute(stmt):
        _org, _city, people = parties.setdefault(pid, (organisation, city, []))
        if uid is not None:
            people.append(rules.Person(id=uid, email=email, organisation=user_org,
                                       organisation_type=str(getattr(kind, "value", kind)), city=user_city))
    return [rules.ProposalParties(pid, tuple(people), organisation, city)
            for pid, (organisation, city, people) in parties.items()]


def review_people(event: Event) -> list[User]:
    """Everyone who reviews for, or sits on the committee of, the event."""
    return list(db.session.scalars(
        select(User).join(EventRole, EventRole.user_id == User.id)
        .where(EventRole.event_id == event.id, EventRole.role.in_([Role.reviewer, Role.committee])).distinct()))


def conflict_map(event: Event, users: list[User] | None = None, *, include_overridden: bool = False,
                 ) -> dict[tuple[int, int], list[rules.Conflict]]:
    """(user id, proposal id) → its conflicts, for the event's reviewers and committee (or the given users)."""
    people = users if users is not None else review_people(event)
    user_ids = [u.id for u in people] if users is not None else None
    return _rules(event, user_ids).conflict_map([_person(u) for u in people], _parties(event), include_overridden)


def conflicted_proposal_ids(event: Event, user) -> set[int]:
    """The proposals of the event that `user` must not review, rank or decide (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    from flask import g, has_app_context

    cache = g.setdefault("_conflicted_ids", {}) if has_app_context() else {}
    key = (event.id, user.id)
    if key not in cache:
        cache[key] = {pid for (_uid, pid) in conflict_map(event, [user])}
    return cache[key]


def conflicted_among(event: Event, user, proposal_ids: list[int]) -> set[int]:
    """Those of `proposal_ids` that `user` must not review, rank or decide: `conflicted_proposal_ids` for just these
    (a pair's conflicts depend on nothing else), reading only their parties — a review page asks about its own
    proposal, the reviewing dashboard about the reviewer's assignments, neither about the thousands of others.
    Cached per request, and forgotten with the map (`forget_conflicts`)."""
    if not getattr(user, "is_authenticated", False) or not proposal_ids:
        return set()
    from flask import g, has_app_context

    def compute(ids: list[int]) -> set[int]:
        found = _rules(event, [user.id]).conflict_map([_person(user)], _parties(event, ids))
        return {pid for (_uid, pid) in found}
    if not has_app_context():
        return compute(list(proposal_ids))
    known = g.get("_conflicted_ids", {}).get((event.id, user.id))
    if known is not None:
        return known & set(proposal_ids)
    cache = g.setdefault("_conflicted_some", {})
    key = (event.id, user.id, tuple(sorted(set(proposal_ids))))
    if key not in cache:
        cache[key] = compute(list(key[2]))
    return cache[key]


def is_conflicted(event: Event, user, proposal_id: int) -> bool:
    """Whether `user` must not review, rank or decide this one proposal (see `conflicted_among`)."""
    return proposal_id in conflicted_among(event, user, [proposal_id])


def forget_conflicts() -> None:
    from flask import g, has_app_context

    if has_app_context():
        g.pop("_conflicted_ids", None)
        g.pop("_conflicted_some", None)


# the committee's proposal pages in cfp (its list, counts, search, the proposal page) leave out the proposals a
# member is conflicted with; cfp cannot import review, so review registers itself (imported with the package)
HIDDEN_FROM_COMMITTEE.append(conflicted_proposal_ids)
