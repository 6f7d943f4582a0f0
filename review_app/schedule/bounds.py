"""Lower bounds on the scheduler's soft goals, from two relaxations that each drop half of the problem.

CP-SAT's own bound comes from the linear relaxation of the whole model, in which "two sessions of a theme at the
same time" and "a speaker in both venues" are nearly free: on the demo it stayed 4 % below the best schedule, at
240 sessions half. The objective is a sum of two parts, and each has a floor of its own:
- the part that depends only on the rooms (a theme's rooms, audience and venue, rating and room size, a speaker's
  venues): the rooms relaxation drops the time of day — each session goes into one open piece of a suitable room,
  the minutes of a piece bounded by its length — and is solved as a MIP (SCIP, through OR-Tools), whose cuts prove
  such assignment problems far better than a CP-SAT relaxation;
- the part that depends only on the times (sessions of one theme in parallel): the times relaxation drops the rooms
  — each session at a time one of its rooms allows, a speaker in one session at a time — solved by CP-SAT; where
  its bound is weaker, a count does better (`_overlap_pairs`: a theme with more minutes than its hours has
  sessions in parallel, and each pair of them shares at most the shorter one's length).
Any schedule is feasible in both, so the sum of the two optima, or of the bounds either proved within its time,
bounds every schedule from below. `solver.solve` reports the better of this and CP-SAT's bound, and stops the
search at a schedule within its relative gap of it. On the demo the floors raise the bound from about 650 to 672
(the best schedule known costs 682); at 240 sessions from 2,686 to 4,021, where the times relaxation proves
nothing (its own relaxation is as weak) and the count finds 40 pairs in parallel (the schedules found have about
145).
(Adding the floors to the CP-SAT model as constraints was tried: the bound is the same, the search no better.)
"""
from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .solver import Problem


@dataclass(frozen=True)
class Floors:
    rooms: int  # no schedule's room-dependent cost is below this
    times: int  # nor its cost of sessions of one theme in parallel
    rooms_proven: bool
    times_proven: bool

    @property
    def total(self) -> int:
        return self.rooms + self.times


def _whole(bound: float) -> int:
    """A proven bound of an objective that takes whole values, rounded up without trusting the last digits."""
    return max(0, math.ceil(bound - 1e-4 * max(1.0, abs(bound))))


def floors(problem: Problem, step: int, placed: set[int], *, time_limit: float, workers: int, seed: int) -> Floors:
    """The two floors for schedules that place exactly `placed` (and the fixed items), in `time_limit` seconds at
    most: a quarter for the times relaxation (it proves small events at once, large ones not at all), the rest for
    the rooms relaxation."""
    started = time.perf_counter()
    times, times_proven = _times_floor(problem, step, placed, time_limit / 4, workers, seed)
    rest = time_limit - (time.perf_counter() - started)
    rooms, rooms_proven = _rooms_floor(problem, step, placed, rest)
    return Floors(rooms, times, rooms_proven, times_proven)


@dataclass(frozen=True)
class _Option:
    length: int  # in steps
    starts: tuple[tuple[int, int], ...]  # the closed ranges of start steps in the piece (none for a fixed item)


def _options(problem: Problem, step: int, placed: set[int]) -> tuple[dict[tuple[int, int, int], _Option], dict]:
    """(item, room, piece) → the item there, for every piece of a room where the item can lie; and the pieces."""
    from .solver import _intersect, _pieces, _starts

    spaces = {s.id: s for s in problem.spaces}
    pieces = {r: _pieces(space, [(b.start, b.end) for b in problem.busy if b.room_id == r])
              for r, space in spaces.items()}
    out: dict[tuple[int, int, int], _Option] = {}
    for item in problem.items:
        if item.id not in placed and item.id not in problem.fixed:
            continue
        d = math.ceil(item.minutes / step)
        if item.id in problem.fixed:
            room_id, st = problem.fixed[item.id]
            n = next((n for n, (a, b) in enumerate(pieces.get(room_id, [])) if a <= st < b), 0)
            out[item.id, room_id, n] = _Option(d, ())
            continue
        for room_id in item.rooms:
            for n, piece in enumerate(pieces.get(room_id, [])):
                if ranges := _starts(_intersect((piece,), item.windows), item.minutes, step):
                    out[item.id, room_id, n] = _Option(d, tuple(ranges))
    return out, pieces


@dataclass
class _RoomsModel:
    mip: object  # pywraplp.Solver
    y: dict  # (item, room, piece) → its variable


def _rooms_model(problem: Problem, step: int, placed: set[int], backend: str) -> _RoomsModel | None:
    """The rooms relaxation as a MIP for `backend` ("SCIP" or "CP_SAT"); None if no weight depends on the rooms."""
    from ortools.linear_solver import pywraplp

    from .solver import _room_cost

    w = {k: max(0, int(v)) for k, v in problem.weights.items()}
    if not (w.get("theme_room") or w.get("audience_venue") or w.get("rating_room") or w.get("venue_changes")):
        return None
    spaces = {s.id: s for s in problem.spaces}
    items = {i.id: i for i in problem.items}
    options, pieces = _options(problem, step, placed)
    change = math.ceil(problem.changeover / step)
    biggest = max([s.capacity for s in problem.spaces] + [1])
    mip = pywraplp.Solver.CreateSolver(backend)
    if mip is None:
        return None
    y = {key: mip.BoolVar("") for key in options}
    per_item: dict[int, list] = defaultdict(list)
    per_room: dict[tuple[int, int], list] = defaultdict(list)
    load: dict[tuple[int, int], list] = defaultdict(list)
    for (item_id, room_id, n), v in y.items():
        per_item[item_id].append(v)
        per_room[item_id, room_id].append(v)
        if item_id not in problem.fixed:  # a pinned session may lie anywhere the committee put it: its time not counted
            load[room_id, n].append((options[item_id, room_id, n].length + change) * v)
    for item_id in {i for i, _r, _n in options}:
        mip.Add(sum(per_item[item_id]) == 1)
    for (room_id, n), terms in load.items():  # as in the CP-SAT model: the last changeover may run past the end
        a, b = pieces[room_id][n]
        mip.Add(sum(terms) <= (b // step - math.ceil(a / step) + change) * spaces[room_id].parallel)
    objective = []
    used: dict[tuple[int, int], object] = {}
    at: dict[tuple[int, int], list] = defaultdict(list)
    for (item_id, room_id), vs in per_room.items():
        cost = _room_cost(problem, items[item_id], spaces[room_id], biggest)
        if cost:
            objective.append(cost * sum(vs))
        if w.get("theme_room"):
            key = (items[item_id].theme_id, room_id)
            if key not in used:
                used[key] = mip.BoolVar("")
                objective.append(w["theme_room"] * used[key])
            mip.Add(sum(vs) <= used[key])
        at[item_id, spaces[room_id].venue_id] += vs
    if w.get("venue_changes"):
        sessions_of: dict[int, list[int]] = defaultdict(list)
        for item_id in per_item:
            for person in items[item_id].speakers:
                sessions_of[person].append(item_id)
        venues = sorted({s.venue_id for s in problem.spaces})
        for ids in sessions_of.values():
            if len(ids) < 2:
                continue
            uses = []
            for venue in venues:
                here = [i for i in ids if at.get((i, venue))]
                if here:
                    u = mip.BoolVar("")
                    for i in here:
                        mip.Add(sum(at[i, venue]) <= u)
                    uses.append(u)
            extra = mip.IntVar(0, len(venues), "")  # whole at every optimum; CP-SAT takes integers only
            mip.Add(extra >= sum(uses) - 1)
            objective.append(w["venue_changes"] * 10 * extra)
    if not objective:
        return None
    mip.Minimize(sum(objective))
    return _RoomsModel(mip, y)


def _rooms_floor(problem: Problem, step: int, placed: set[int], time_limit: float) -> tuple[int, bool]:
    from ortools.linear_solver import pywraplp

    built = _rooms_model(problem, step, placed, "SCIP")
    if built is None:
        return 0, True
    mip = built.mip
    mip.SetTimeLimit(max(100, int(time_limit * 1000)))
    status = mip.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return 0, False
    return _whole(mip.Objective().BestBound()), status == pywraplp.Solver.OPTIMAL


def cheap_rooms(problem: Problem, step: int, placed: set[int], *, time_limit: float, workers: int
                ) -> dict[int, int] | None:
    """A room for each of `placed` (fixed items keep theirs) as cheap as CP-SAT finds in `time_limit` for the rooms
    relaxation, or None. Not a bound but a start: SCIP proves this relaxation well and solves it badly, CP-SAT the
    other way round (at 240 sessions in 4 s: 3,790 against SCIP's 4,150 in 20 s; its optimum lies above 3,622)."""
    from ortools.linear_solver import pywraplp

    built = _rooms_model(problem, step, placed, "CP_SAT")
    if built is None:
        return None
    built.mip.SetTimeLimit(max(100, int(time_limit * 1000)))
    built.mip.SetNumThreads(max(1, int(workers)))
    if built.mip.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    return {item_id: room_id for (item_id, room_id, _n), v in built.y.items() if v.solution_value() > 0.5}


def _times_floor(problem: Problem, step: int, placed: set[int], time_limit: float, workers: int,
                 seed: int) -> tuple[int, bool]:
    from ortools.sat.python import cp_model

    weight = max(0, int(problem.weights.get("theme_spread", 0)))
    if not weight:
        return 0, True
    items = {i.id: i for i in problem.items}
    options, _pieces = _options(problem, step, placed)
    starts_of: dict[int, set[tuple[int, int]]] = defaultdict(set)  # an item's start ranges in any of its rooms
    for (item_id, _room, _n), option in options.items():
        starts_of[item_id].update(option.starts)

    model = cp_model.CpModel()
    start, length, interval = {}, {}, {}
    for item_id in starts_of:
        item = items[item_id]
        length[item_id] = d = math.ceil(item.minutes / step)
        if item_id in problem.fixed:
            start[item_id] = model.new_constant(problem.fixed[item_id][1] // step)
        else:
            ranges = [list(r) for r in sorted(starts_of[item_id])]
            start[item_id] = model.new_int_var_from_domain(cp_model.Domain.from_intervals(ranges), "")
        interval[item_id] = model.new_fixed_size_interval_var(start[item_id], d, "")
    by_person: dict[int, list] = defaultdict(list)
    by_theme: dict[int, list[int]] = defaultdict(list)
    for item_id in start:
        for person in items[item_id].speakers:
            by_person[person].append(interval[item_id])
        by_theme[items[item_id].theme_id].append(item_id)
    for intervals in by_person.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    parallel = []
    for ids in by_theme.values():
        for a, b in combinations(sorted(ids), 2):
            before, after, both = (model.new_bool_var("") for _ in range(3))
            model.add(start[a] + length[a] <= start[b]).only_enforce_if(before)
            model.add(start[b] + length[b] <= start[a]).only_enforce_if(after)
            model.add_bool_or([before, after, both])
            parallel.append(both)
    if not parallel:
        return 0, True
    pairs = _overlap_pairs(problem, step, options)
    model.add(sum(parallel) >= pairs)  # a bound it need not find again
    counted = weight * pairs
    model.minimize(weight * sum(parallel))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return counted, False
    return max(counted, _whole(solver.best_objective_bound)), status == cp_model.OPTIMAL


def _overlap_pairs(problem: Problem, step: int, options: dict[tuple[int, int, int], _Option]) -> int:
    """A number of pairs of sessions of one theme in parallel that no schedule has fewer of, counted per theme.

    Let c(t) be the number of a theme's sessions running in step t: summed over the steps in which any of them can
    run (H of them) it is their total length D, and the sum of c(t)(c(t)-1)/2 is the time the pairs in parallel
    share, at least what D spread as evenly as possible over H gives. A pair shares at most the shorter session's
    length, so it takes at least as many pairs as the longest such lengths need to add up to that time (the k-th
    longest session is the shorter one of k-1 pairs)."""
    items = {i.id: i for i in problem.items}
    steps: dict[int, set[int]] = defaultdict(set)  # theme → the steps its sessions can run in
    length: dict[int, int] = {}
    for (item_id, _room, _n), option in options.items():
        length[item_id] = option.length
        theme = items[item_id].theme_id
        if item_id in problem.fixed:
            first = problem.fixed[item_id][1] // step
            steps[theme].update(range(first, first + option.length))
        for a, b in option.starts:
            steps[theme].update(range(a, b + option.length))
    lengths: dict[int, list[int]] = defaultdict(list)
    for item_id, d in length.items():
        lengths[items[item_id].theme_id].append(d)
    total = 0
    for theme, ds in lengths.items():
        hours = len(steps[theme])
        if not hours:
            continue
        q, r = divmod(sum(ds), hours)
        shared = (hours - r) * math.comb(q, 2) + r * math.comb(q + 1, 2)
        ds.sort(reverse=True)
        for k in range(1, len(ds)):
            if shared <= 0:
                break
            take = min(k, math.ceil(shared / ds[k]))  # pairs whose shorter session is the (k+1)-th longest
            total += take
            shared -= take * ds[k]
    return total
