"""The committee's ranking of an event's proposals and its programme balance, computed through `scoring` from the
submitted reviews in a fixed number of queries; rows the viewer is conflicted with are never built."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import OrganisationType, User
from ..cfp.models import STATE_LABELS, Proposal, ProposalSpeaker, ProposalState
from ..cfp.queries import ProposalFilter, matching_proposal_ids
from ..db import db
from ..events.models import Event, ReviewCriterion, SessionFormat, Theme, page_language
from . import scoring
from .models import Assignment, Decision, DecisionOutcome, Review, ReviewScore, ReviewState
from .queries import conflicted_proposal_ids

# what the committee can sort the ranking by; scores sort the best first unless asked otherwise
SORTS = ("calibrated", "mean", "median", "spread", "reviews", "title", "state", "format", "theme")
# sessions that count for the programme's balance: accepted (released) or about to be (a pending "accept")
PROGRAMME_STATES = frozenset({ProposalState.accepted, ProposalState.confirmed})


@dataclass(slots=True)
class RankedProposal:
    """What the ranking shows and sorts of a proposal, read as plain columns: building 1,000 ORM objects with
    their format and theme cost the page more than computing the scores."""

    id: int
    title: str
    state: ProposalState
    language: str
    project_city: str
    project_organisation: str
    format_id: int
    format_name: str
    theme_name: str
    speaker_names: tuple[str, ...] = ()  # filled for the CSV export only

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class Row:
    proposal: RankedProposal
    assigned: int
    done: int
    stats: scoring.ProposalStats
    calibrated: float | None
    decision: Decision | None
    organisation_type: OrganisationType | None = None  # the submitter's

    @property
    def pending(self) -> DecisionOutcome | None:
        return self.decision.outcome if self.decision is not None and self.decision.released_at is None else None

    @property
    def in_programme(self) -> bool:
        return (self.proposal.state in PROGRAMME_STATES and self.pending is None) or \
            self.pending is DecisionOutcome.accept


@dataclass
class Ranking:
    rows: list[Row]  # the rows passing the filter, in the asked order
    balance: dict[str, Counter] = field(default_factory=dict)  # over every visible row, not only the filtered
    programme_size: int = 0
    pending: int = 0  # pending decisions among every visible row


def criteria_of(event: Event) -> list[scoring.Criterion]:
    return [scoring.Criterion(c.id, c.weight, c.scale_min, c.scale_max) for c in event.criteria]


def review_totals(event: Event) -> list[tuple[int, int, float]]:
    """(reviewer id, proposal id, weighted total on 0..100) of every submitted review of the event, summed by the
    database (one query, a row per review). A review lacking a score for a criterion (one added later) has no
    total and is left out; `scoring.weighted_total` is the same sum for one review."""
    criteria = criteria_of(event)
    total_weight = sum(c.weight for c in criteria)
    if not criteria or total_weight <= 0:
        return []
    part = (ReviewCriterion.weight * (ReviewScore.score - ReviewCriterion.scale_min)
            / cast(ReviewCriterion.scale_max - ReviewCriterion.scale_min, Float))
    rows = db.session.execute(
        select(Assignment.reviewer_id, Assignment.proposal_id, func.sum(part), func.count(ReviewScore.criterion_id))
        .join(Review, Review.assignment_id == Assignment.id)
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .join(ReviewCriterion, ReviewCriterion.id == ReviewScore.criterion_id)
        # the criteria are the event's: no need to join the proposals to find the event's reviews
        .where(ReviewCriterion.event_id == event.id, Review.state == ReviewState.submitted)
        .group_by(Review.id, Assignment.reviewer_id, Assignment.proposal_id)
        .order_by(Review.id))
    return [(reviewer_id, proposal_id, 100.0 * total / total_weight)
            for reviewer_id, proposal_id, total, scored in rows if scored == len(criteria)]


def _proposals(event: Event, *, with_speakers: bool) -> list[RankedProposal]:
    """The event's proposals past the draft, as plain columns in one query, with their format's and theme's name
    in the page's language; with their speakers' names when asked (one query more: the export names them)."""
    language = page_language()
    names = {}
    for model in (SessionFormat, Theme):
        for item_id, de, en in db.session.execute(select(model.id, model.name_de, model.name_en)
                                                  .where(model.event_id == event.id)):
            names[model, item_id] = (en or de) if language == "en" else (de or en)
    speakers: dict[int, list[str]] = defaultdict(list)
    if with_speakers:
        for proposal_id, name in db.session.execute(
                select(ProposalSpeaker.proposal_id, User.name).join(User, User.id == ProposalSpeaker.user_id)
                .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
                .where(Proposal.event_id == event.id).order_by(ProposalSpeaker.id)):
            speakers[proposal_id].append(name)
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.state, Proposal.language, Proposal.project_city,
               Proposal.project_organisation, Proposal.format_id, Proposal.main_theme_id)
        .where(Proposal.event_id == event.id, Proposal.state != ProposalState.draft).order_by(Proposal.id))
    return [RankedProposal(pid, title, state, lang, city, organisation, format_id,
                           names.get((SessionFormat, format_id), ""), names.get((Theme, theme_id), ""),
                           tuple(speakers.get(pid, ())))
            for pid, title, state, lang, city, organisation, format_id, theme_id in rows]


def _submitter_types(event: Event) -> dict[int, OrganisationType]:
    """The submitter's kind of organisation per proposal (one query of two columns)."""
    return dict(db.session.execute(
        select(ProposalSpeaker.proposal_id, User.organisation_type).join(User, User.id == ProposalSpeaker.user_id)
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
        .where(Proposal.event_id == event.id, ProposalSpeaker.is_submitter)).all())


def _counts(event: Event) -> tuple[dict[int, int], dict[int, int]]:
    """Assignments and submitted reviews per proposal (one query)."""
    rows = db.session.execute(
        select(Assignment.proposal_id, func.count(Assignment.id), func.count(Review.id))
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .outerjoin(Review, (Review.assignment_id == Assignment.id) & (Review.state == ReviewState.submitted))
        .where(Proposal.event_id == event.id).group_by(Assignment.proposal_id))
    assigned, done = {}, {}
    for proposal_id, n_assigned, n_done in rows:
        assigned[proposal_id], done[proposal_id] = n_assigned, n_done
    return assigned, done


def _sort_key(sort: str):
    order = {state: i for i, state in enumerate(ProposalState)}
    keys = {
        "calibrated": lambda r: r.calibrated,
        "mean": lambda r: r.stats.mean,
        "median": lambda r: r.stats.median,
        "spread": lambda r: r.stats.range,
        "reviews": lambda r: r.done,
        "title": lambda r: r.proposal.title.lower(),
        "state": lambda r: order[r.proposal.state],
        "format": lambda r: r.proposal.format_name.lower(),
        "theme": lambda r: r.proposal.theme_name.lower(),
    }
    return keys[sort]


def sort_rows(rows: list[Row], sort: str, descending: bool) -> list[Row]:
    """Rows without a value (no reviews yet) come last either way; ties keep the proposal ids ascending."""
    key = _sort_key(sort)
    rows = sorted(rows, key=lambda r: r.proposal.id)
    with_value = [r for r in rows if key(r) is not None]
    without = [r for r in rows if key(r) is None]
    return sorted(with_value, key=key, reverse=descending) + without


def rank(event: Event, viewer, f: ProposalFilter | None = None, *, sort: str = "calibrated",
         descending: bool = True, with_speakers: bool = False) -> Ranking:
    """The ranking as `viewer` may see it: every proposal past the draft, minus those the viewer is conflicted
    with; filtered by `f` (its sort is ignored: the ranking sorts by `sort`)."""
    f = f or ProposalFilter()
    hidden = conflicted_proposal_ids(event, viewer)
    proposals = [p for p in _proposals(event, with_speakers=with_speakers) if p.id not in hidden]
    kinds = _submitter_types(event)
    totals = review_totals(event)
    stats = scoring.proposal_stats(((r, p, s) for r, p, s in totals), [p.id for p in proposals])
    # the reviewers' strictness is learnt from every submitted review, so each member sees the same scores
    calibration = scoring.calibrate(totals, [p.id for p in proposals])
    assigned, done = _counts(event)
    decisions = {d.proposal_id: d for d in db.session.scalars(
        select(Decision).join(Proposal, Proposal.id == Decision.proposal_id).where(Proposal.event_id == event.id))}
    rows = [Row(p, assigned.get(p.id, 0), done.get(p.id, 0), stats[p.id], calibration.quality.get(p.id),
                decisions.get(p.id), kinds.get(p.id)) for p in proposals]
    shown = rows
    if f != ProposalFilter():
        wanted = matching_proposal_ids(event, f)
        shown = [r for r in rows if r.proposal.id in wanted]
    balance, size = programme_balance(event, rows)
    return Ranking(sort_rows(shown, sort, descending), balance, size, sum(r.pending is not None for r in rows))


def programme_balance(event: Event, rows: list[Row]) -> tuple[dict[str, Counter], int]:
    """How the accepted and pending-accept sessions spread over themes, cities, kinds of organisation, formats,
    languages and venues (a session counts at each venue its format is held at)."""
    venues_of = {fmt.id: [v.name for v in fmt.venues] for fmt in db.session.scalars(
        select(SessionFormat).where(SessionFormat.event_id == event.id).options(selectinload(SessionFormat.venues)))}
    balance = {key: Counter() for key in ("theme", "city", "organisation_type", "format", "language", "venue")}
    programme = [r for r in rows if r.in_programme]
    for r in programme:
        p = r.proposal
        balance["theme"][p.theme_name] += 1
        balance["city"][p.project_city or "–"] += 1
        balance["organisation_type"][r.organisation_type] += 1
        balance["format"][p.format_name] += 1
        balance["language"][p.language] += 1
        for venue in venues_of.get(p.format_id, []):
            balance["venue"][venue] += 1
    return balance, len(programme)
