"""The automatic scheduler: places sessions into rooms and times with OR-Tools CP-SAT, over plain data on a timeline of
whole minutes (the caller converts). Reproducible: the worker count and the seed are explicit.

Hard: a room holds one session at a time (an exhibition space as many as it has stands), with the changeover in
between and never during a block; a person is never in two sessions at once, and has the travel time between two
venues; a session lies within its room's windows and the windows its speakers share; only rooms whose capacity
and formats suit a session are offered (the caller filters them).
Soft, weighted (see `schedule.models.WEIGHTS`): sessions of one theme not in parallel; a theme's sessions in few
rooms; sessions at the venue whose programme is for their audience; few venues per speaker; better-rated
sessions in larger rooms; when solving again, sessions stay where they were. Placing a session always outweighs
every soft goal.
"""
from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a model is built: OR-Tools (with pandas) takes half a second to import, which
    from ortools.sat.python import cp_model  # every web worker would pay at start without ever solving

Span = tuple[int, int]  # [start, end) in minutes on the caller's timeline


@dataclass(frozen=True)
class Item:
    id: int
    minutes: int
    speakers: tuple[int, ...]
    theme_id: int
    rooms: tuple[int, ...]  # the rooms that suit it (format, venue, capacity)
    windows: tuple[Span, ...] | None = None  # its speakers' shared availability; None: any time
    audience_ids: frozenset[int] = frozenset()
    rating: float | None = None  # 0..1, better is higher


@dataclass(frozen=True)
class Space:
    id: int
    venue_id: int
    capacity: int
    windows: tuple[Span, ...]
    parallel: int = 1
    audiences: frozenset[int] = frozenset()  # the audiences its venue's programme is for; empty: any


@dataclass(frozen=True)
class Busy:
    room_id: int
    start: int
    end: int


@dataclass
class Problem:
    items: list[Item]
    spaces: list[Space]
    busy: list[Busy] = field(default_factory=list)
    fixed: dict[int, tuple[int, int]] = field(default_factory=dict)  # item id → (room, start): pinned or kept
    previous: dict[int, tuple[int, int]] = field(default_factory=dict)  # where items were: moving them costs
    travel: dict[tuple[int, int], int] = field(default_factory=dict)  # minutes between venues, both orders
    changeover: int = 0
    weights: dict[str, int] = field(default_factory=dict)


@dataclass
class Result:
    placements: dict[int, tuple[int, int, int]]  # item id → (room, start, lane)
    unplaced: dict[int, str]  # item id → "no_room" | "no_time" | "no_slot"
    status: str  # "optimal", "feasible", "infeasible", "unknown"
    objective: float | None
    bound: float | None
    seconds: float
    first_solution_seconds: float | None
    moved: list[int]  # items with a previous place that now are elsewhere

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return 0.0 if self.objective == 0 else abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


UNPLACED_COST = 1000  # per unplaced session, times the largest weight: placing always comes first
RELATIVE_GAP = 0.005  # a schedule proven within half a per cent of the best is good enough: stop there
FLOOR_SHARE = 0.15  # of the time left for the soft goals, at most this share goes to their lower bounds (`bounds`)
ROOMS_FIRST_SHARE = 0.8  # of the time left after them, at most this share goes to a start from cheap rooms
ROOMS_FIRST_FROM = 4.0  # seconds left at least, for that start to be tried


def _starts(windows: tuple[Span, ...], length: int, step: int) -> list[Span]:
    """The step indices at which a session of `length` minutes fits inside one of the windows, as closed ranges."""
    out = []
    for a, b in windows:
        first, last = math.ceil(a / step), (b - length) // step
        if first <= last:
            out.append((first, last))
    return out


def _pieces(space: Space, busy: list[Span]) -> list[Span]:
    """The room's windows less its blocks: the spans a session can lie in."""
    out = []
    for a, b in space.windows:
        cuts = sorted((max(a, s), min(b, e)) for s, e in busy if max(a, s) < min(b, e))
        at = a
        for s, e in cuts:
            if s > at:
                out.append((at, s))
            at = max(at, e)
        if at < b:
            out.append((at, b))
    return out


def _intersect(a: tuple[Span, ...], b: tuple[Span, ...] | None) -> tuple[Span, ...]:
    if b is None:
        return a
    return tuple(sorted((max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b if max(s1, s2) < min(e1, e2)))


def _first_solution(started: float, stop_at: float | None = None):
    """A solution callback noting the time of the first solution; it ends the search at a solution costing no more
    than `stop_at` (a bound proven elsewhere, see `bounds`)."""
    from ortools.sat.python import cp_model

    class FirstSolution(cp_model.CpSolverSolutionCallback):
        def __init__(self):
            super().__init__()
            self.first = None

        def on_solution_callback(self) -> None:
            if self.first is None:
                self.first = time.perf_counter() - started
            if stop_at is not None and self.objective_value <= stop_at:
                self.stop_search()

    return FirstSolution()


def _step(problem: Problem) -> int:
    """The timeline's grain: the largest number of minutes dividing every length, window, block and fixed start."""
    numbers = [i.minutes for i in problem.items] + [problem.changeover or 0]
    numbers += [x for s in problem.spaces for span in s.windows for x in span]
    numbers += [x for b in problem.busy for x in (b.start, b.end)] + [st for _r, st in problem.fixed.values()]
    numbers += [st for _r, st in problem.previous.values()]  # a session can stay exactly where it was
    numbers += [x for i in problem.items for span in (i.windows or ()) for x in span]
    step = math.gcd(*[n for n in numbers if n]) if any(numbers) else 5
    return max(1, min(step, 60))


@dataclass
class _Model:
    model: cp_model.CpModel
    start: dict
    placed: dict
    x: dict
    unplaced: dict


def _build(problem: Problem, step: int, *, only: set[int] | None, soft: bool,
           hints: dict[int, tuple[int, int]]) -> _Model:
    """The CP-SAT model: every item (of `only`, when given) placed if it can be; with the soft goals, or (not
    `soft`) just as many items placed as possible. `only` items must all be placed."""
    from ortools.sat.python import cp_model

    w = {key: max(0, int(value)) for key, value in problem.weights.items()} if soft else {}
    spaces = {s.id: s for s in problem.spaces}
    items = {i.id: i for i in problem.items}
    change = math.ceil(problem.changeover / step)
    model = cp_model.CpModel()
    # a complete hint (every variable, derived ones too) lets the solver start from it at once
    hs = {i: st // step for i, (_r, st) in hints.items()}
    hr = {i: r for i, (r, _st) in hints.items()}
    for i, (r, st) in problem.fixed.items():
        hs[i], hr[i] = st // step, r
    unplaced: dict[int, str] = {}
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    start: dict[int, cp_model.IntVar] = {}
    placed: dict[int, cp_model.IntVar] = {}
    length: dict[int, int] = {}
    room_intervals: dict[int, list] = defaultdict(list)
    load: dict[tuple[int, int], list] = defaultdict(list)  # (room, piece) → minutes of the sessions in it
    pieces = {r: _pieces(space, [(b.start, b.end) for b in problem.busy if b.room_id == r])
              for r, space in spaces.items()}
    person_intervals: dict[int, list] = defaultdict(list)

    for item in problem.items:
        if only is not None and item.id not in only and item.id not in problem.fixed:
            continue
        d = math.ceil(item.minutes / step)
        length[item.id] = d
        if item.id in problem.fixed:
            room_id, st = problem.fixed[item.id]
            s_var = model.new_constant(st // step)
            options = {room_id: None}
        else:
            options = {}
            for room_id in item.rooms:
                by_piece = {}
                for n, piece in enumerate(pieces[room_id]):
                    ranges = _starts(_intersect((piece,), item.windows), item.minutes, step)
                    if ranges:
                        by_piece[n] = ranges
                if by_piece:
                    options[room_id] = by_piece
            if not item.rooms:
                unplaced[item.id] = "no_room"
                continue
            if not options:
                unplaced[item.id] = "no_time"
                continue
            domain = cp_model.Domain.from_intervals(
                [list(r) for by_piece in options.values() for ranges in by_piece.values() for r in ranges])
            s_var = model.new_int_var_from_domain(domain, f"start_{item.id}")
        start[item.id] = s_var
        must = item.id in problem.fixed or only is not None
        p = model.new_constant(1) if must else model.new_bool_var(f"placed_{item.id}")
        if not must:
            model.add_hint(p, int(item.id in hr and item.id in options and hr[item.id] in options))
        placed[item.id] = p
        room_vars = []
        for room_id, by_piece in options.items():
            v = model.new_constant(1) if by_piece is None else model.new_bool_var(f"x_{item.id}_{room_id}")
            x[item.id, room_id] = v
            if by_piece is not None and item.id in hr:
                model.add_hint(v, int(hr[item.id] == room_id))
            room_vars.append(v)
            if by_piece is None:
                room_intervals[room_id].append(model.new_optional_fixed_size_interval_var(
                    s_var, d + change, v, f"room_{item.id}_{room_id}"))
                continue
            # one option per open piece of the room (between its blocks): the relaxation then sees each piece's
            # time, not only the room's
            piece_vars = []
            for n, ranges in by_piece.items():
                pv = v if len(by_piece) == 1 else model.new_bool_var(f"x_{item.id}_{room_id}_{n}")
                if pv is not v and item.id in hr:
                    model.add_hint(pv, int(hr[item.id] == room_id and any(a <= hs[item.id] <= b for a, b in ranges)))
                piece_vars.append(pv)
                model.add_linear_expression_in_domain(
                    s_var, cp_model.Domain.from_intervals([list(r) for r in ranges])).only_enforce_if(pv)
                room_intervals[room_id].append(model.new_optional_fixed_size_interval_var(
                    s_var, d + change, pv, f"room_{item.id}_{room_id}_{n}"))
                load[room_id, n].append((d + change) * pv)
            if len(piece_vars) > 1:
                model.add(sum(piece_vars) == v)
        model.add(sum(room_vars) == p)
        session = model.new_optional_fixed_size_interval_var(s_var, d, p, f"session_{item.id}")
        for person in item.speakers:
            person_intervals[person].append(session)

    blocked: dict[int, list] = defaultdict(list)  # a block fills the whole room, every stand of it
    for busy in problem.busy:
        if busy.room_id in spaces:
            # a session's room interval carries the changeover after it; one may end right as a block begins, so the
            # block's interval starts a changeover later (a block shorter than that still takes a step)
            a, b = busy.start // step + change, math.ceil(busy.end / step)
            a = min(a, b - 1)
            blocked[busy.room_id].append(model.new_fixed_size_interval_var(a, b - a, f"busy_{busy.room_id}_{a}"))
    for room_id in set(room_intervals) | set(blocked):
        sessions, blocks = room_intervals[room_id], blocked[room_id]
        parallel = spaces[room_id].parallel
        if parallel <= 1:
            model.add_no_overlap(sessions + blocks)
        else:
            model.add_cumulative(sessions + blocks, [1] * len(sessions) + [parallel] * len(blocks), parallel)
    # the same in sums the linear relaxation sees (a piece's open time bounds the minutes placed in it, each with the
    # changeover after it, the last one's changeover may run past the piece's end): this is what lets the solver
    # prove how good a schedule is, not only find one
    room_time = {r: sum(math.ceil(b / step) - a // step for a, b in spaces[r].windows) * spaces[r].parallel
                 for r in spaces}
    for (room_id, n), terms in load.items():
        a, b = pieces[room_id][n]
        model.add(sum(terms) <= (b // step - math.ceil(a / step) + change) * spaces[room_id].parallel)
    for intervals in person_intervals.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)

    # where an item is: at[item, venue]
    venues = sorted({s.venue_id for s in problem.spaces})
    at: dict[tuple[int, int], cp_model.IntVar] = {}
    for item_id in start:
        for venue in venues:
            terms = [v for (i, r), v in x.items() if i == item_id and spaces[r].venue_id == venue]
            if terms:
                b = model.new_bool_var(f"at_{item_id}_{venue}")
                if item_id in hr:
                    model.add_hint(b, int(spaces[hr[item_id]].venue_id == venue))
                model.add(sum(terms) == b)
                at[item_id, venue] = b
    sessions_of: dict[int, list[int]] = defaultdict(list)
    for item in problem.items:
        if item.id in start:
            for person in item.speakers:
                sessions_of[person].append(item.id)
    for person, ids in sessions_of.items():
        for a, b in combinations(sorted(ids), 2):
            for va in venues:
                for vb in venues:
                    need = problem.travel.get((va, vb), 0) if va != vb else 0
                    if not need or (a, va) not in at or (b, vb) not in at:
                        continue
                    gap = math.ceil(need / step)
                    order = model.new_bool_var(f"order_{person}_{a}_{b}_{va}_{vb}")
                    if a in hs and b in hs:
                        model.add_hint(order, int(hs[a] <= hs[b]))
                    both = [at[a, va], at[b, vb]]
                    model.add(start[b] >= start[a] + length[a] + gap).only_enforce_if([order, *both])
                    model.add(start[a] >= start[b] + length[b] + gap).only_enforce_if([order.Not(), *both])

    for item_id, st in hs.items():
        if item_id in start and (item_id, hr[item_id]) in x and item_id not in problem.fixed:
            model.add_hint(start[item_id], st)
    objective = []
    biggest = max([*w.values(), 1])
    for item_id, p in placed.items():
        if item_id not in problem.fixed:
            objective.append(UNPLACED_COST * biggest * (1 - p))
    if w.get("theme_spread"):  # two sessions of one theme at the same time cost, pair by pair
        by_theme: dict[int, list[int]] = defaultdict(list)
        for item_id in start:
            by_theme[items[item_id].theme_id].append(item_id)
        for ids in by_theme.values():
            for a, b in combinations(sorted(ids), 2):
                if a in problem.fixed and b in problem.fixed:  # a cost all the same: the objective states it
                    sa, sb = problem.fixed[a][1] // step, problem.fixed[b][1] // step
                    if sa < sb + length[b] and sb < sa + length[a]:
                        objective.append(w["theme_spread"])
                    continue
                before, after, parallel = (model.new_bool_var("") for _ in range(3))
                if a in hs and b in hs:
                    ba, bb = hs[a] + length[a] <= hs[b], hs[b] + length[b] <= hs[a]
                    model.add_hint(before, int(ba))
                    model.add_hint(after, int(bb))
                    model.add_hint(parallel, int(not (ba or bb)))
                model.add(start[a] + length[a] <= start[b]).only_enforce_if(before)
                model.add(start[b] + length[b] <= start[a]).only_enforce_if(after)
                model.add_bool_or([before, after, parallel, placed[a].Not(), placed[b].Not()])
                objective.append(w["theme_spread"] * parallel)
    by_theme_all: dict[int, list[int]] = defaultdict(list)
    for item_id in start:
        by_theme_all[items[item_id].theme_id].append(item_id)
    if w.get("theme_room"):
        used: dict[tuple[int, int], cp_model.IntVar] = {}
        minutes_in: dict[tuple[int, int], list] = defaultdict(list)
        for (item_id, room_id), v in x.items():
            key = (items[item_id].theme_id, room_id)
            if key not in used:
                used[key] = model.new_bool_var("")
                model.add_hint(used[key], int(any(hr.get(i) == room_id and items[i].theme_id == key[0]
                                                  for i in by_theme_all.get(key[0], ()))))
                objective.append(w["theme_room"] * used[key])
            model.add(v <= used[key])  # linear: the relaxation sees it
            minutes_in[key].append(length[item_id] * v)
        for (theme, room_id), terms in minutes_in.items():  # for the relaxation: a room unused holds none of it
            model.add(sum(terms) <= room_time[room_id] * used[theme, room_id])
    cost: dict[tuple[int, int], int] = defaultdict(int)
    biggest_room = max([s.capacity for s in problem.spaces] + [1])
    for (item_id, room_id) in x:
        item, space = items[item_id], spaces[room_id]
        elsewhere = space.audiences and item.audience_ids and not item.audience_ids & space.audiences
        if w.get("audience_venue") and elsewhere:
            cost[item_id, room_id] += w["audience_venue"] * 10
        if w.get("rating_room") and item.rating is not None:
            cost[item_id, room_id] += round(w["rating_room"] * 10 * item.rating * (1 - space.capacity / biggest_room))
    objective += [c * x[key] for key, c in cost.items() if c]
    if w.get("venue_changes"):
        for ids in sessions_of.values():
            if len(ids) < 2:
                continue
            uses = []
            for venue in venues:
                here = [at[i, venue] for i in ids if (i, venue) in at]
                if here:
                    u = model.new_bool_var("")
                    model.add_hint(u, int(any(spaces[hr[i]].venue_id == venue for i in ids if i in hr)))
                    for b in here:
                        model.add(b <= u)
                    uses.append(u)
            extra = model.new_int_var(0, len(venues), "")  # venues beyond the first
            model.add_hint(extra, max(0, len({spaces[hr[i]].venue_id for i in ids if i in hr}) - 1))
            model.add(extra >= sum(uses) - 1)
            objective.append(w["venue_changes"] * 10 * extra)
    stay: dict[int, cp_model.IntVar] = {}
    for item_id, (room_id, st) in problem.previous.items():
        if item_id in problem.fixed or item_id not in start or (item_id, room_id) not in x:
            continue
        s = model.new_bool_var(f"stay_{item_id}")
        model.add_implication(s, x[item_id, room_id])
        model.add(start[item_id] == st // step).only_enforce_if(s)
        model.add_hint(s, int(hr.get(item_id) == room_id and hs.get(item_id) == st // step))
        stay[item_id] = s
        objective.append(max(w.get("stability", 0), 0) * 10 * (1 - s))
    model.minimize(sum(objective))
    return _Model(model, start, placed, x, unplaced)


def _run(built: _Model, time_limit: float, workers: int, seed: int, started: float, deterministic: bool = False,
         stop_at: float | None = None):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    if deterministic:  # the same answer on any machine, however busy: a limit in the solver's own work units
        solver.parameters.max_deterministic_time = max(0.1, float(time_limit))
        solver.parameters.max_time_in_seconds = 600
    else:
        solver.parameters.max_time_in_seconds = max(0.1, float(time_limit))
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.relative_gap_limit = RELATIVE_GAP
    solver.parameters.cp_model_probing_level = 0  # probing took most of the time to the first solution
    # the bound comes from the linear relaxation with every constraint in it (clauses and implications too, level
    # 2): on two workers the default gives its one full-problem worker the lighter relaxation, whose bound on the
    # demo stayed a third below; the other worker(s) improve the schedule by neighbourhood search
    solver.parameters.linearization_level = 2
    if workers > 1:
        solver.parameters.subsolvers.append("max_lp")
    first = _first_solution(started, stop_at)
    status = solver.solve(built.model, first)
    return solver, status, first.first


def _values(built: _Model, solver: cp_model.CpSolver, step: int) -> dict[int, tuple[int, int]]:
    out = {}
    for item_id, s_var in built.start.items():
        if solver.value(built.placed[item_id]):
            room_id = next(r for (i, r), v in built.x.items() if i == item_id and solver.value(v))
            out[item_id] = (room_id, solver.value(s_var) * step)
    return out


def _room_cost(problem: Problem, item: Item, space: Space, biggest: int) -> int:
    """The soft cost of an item in a room that depends on nothing else (audience–venue fit, rating–room size), in
    the objective's units before SCALE."""
    w, c = problem.weights, 0
    elsewhere = space.audiences and item.audience_ids and not item.audience_ids & space.audiences
    if w.get("audience_venue") and elsewhere:
        c += w["audience_venue"] * 10
    if w.get("rating_room") and item.rating is not None:
        c += round(w["rating_room"] * 10 * item.rating * (1 - space.capacity / biggest))
    return c


def _greedy(problem: Problem, step: int, *, cheap: bool = False, first: tuple[int, ...] = (), spread: bool = True
            ) -> dict[int, tuple[int, int]]:
    """A quick first placement to start the solver from: the least flexible sessions first, each at the earliest
    start where its room (lane), its speakers and their travel allow it; `cheap`: each in the room cheapest by the
    soft goals, at the earliest start there (without a session of its theme at once, if `spread`); it may place fewer.
    `first`: items to place before all others."""
    spaces = {s.id: s for s in problem.spaces}
    items = {i.id: i for i in problem.items}
    change = problem.changeover
    lanes: dict[int, list[list[Span]]] = {r: [[] for _ in range(s.parallel)] for r, s in spaces.items()}
    for busy in problem.busy:  # as in the model: a session may end right as a block begins
        for lane in lanes.get(busy.room_id, []):
            lane.append((busy.start + change, busy.end))
    people: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # person → (start, end, venue)
    out: dict[int, tuple[int, int]] = {}

    def book(item: Item, room_id: int, st: int) -> None:
        end = st + item.minutes
        lane = next((ln for ln in lanes[room_id] if all(not (a < end + change and st < b) for a, b in ln)),
                    lanes[room_id][0])
        lane.append((st, end + change))
        for person in item.speakers:
            people[person].append((st, end, spaces[room_id].venue_id))
        out[item.id] = (room_id, st)

    def fits(item: Item, room_id: int, st: int) -> bool:
        end, venue = st + item.minutes, spaces[room_id].venue_id
        if not any(all(not (a < end + change and st < b) for a, b in ln) for ln in lanes[room_id]):
            return False
        for person in item.speakers:
            for a, b, v in people[person]:
                need = problem.travel.get((v, venue), 0) if v != venue else 0
                if a < end + need and st < b + need:
                    return False
        return True

    w = problem.weights
    biggest = max([sp.capacity for sp in problem.spaces] + [1])
    placed_of: dict[int, list[int]] = defaultdict(list)  # person → their items placed so far
    theme_items: dict[int, list[int]] = defaultdict(list)
    rooms_of_theme: dict[int, set[int]] = defaultdict(set)

    def placed_of_add(item: Item) -> None:
        for person in item.speakers:
            placed_of[person].append(item.id)
        theme_items[item.theme_id].append(item.id)
        rooms_of_theme[item.theme_id].add(out[item.id][0])

    for item_id, (room_id, st) in problem.fixed.items():
        if item_id in items and room_id in spaces:
            book(items[item_id], room_id, st)
            placed_of_add(items[item_id])
    options = {}
    for item in problem.items:
        if item.id not in problem.fixed:
            options[item.id] = [(r, _starts(_intersect(spaces[r].windows, item.windows), item.minutes, step))
                                for r in item.rooms if r in spaces]
    for item_id in sorted(options, key=lambda i: (i not in first, sum(b - a + 1 for _r, rs in options[i]
                                                                      for a, b in rs), -items[i].minutes, i)):
        item = items[item_id]
        wanted = problem.previous.get(item_id)
        if wanted and any(r == wanted[0] for r, _ in options[item_id]) and fits(item, *wanted):
            book(item, *wanted)
            placed_of_add(item)
            continue
        if not cheap:
            candidates = sorted((a * step, r, b) for r, ranges in options[item_id] for a, b in ranges)
            placed = False
            for first, room_id, last in candidates:
                for k in range(first // step, last + 1):
                    if fits(item, room_id, k * step):
                        book(item, room_id, k * step)
                        placed = True
                        break
                if placed:
                    break
            continue
        # the cheapest room by the soft goals, in it the earliest start without a session of the theme at once
        best = None
        venues_of = {spaces[out[j][0]].venue_id for p in item.speakers for j in placed_of[p]}
        for room_id, ranges in options[item_id]:
            space = spaces[room_id]
            c = _room_cost(problem, item, space, biggest)
            if venues_of and space.venue_id not in venues_of:
                c += w.get("venue_changes", 0) * 10
            if room_id not in rooms_of_theme[item.theme_id]:
                c += w.get("theme_room", 0)
            if best is not None and c >= best[0]:
                continue
            first_fit = None
            for a, b in ranges:
                for k in range(a, b + 1):
                    st = k * step
                    if not fits(item, room_id, st):
                        continue
                    clash = sum(1 for j in theme_items[item.theme_id]
                                if out[j][1] < st + item.minutes and st < out[j][1] + items[j].minutes)
                    if first_fit is None or clash < first_fit[0]:
                        first_fit = (clash, st)
                    if clash == 0 or not spread:
                        break
                if first_fit is not None and (first_fit[0] == 0 or not spread):
                    break
            if first_fit is not None:
                total = c + w.get("theme_spread", 0) * first_fit[0]
                if best is None or total < best[0]:
                    best = (total, room_id, first_fit[1])
        if best is not None:
            book(item, best[1], best[2])
            placed_of_add(item)
    return out


def solve(problem: Problem, *, time_limit: float = 20.0, workers: int = 2, seed: int = 1,
          deterministic: bool = False) -> Result:
    """Place every item it can; fixed items stay exactly where they are (the caller checks that they do not conflict
    among themselves, which would leave no solution).

    Lexicographic, in two runs: first as many items placed as possible (hinted with where they were), then, with
    exactly those placed, the soft goals, starting from the first run's solution (or from a start decided rooms
    first, `_rooms_first`, when there is time for it). The objective and bound reported are the second run's;
    `first_solution_seconds` is when the first complete placement was found.
    `deterministic`: one worker, and the time limit counted in the solver's deterministic work units rather than
    seconds, so that the same problem gives the same schedule on any machine (the demo, the tests); neither the
    floors (`bounds`) nor the rooms-first start are used then."""
    return _solve(problem, time_limit, workers, seed, deterministic, helpers=not deterministic)


def _solve(problem: Problem, time_limit: float, workers: int, seed: int, deterministic: bool, *,
           helpers: bool) -> Result:
    """`solve`; `helpers`: with the floors and the rooms-first start (not where results must repeat, nor inside
    the rooms-first start itself)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    step = _step(problem)
    items = {i.id: i for i in problem.items}
    spaces = {s.id: s for s in problem.spaces}
    greedy = _greedy(problem, step)
    if any(problem.weights.values()) and not problem.previous:  # solving again: where they were is the start
        hard: tuple[int, ...] = ()
        for spread in (True, False):  # what it could not place goes first the next time
            better = _greedy(problem, step, cheap=True, first=hard, spread=spread)
            if len(better) >= len(greedy):
                greedy = better
                break
            hard += tuple(i for i in greedy if i not in better and i not in hard)
    first_run = _build(problem, step, only=None, soft=False, hints=greedy)
    if deterministic:
        workers = 1
    unplaced = dict(first_run.unplaced)
    if set(first_run.start) <= set(greedy) | set(problem.fixed):
        # the quick placement placed every session that can be: nothing to prove, all time to the soft goals
        status, first_at = cp_model.OPTIMAL, time.perf_counter() - started
        found = {i: where for i, where in greedy.items() if i in first_run.start}
    else:
        solver, status, first_at = _run(first_run, time_limit * 0.4, workers, seed, started, deterministic)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            unplaced.update({i: "no_slot" for i in first_run.start if i not in problem.fixed})
            return Result({}, unplaced, "infeasible" if status == cp_model.INFEASIBLE else "unknown", None, None,
                          time.perf_counter() - started, None, [])
        found = _values(first_run, solver, step)
    unplaced.update({i: "no_slot" for i in first_run.start if i not in found})
    status_name, objective, bound = "optimal" if status == cp_model.OPTIMAL else "feasible", None, None
    remaining = time_limit * 0.6 if deterministic else time_limit - (time.perf_counter() - started)
    if any(problem.weights.values()) and remaining > 0.2:
        floor = None
        if helpers and remaining > 1:  # SCIP has no deterministic time limit: not where results must repeat
            from . import bounds

            floor = bounds.floors(problem, step, set(found), time_limit=remaining * FLOOR_SHARE, workers=workers,
                                  seed=seed)
            remaining = time_limit - (time.perf_counter() - started)
            if not problem.previous and remaining >= ROOMS_FIRST_FROM:  # solving again: where they were is the start
                found = _rooms_first(problem, step, found, remaining * ROOMS_FIRST_SHARE, workers, seed) or found
                remaining = time_limit - (time.perf_counter() - started)
        second = _build(problem, step, only=set(found), soft=True, hints={**problem.previous, **found})
        # CP-SAT stops within RELATIVE_GAP of its own bound; this stops it as near the floors
        stop_at = floor.total * (1 + RELATIVE_GAP) if floor else None
        solver2, status2, _ = _run(second, max(0.1, remaining), workers, seed, started, deterministic, stop_at)
        if status2 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # no time left to weigh the soft goals
            status_name = "feasible"
        else:
            found = _values(second, solver2, step)
            status_name = "optimal" if status2 == cp_model.OPTIMAL and status == cp_model.OPTIMAL else "feasible"
            objective, bound = solver2.objective_value, solver2.best_objective_bound
            if floor is not None:  # as CP-SAT answers "optimal" within RELATIVE_GAP of its own bound
                bound = max(bound, floor.total)
                if status == cp_model.OPTIMAL and objective <= stop_at:
                    status_name = "optimal"
    else:
        objective = bound = 0.0
    placements = _lanes({i: (r, st, 0) for i, (r, st) in found.items()}, items, spaces, problem.changeover)
    moved = sorted(i for i, (r, st, _lane) in placements.items()
                   if i in problem.previous and problem.previous[i] != (r, st))
    return Result(placements, unplaced, status_name, objective, bound, time.perf_counter() - started, first_at,
                  moved)


def _rooms_first(problem: Problem, step: int, found: dict[int, tuple[int, int]], time_limit: float, workers: int,
                 seed: int) -> dict[int, tuple[int, int]] | None:
    """A start for the soft goals, decided rooms first: each session of `found` in the room the rooms relaxation
    finds cheap (`bounds.cheap_rooms`, a third of the time), then the times with those rooms, weighed by every soft
    goal (the rest). None unless every session of `found` is placed so.

    The search from the first placement improves the rooms slowly, as moving a session to another room means
    finding it a time there as well; this start has good rooms from the outset, and the search goes on from it
    with every room open again. On the demo the schedule reaches the optimum (682) with a limit of 8 s, where it
    took 10–30 s before; with 30 s, 120 sessions cost 2,098–2,105 instead of 2,112–2,137, and 240 sessions
    5,215–5,483 instead of 5,516–5,561 (single runs, see BENCHMARKS.md)."""
    import dataclasses

    from . import bounds

    started = time.perf_counter()
    rooms = bounds.cheap_rooms(problem, step, set(found), time_limit=time_limit / 3, workers=workers)
    if rooms is None or not set(found) <= set(rooms) | set(problem.fixed):
        return None
    narrowed = dataclasses.replace(problem, items=[
        i if i.id in problem.fixed else dataclasses.replace(i, rooms=(rooms[i.id],))
        for i in problem.items if i.id in found])
    left = time_limit - (time.perf_counter() - started)
    result = _solve(narrowed, max(0.1, left), workers, seed, False, helpers=False)
    out = {i: (room_id, st) for i, (room_id, st, _lane) in result.placements.items()}
    return out if set(out) == set(found) and result.objective is not None else None


def _lanes(placements: dict[int, tuple[int, int, int]], items: dict[int, Item], spaces: dict[int, Space],
           changeover: int) -> dict[int, tuple[int, int, int]]:
    """Give each session in an exhibition space a stand that is free while it runs (earliest first)."""
    out = dict(placements)
    by_room: dict[int, list[int]] = defaultdict(list)
    for item_id, (room_id, _st, _lane) in placements.items():
        if spaces[room_id].parallel > 1:
            by_room[room_id].append(item_id)
    for room_id, ids in by_room.items():
        free_at = [-(10**9)] * spaces[room_id].parallel
        for item_id in sorted(ids, key=lambda i: (placements[i][1], i)):
            st = placements[item_id][1]
            lane = next((k for k, t in enumerate(free_at) if t <= st), 0)
            free_at[lane] = st + items[item_id].minutes + changeover
            out[item_id] = (room_id, st, lane)
    return out
