"""Loading proposals for pages in a constant number of queries, always scoped to one event."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import OrganisationType, User
from ..db import db
from ..events.models import Event, SessionFormat, Theme, page_language
from .models import Proposal, ProposalSpeaker, ProposalState, proposal_themes

# The proposals a person must not meet as the committee of an event (their lists, counts, searches, pages), each
# finder answering for one reason: review registers the conflicts of interest here, as cfp may not import review.
HIDDEN_FROM_COMMITTEE: list[Callable[[Event, object], set[int]]] = []


def hidden_from_committee(event: Event, user) -> frozenset[int]:
    """The ids of the event's proposals hidden from `user` in the committee's views (a fixed number of queries)."""
    return frozenset().union(*(find(event, user) for find in HIDDEN_FROM_COMMITTEE))


def _with_page_data(stmt):
    return stmt.options(
        selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
        selectinload(Proposal.format),
        selectinload(Proposal.main_theme),
        selectinload(Proposal.further_themes),
        selectinload(Proposal.audiences),
        selectinload(Proposal.invitations),
    )


def get_event_proposal(event: Event, proposal_id: int) -> Proposal | None:
    """A proposal of this event only: an id from another event is as good as missing."""
    return db.session.scalar(_with_page_data(select(Proposal).where(Proposal.id == proposal_id,
                                                                    Proposal.event_id == event.id)))


def proposals_of_speaker(user_id: int, event: Event | None = None) -> list[Proposal]:
    stmt = (select(Proposal).join(ProposalSpeaker).where(ProposalSpeaker.user_id == user_id)
            .options(selectinload(Proposal.event), selectinload(Proposal.format), selectinload(Proposal.main_theme),
                     selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user))
            .order_by(Proposal.event_id.desc(), Proposal.updated_at.desc(), Proposal.id.desc()))
    if event is not None:
        stmt = stmt.where(Proposal.event_id == event.id)
    return list(db.session.scalars(stmt))


SORTS = ("submitted", "title", "state", "format", "theme")


@dataclass(frozen=True)
class ProposalFilter:
    """What the committee's proposal list shows: a search text, filters, and an order."""

    text: str = ""
    state: ProposalState | None = None
    theme_id: int | None = None  # the main theme or a further one
    format_id: int | None = None
    language: str | None = None
    organisation_type: OrganisationType | None = None  # of the person who submitted it
    city: str | None = None  # the project's city
    sort: str = "submitted"
    descending: bool = False
    hidden: frozenset[int] = frozenset()  # proposals the viewer must not meet (see hidden_from_committee)


def _conditions(event: Event, f: ProposalFilter, *, with_state: bool = True) -> list:
    conditions = [Proposal.event_id == event.id]
    if f.hidden:
        conditions.append(Proposal.id.not_in(sorted(f.hidden)))
    if f.text:
        speaker_matches = (select(ProposalSpeaker.id).join(User, User.id == ProposalSpeaker.user_id)
                           .where(ProposalSpeaker.proposal_id == Proposal.id,
                                  or_(User.name.icontains(f.text, autoescape=True),
                                      User.organisation.icontains(f.text, autoescape=True))).exists())
        conditions.append(or_(*(column.icontains(f.text, autoescape=True) for column in
                                (Proposal.title, Proposal.abstract, Proposal.project_organisation)),
                              speaker_matches))
    if with_state and f.state is not None:
        conditions.append(Proposal.state == f.state)
    if f.theme_id is not None:
        further = (select(proposal_themes.c.proposal_id)
                   .where(proposal_themes.c.proposal_id == Proposal.id, proposal_themes.c.theme_id == f.theme_id))
        conditions.append(or_(Proposal.main_theme_id == f.theme_id, further.exists()))
    if f.format_id is not None:
        conditions.append(Proposal.format_id == f.format_id)
    if f.language is not None:
        conditions.append(Proposal.language == f.language)
    if f.organisation_type is not None:
        conditions.append(select(ProposalSpeaker.id).join(User, User.id == ProposalSpeaker.user_id)
                          .where(ProposalSpeaker.proposal_id == Proposal.id, ProposalSpeaker.is_submitter,
                                 User.organisation_type == f.organisation_type).exists())
    if f.city is not None:
        conditions.append(Proposal.project_city == f.city)
    return conditions


def _order(stmt, f: ProposalFilter):
    name = "name_en" if page_language() == "en" else "name_de"
    if f.sort == "title":
        key = func.lower(Proposal.title)
    elif f.sort == "state":  # in the order of the life cycle, not of the alphabet
        key = case({state: i for i, state in enumerate(ProposalState)}, value=Proposal.state)
    elif f.sort == "format":
        stmt = stmt.join(SessionFormat, SessionFormat.id == Proposal.format_id)
        key = func.lower(getattr(SessionFormat, name))
    elif f.sort == "theme":
        stmt = stmt.join(Theme, Theme.id == Proposal.main_theme_id)
        key = func.lower(getattr(Theme, name))
    else:
        key = Proposal.submitted_at
    key = key.desc() if f.descending else key.asc()
    if f.sort == "submitted":
        key = key.nulls_last()  # drafts, never submitted, come last either way
    return stmt.order_by(key, Proposal.id.desc() if f.descending else Proposal.id)


def proposals_of_event(event: Event, f: ProposalFilter | None = None) -> list[Proposal]:
    """The event's proposals that pass the filter, in its order (by default: all, in the order submitted)."""
    f = f or ProposalFilter()
    stmt = (select(Proposal).where(*_conditions(event, f))
            .options(selectinload(Proposal.format), selectinload(Proposal.main_theme),
                     selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user)))
    return list(db.session.scalars(_order(stmt, f)))


def matching_proposal_ids(event: Event, f: ProposalFilter) -> set[int]:
    """The ids of the event's proposals that pass the filter (its order aside), in one query."""
    return set(db.session.scalars(select(Proposal.id).where(*_conditions(event, f))))


def state_counts(event: Event, f: ProposalFilter) -> dict[ProposalState, int]:
    """How many of the proposals passing every filter but the state are in each state (one query)."""
    rows = db.session.execute(select(Proposal.state, func.count()).where(*_conditions(event, f, with_state=False))
                              .group_by(Proposal.state))
    return dict(rows.all())


def project_cities(event: Event, hidden: frozenset[int] = frozenset()) -> list[str]:
    """The cities the event's proposals name (but those of `hidden` proposals), for the list's filter."""
    stmt = select(Proposal.project_city).where(Proposal.event_id == event.id, Proposal.project_city != "")
    if hidden:
        stmt = stmt.where(Proposal.id.not_in(sorted(hidden)))
    return list(db.session.scalars(stmt.distinct().order_by(Proposal.project_city)))
