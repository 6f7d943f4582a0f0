"""Automatic reviewer assignment: who may review what, how well they fit, and a min-cost flow that covers each
proposal k times with balanced loads. Pure: no database, no Flask; the review services feed it plain values.

Eligible pair (reviewer r, proposal p), checked before any affinity counts:
- no conflict: neither in `conflicts` nor a "conflict" bid;
- if r is limited to themes, p's main theme is among them (a proposal without themes is outside every limit);
- if r lists languages, p's language is among them (a reviewer who lists none reviews in any language);
- not already assigned (existing pairs are kept as they are, even if now conflicted, and count towards k and
  towards r's load).

Affinity of an eligible pair, an integer:
  +3  p's main theme is among r's expert themes
  +1  at least one of p's other themes is among r's expert themes
  +2  r lists p's language
  +3 / +1 / -3  r's bid on p is eager / willing / rather_not (no bid: 0)

The flow: source -> proposal (capacity k - reviews it has) -> reviewer (capacity 1, cost -AFFINITY_SCALE * affinity,
eligible pairs only) -> sink, where a reviewer's n-th review (existing ones included) is a unit arc of cost n: a
convex load penalty under which one affinity point outweighs a load difference of up to AFFINITY_SCALE reviews.
OR-Tools finds the maximum flow (as many reviews as the constraints allow) and, among those, the least cost.
A second solve without the load penalty gives the best affinity reachable, so callers can report the share kept.

Speed: a complete graph of 2,000 x 200 pairs takes the solver about a second, so by default only a shortlist of
pairs enters it: each proposal's `shortlist` best reviewers and each reviewer's best 2 x (free places) proposals
(by affinity; ties broken by a fixed hash so that they spread over reviewers). The number of reviews is never
traded for speed: when the shortlist leaves a proposal short and a maximum flow over all pairs would do better,
the solve is repeated over all pairs. Affinity may in rare cases be a little below the optimum over all pairs;
`shortlist=None` solves over all pairs (exact).
"""
from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # imported where it is used: a web worker that never assigns skips its 0.1 s at start
    import numpy as np


Bid = Literal["eager", "willing", "rather_not", "conflict"]
Reason = Literal["no_eligible_reviewer", "all_conflicted", "too_few_eligible", "load_cap"]

MAIN_THEME, OTHER_THEME, LANGUAGE = 3, 1, 2
BID_AFFINITY: dict[str, int] = {"eager": 3, "willing": 1, "rather_not": -3, "conflict": 0}
AFFINITY_SCALE = 2
REVIEWER_SHORTLIST = 2  # times a reviewer's free places


@dataclass(frozen=True)
class Proposal:
    id: int
    theme_ids: tuple[int, ...] = ()  # the main theme first
    language: str = ""
    extra_reviews: int = 0  # reviews counted towards k that are NOT among the `existing` pairs


@dataclass(frozen=True)
class Reviewer:
    id: int
    cap: int  # the most reviews this reviewer takes, existing ones included
    extra_load: int = 0  # assignments counted towards the cap that are NOT among the `existing` pairs
    limited_to_themes: frozenset[int] | None = None  # None: any theme
    expert_themes: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()  # empty: any language, without the language bonus


@dataclass(frozen=True)
class Shortfall:
    """A proposal that gets fewer than k reviews, and why."""

    proposal_id: int
    missing: int
    reason: Reason
    eligible: int  # reviewers eligible without conflict and not yet assigned to it

    def describe(self) -> str:
        if self.reason == "no_eligible_reviewer":
            return "no eligible reviewer (themes, languages)"
        if self.reason == "all_conflicted":
            return "no eligible reviewer without conflict"
        if self.reason == "too_few_eligible":
            return f"only {self.eligible} eligible reviewer{'s' if self.eligible != 1 else ''} without conflict"
        return "eligible reviewers are at their load cap"


@dataclass(frozen=True)
class Result:
    pairs: tuple[tuple[int, int], ...]  # new (reviewer_id, proposal_id), sorted
    shortfalls: tuple[Shortfall, ...]  # sorted by proposal id
    affinity: int  # total affinity of the new pairs
    optimal_affinity: int  # the most the same number of new pairs could reach over the same pairs, loads ignored
    seconds: float

    @property
    def affinity_share(self) -> float:
        """The share of the optimal affinity kept by balancing loads (1.0 when the optimum is not positive)."""
        return self.affinity / self.optimal_affinity if self.optimal_affinity > 0 else 1.0


def assign(proposals: Iterable[Proposal], reviewers: Iterable[Reviewer], *,
           conflicts: Collection[tuple[int, int]] = frozenset(), bids: Mapping[tuple[int, int], str] | None = None,
           existing: Iterable[tuple[int, int]] = (), k: int = 3, shortlist: int | None = 20) -> Result:
    """New (reviewer_id, proposal_id) pairs bringing each proposal to k reviews; deterministic for equal input.

    `conflicts`, `bids` and `existing` are keyed (reviewer_id, proposal_id); ids unknown to this run are ignored,
    except that an existing pair still counts for the side that is known. `shortlist`: see the module docstring.
    """
    import numpy as np
    start = time.perf_counter()
    props = sorted(proposals, key=lambda p: p.id)
    revs = sorted(reviewers, key=lambda r: r.id)
    bids = bids or {}
    p_at = {p.id: i for i, p in enumerate(props)}
    r_at = {r.id: j for j, r in enumerate(revs)}

    affinity, eligible = _fit(props, revs)
    existing = set(existing)
    need = np.array([k - p.extra_reviews for p in props], dtype=np.int64)
    load = np.array([r.extra_load for r in revs], dtype=np.int64)
    need -= np.bincount([p_at[p_id] for _, p_id in existing if p_id in p_at], minlength=len(props)).astype(np.int64)
    load += np.bincount([r_at[r_id] for r_id, _ in existing if r_id in r_at], minlength=len(revs)).astype(np.int64)
    need = np.maximum(need, 0)
    room = np.maximum(np.array([r.cap for r in revs], dtype=np.int64) - load, 0)
    assigned = np.zeros_like(eligible)
    assigned[_cells(existing, p_at, r_at)] = True
    blocked = np.zeros_like(eligible)
    blocked[_cells(set(conflicts) | {pair for pair, bid in bids.items() if bid == "conflict"}, p_at, r_at)] = True
    known_bids = {pair: bid for pair, bid in bids.items() if pair[0] in r_at and pair[1] in p_at}
    affinity[_cells(known_bids, p_at, r_at)] += np.array([BID_AFFINITY[b] for b in known_bids.values()], dtype=np.int64)
    candidate = eligible & ~blocked & ~assigned
    available = candidate.sum(axis=1)

    rows, cols = np.nonzero(_shortlist(candidate, affinity, room, shortlist))
    chosen = _solve(need, room, load, rows, cols, affinity[rows, cols], balanced=True)
    flow = int(chosen.sum())
    if flow < np.minimum(need, available).sum() and len(rows) < available.sum() \
            and flow < _max_flow(need, room, *np.nonzero(candidate)):
        rows, cols = np.nonzero(candidate)  # the shortlist cost reviews: solve over all pairs
        chosen = _solve(need, room, load, rows, cols, affinity[rows, cols], balanced=True)
    best = _solve(need, room, load, rows, cols, affinity[rows, cols], balanced=False)

    got = np.bincount(rows[chosen], minlength=len(props))
    allowed = (eligible & ~assigned).sum(axis=1)
    shortfalls = []
    for i in np.nonzero(got < need)[0]:
        reason: Reason
        if available[i] == 0:
            reason = "all_conflicted" if allowed[i] else "no_eligible_reviewer"
        elif available[i] < need[i]:
            reason = "too_few_eligible"
        else:  # a maximum flow leaves no eligible reviewer with room unused beside an uncovered proposal
            reason = "load_cap"
        shortfalls.append(Shortfall(props[i].id, int(need[i] - got[i]), reason, int(available[i])))
    r_ids, p_ids = np.array([r.id for r in revs]), np.array([p.id for p in props])
    pairs = sorted(zip(r_ids[cols[chosen]].tolist(), p_ids[rows[chosen]].tolist(), strict=True))
    return Result(tuple(pairs), tuple(shortfalls), int(affinity[rows[chosen], cols[chosen]].sum()),
                  int(affinity[rows[best], cols[best]].sum()), time.perf_counter() - start)


def _cells(pairs: Iterable[tuple[int, int]], p_at: dict[int, int], r_at: dict[int, int]) -> tuple[np.ndarray, ...]:
    """(proposal indices, reviewer indices) of the (reviewer_id, proposal_id) pairs known to this run, in order."""
    import numpy as np
    known = [(p_at[p_id], r_at[r_id]) for r_id, p_id in pairs if p_id in p_at and r_id in r_at]
    return tuple(np.array(known, dtype=np.intp).reshape(-1, 2).T)


def _fit(props: list[Proposal], revs: list[Reviewer]) -> tuple[np.ndarray, np.ndarray]:
    """Affinity without bids and eligibility without conflicts, both proposals x reviewers."""
    import numpy as np
    theme_at = {t: n for n, t in enumerate(sorted({t for p in props for t in p.theme_ids}))}
    no_theme = len(theme_at)  # a column no reviewer knows and only unlimited reviewers may take
    main = np.array([theme_at[p.theme_ids[0]] if p.theme_ids else no_theme for p in props], dtype=np.intp)
    others = np.zeros((len(props), no_theme + 1), dtype=np.int32)
    for i, p in enumerate(props):
        for t in p.theme_ids[1:]:
            others[i, theme_at[t]] = 1
    expert = np.zeros((len(revs), no_theme + 1), dtype=np.int32)
    allowed = np.ones((len(revs), no_theme + 1), dtype=bool)
    for j, r in enumerate(revs):
        expert[j, [theme_at[t] for t in r.expert_themes if t in theme_at]] = 1
        if r.limited_to_themes is not None:
            allowed[j] = False
            allowed[j, [theme_at[t] for t in r.limited_to_themes if t in theme_at]] = True
    language_at = {lang: n for n, lang in enumerate(sorted({p.language for p in props}))}
    language = np.array([language_at[p.language] for p in props], dtype=np.intp)
    reads = np.zeros((len(revs), len(language_at)), dtype=bool)
    for j, r in enumerate(revs):
        reads[j, [language_at[lang] for lang in r.languages if lang in language_at]] = True
    lists_any = np.array([bool(r.languages) for r in revs], dtype=bool)

    reads_p = reads[:, language].T  # proposals x reviewers
    affinity = (MAIN_THEME * expert[:, main].T + OTHER_THEME * ((others @ expert.T) > 0)
                + LANGUAGE * reads_p).astype(np.int64)
    eligible = allowed[:, main].T & (reads_p | ~lists_any)
    return affinity, eligible


def _shortlist(candidate: np.ndarray, affinity: np.ndarray, room: np.ndarray,
               per_proposal: int | None) -> np.ndarray:
    """The candidate pairs among each proposal's best `per_proposal` and each reviewer's best 2 x room."""
    import numpy as np
    n_p, n_r = candidate.shape
    if per_proposal is None or per_proposal >= n_r or candidate.size == 0:
        return candidate
    tie = (np.arange(n_p)[:, None] * 7919 + np.arange(n_r)[None, :] * 104729) % 1009
    score = np.where(candidate, -affinity * 1024 + tie, np.iinfo(np.int64).max)  # lower is better
    kth = max(per_proposal, 1) - 1
    best_of_proposal = score <= np.partition(score, kth, axis=1)[:, kth:kth + 1]
    last = np.minimum(REVIEWER_SHORTLIST * room, n_p) - 1
    threshold = np.take_along_axis(np.sort(score, axis=0), np.maximum(last, 0)[None, :], axis=0)
    best_of_reviewer = (score <= threshold) & (last >= 0)[None, :]
    return candidate & (best_of_proposal | best_of_reviewer)


def _max_flow(need: np.ndarray, room: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> int:
    """The most reviews any assignment over these pairs can make."""
    import numpy as np
    from ortools.graph.python.max_flow import SimpleMaxFlow  # imported when used: see schedule.solver

    n_p, n_r = len(need), len(room)
    source, sink = n_p + n_r, n_p + n_r + 1
    flow = SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        np.concatenate([np.full(n_p, source), rows, n_p + np.arange(n_r)]).astype(np.int32),
        np.concatenate([np.arange(n_p), n_p + cols, np.full(n_r, sink)]).astype(np.int32),
        np.concatenate([need, np.ones(len(rows), dtype=np.int64), room]).astype(np.int64))
    if flow.solve(source, sink) != SimpleMaxFlow.OPTIMAL:
        raise RuntimeError("max flow failed")
    return int(flow.optimal_flow())


def _solve(need: np.ndarray, room: np.ndarray, load: np.ndarray, rows: np.ndarray, cols: np.ndarray,
           gain: np.ndarray, *, balanced: bool) -> np.ndarray:
    """Which candidate pairs carry flow in a maximum flow of least cost, as a boolean mask over the pairs."""
    import numpy as np
    from ortools.graph.python.min_cost_flow import SimpleMinCostFlow  # imported when used: see schedule.solver

    n_p, n_r = len(need), len(room)
    source, sink = n_p + n_r, n_p + n_r + 1
    # a reviewer never takes more than the pairs open to them, which keeps unit arcs few when caps are generous
    units = np.minimum(room, np.bincount(cols, minlength=n_r))
    if balanced:
        owner = np.repeat(np.arange(n_r), units)
        nth = np.arange(len(owner)) - np.repeat(np.cumsum(units) - units, units) + load[owner] + 1
        out_tail, out_cap, out_cost = owner, np.ones(len(owner), dtype=np.int64), nth
    else:
        out_tail, out_cap, out_cost = np.arange(n_r), units, np.zeros(n_r, dtype=np.int64)
    tails = np.concatenate([np.full(n_p, source), rows, n_p + out_tail]).astype(np.int32)
    heads = np.concatenate([np.arange(n_p), n_p + cols, np.full(len(out_tail), sink)]).astype(np.int32)
    capacities = np.concatenate([need, np.ones(len(rows), dtype=np.int64), out_cap]).astype(np.int64)
    # every unit of flow crosses one pair arc, so shifting their costs to be non-negative keeps the optimum
    pair_cost = AFFINITY_SCALE * ((gain.max() if len(gain) else 0) - gain)
    costs = np.concatenate([np.zeros(n_p, dtype=np.int64), pair_cost, out_cost]).astype(np.int64)
    flow = SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    total = int(need.sum())
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve_max_flow_with_min_cost()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    pair_arcs = np.asarray(arcs)[n_p:n_p + len(rows)].astype(np.int32)
    return np.asarray(flow.flows(pair_arcs)) > 0
