"""The automatic draft: the event's confirmed sessions and rooms handed to `solver`, its answer written back as
schedule entries, and a report of what it placed, could not place and why, the objective, the bound and the time."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..audit.models import record
from ..db import db
from ..errors import Conflict
from ..events.models import Event
from ..review.ranking import review_totals
from ..review.scoring import proposal_stats
from . import checks, solver
from .models import WEIGHTS, ScheduleEntry
from .queries import Draft, load, settings_of
from .services import check_committee


@dataclass
class Report:
    placed: list[int]  # proposal ids placed by this run
    kept: list[int]  # pinned (or kept) sessions left where they were
    moved: list[int]  # sessions that were placed and now are elsewhere
    unplaced: dict[int, str]  # proposal id → reason code
    status: str
    objective: float | None
    bound: float | None
    seconds: float
    first_solution_seconds: float | None
    problems: list[checks.Problem] = field(default_factory=list)  # hard problems left in the new draft

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return 0.0 if not self.objective else abs(self.objective - self.bound) / abs(self.objective)


REASONS = {
    "no_room": lambda: _("no room suits its format and expected audience"),
    "no_time": lambda: _("no time when its speakers are available and a fitting room is open"),
    "no_slot": lambda: _("no free time left in a fitting room (rooms, speakers or travel times are taken)"),
}


def _minutes(origin: datetime, moment: datetime) -> int:
    return round((moment - origin).total_seconds() / 60)


def problem_of(draft: Draft, *, keep_placed: bool) -> tuple[solver.Problem, datetime]:
    """The solver's problem for the draft: pinned sessions (and, if asked, every placed one) fixed; the others free,
    with where they were as their previous place. Returns the problem and the timeline's origin."""
    event, plan = draft.event, draft.plan
    origin = event.at(event.starts_on, time.min)
    ratings = {}
    stats = proposal_stats(review_totals(event), list(draft.sessions))
    for pid, st in stats.items():
        if st.mean is not None:
            ratings[pid] = st.mean / 100.0
    spaces = [solver.Space(r.id, r.venue_id, r.capacity,
                           tuple((_minutes(origin, a), _minutes(origin, b)) for a, b in r.windows), r.parallel,
                           draft.venue_audiences.get(r.venue_id, frozenset()))
              for r in plan.rooms.values()]
    items = []
    for pid, proposal in draft.sessions.items():
        s = plan.sessions[pid]
        rooms = tuple(r.id for r in plan.rooms.values() if (r.formats is None or s.format_id in r.formats)
                      and not (s.audience and s.audience > r.capacity))
        windows = None if s.availability is None else tuple(
            (_minutes(origin, a), _minutes(origin, b)) for a, b in s.availability)
        first, last = plan.event_window
        windows = _clip(windows, (_minutes(origin, first), _minutes(origin, last)))
        items.append(solver.Item(pid, s.minutes, s.speakers, s.theme_id, rooms, windows,
                                 frozenset(a.id for a in proposal.audiences), ratings.get(pid)))
    fixed, previous = {}, {}
    for pid, entry in draft.entries.items():
        if pid not in draft.sessions:
            continue
        where = (entry.room_id, _minutes(origin, entry.starts_at))
        if entry.pinned or keep_placed:
            fixed[pid] = where
        else:
            previous[pid] = where
    busy = [solver.Busy(room_id, _minutes(origin, b.start), _minutes(origin, b.end))
            for b in plan.blocks for room_id in b.room_ids]
    travel = {}
    for (a, b), minutes in plan.travel.items():
        travel[a, b] = minutes
    weights = {key: settings_of(event).weight(key) for key in WEIGHTS}
    return solver.Problem(items, spaces, busy, fixed, previous, travel, event.changeover_minutes, weights), origin


def _clip(windows, span):
    lo, hi = span
    if windows is None:
        return ((lo, hi),)
    return tuple((max(a, lo), min(b, hi)) for a, b in windows if max(a, lo) < min(b, hi))


def draft_schedule(event: Event, *, keep_placed: bool, actor: User, now: datetime,
                   time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
                   deterministic: bool = False) -> Report:
    """Draft the schedule for every unplaced confirmed session (and, unless `keep_placed`, re-plan the placed ones
    that are not pinned, moving as few as the weights ask). Refused (409) when the sessions it must keep conflict
    among themselves. Side effects: the entries, one audit row."""
    check_committee(actor, event)
    draft = load(event)
    problem, origin = problem_of(draft, keep_placed=keep_placed)
    kept_plan = checks.Plan(draft.plan.sessions, draft.plan.rooms,
                            [p for p in draft.plan.placements if p.session_id in problem.fixed], draft.plan.blocks,
                            draft.plan.travel, draft.plan.changeover, draft.plan.event_window)
    clashes = [p for p in checks.check(kept_plan)
               if p.kind in ("room_overlap", "block", "speaker_overlap", "travel")]
    if clashes:
        titles = sorted({draft.sessions[i].title for p in clashes for i in p.session_ids})
        raise Conflict(_("The sessions to keep where they are conflict with each other: %(titles)s. Move or un-pin "
                         "one of them first.", titles="; ".join(titles)))
    settings = settings_of(event)
    config = current_app.config
    result = solver.solve(problem, time_limit=time_limit or settings.time_limit,
                          workers=workers or config["SCHEDULER_WORKERS"], seed=seed or config["SCHEDULER_SEED"],
                          deterministic=deterministic)
    if result.status in ("infeasible", "unknown") and not result.placements:
        raise Conflict(_("The scheduler found no schedule in the time given. Give it more time, or pin fewer "
                         "sessions."))
    placed, kept = [], sorted(problem.fixed)
    entries = draft.entries
    # write the answer: first clear what moves (the overlap guard checks each row as it is written), then place
    moving = {pid for pid in entries if pid not in problem.fixed and pid in draft.sessions}
    for pid in moving:
        entry = entries[pid]
        target = result.placements.get(pid)
        if target is None or (entry.room_id, _minutes(origin, entry.starts_at), entry.lane) != target:
            db.session.delete(entry)
    db.session.flush()
    for pid, (room_id, start, lane) in sorted(result.placements.items()):
        if pid in problem.fixed:
            continue
        entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == pid))
        starts_at = origin + timedelta(minutes=start)
        if entry is None:
            minutes = draft.sessions[pid].minutes
            db.session.add(ScheduleEntry(event_id=event.id, proposal_id=pid, room_id=room_id, lane=lane,
                                         starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                                         pinned=False, updated_at=now, updated_by_id=actor.id))
            if pid not in entries:
                placed.append(pid)
    db.session.flush()
    report = Report(placed, kept, result.moved, result.unplaced, result.status, result.objective, result.bound,
                    result.seconds, result.first_solution_seconds)
    report.problems = [p for p in checks.check(load(event).plan) if p.level == "error"]
    record(actor=actor, action="schedule.automatic", obj=event, now=now, event_id=event.id, keep_placed=keep_placed,
           placed=len(placed), moved=len(result.moved), unplaced={str(k): v for k, v in result.unplaced.items()},
           status=result.status, objective=result.objective, bound=result.bound, seconds=round(result.seconds, 2))
    return report
