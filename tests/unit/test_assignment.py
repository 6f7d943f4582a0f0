"""The automatic reviewer assignment, checked against rules and a maximum flow written out independently here."""
from __future__ import annotations

import itertools
import random
from collections import Counter, deque

import pytest

from review_app.review import assignment
from review_app.review.assignment import Proposal, Result, Reviewer, assign

# -- the rules again, written from the issue, not from the module ------------------------------------------------


def is_eligible(r: Reviewer, p: Proposal, conflicts, bids) -> bool:
    if (r.id, p.id) in conflicts or bids.get((r.id, p.id)) == "conflict":
        return False
    if r.limited_to_themes is not None and (not p.theme_ids or p.theme_ids[0] not in r.limited_to_themes):
        return False
    return not r.languages or p.language in r.languages


def affinity(r: Reviewer, p: Proposal, bids) -> int:
    score = 3 if p.theme_ids and p.theme_ids[0] in r.expert_themes else 0
    score += 1 if set(p.theme_ids[1:]) & r.expert_themes else 0
    score += 2 if p.language in r.languages else 0
    return score + {"eager": 3, "willing": 1, "rather_not": -3}.get(bids.get((r.id, p.id)), 0)


def instance_needs(proposals, reviewers, existing, k):
    need = {p.id: max(0, k - p.extra_reviews - sum(1 for _, pid in existing if pid == p.id)) for p in proposals}
    room = {r.id: max(0, r.cap - r.extra_load - sum(1 for rid, _ in existing if rid == r.id)) for r in reviewers}
    return need, room


def candidates(proposals, reviewers, conflicts, bids, existing):
    return [(r.id, p.id) for p in proposals for r in reviewers
            if (r.id, p.id) not in existing and is_eligible(r, p, conflicts, bids)]


def max_flow(need, room, pairs) -> int:
    """Edmonds-Karp on source -> proposal -> reviewer -> sink."""
    capacity: dict[tuple, int] = Counter()
    adjacent: dict[object, set] = {}

    def arc(u, v, c):
        capacity[u, v] += c
        adjacent.setdefault(u, set()).add(v)
        adjacent.setdefault(v, set()).add(u)

    for pid, n in need.items():
        arc("s", ("p", pid), n)
    for rid, n in room.items():
        arc(("r", rid), "t", n)
    for rid, pid in pairs:
        arc(("p", pid), ("r", rid), 1)
    total = 0
    while True:
        parent = {"s": None}
        queue = deque(["s"])
        while queue and "t" not in parent:
            u = queue.popleft()
            for v in sorted(adjacent.get(u, ()), key=repr):
                if v not in parent and capacity[u, v] > 0:
                    parent[v] = u
                    queue.append(v)
        if "t" not in parent:
            return total
        v = "t"
        while parent[v] is not None:
            u = parent[v]
            capacity[u, v] -= 1
            capacity[v, u] += 1
            v = u
        total += 1


def random_instance(seed: int):
    rng = random.Random(seed)
    themes, languages = [1, 2, 3, 4], ["de", "en"]
    proposals = [Proposal(id=100 + i, theme_ids=tuple(rng.sample(themes, rng.randint(0, 3))),
                          language=rng.choice(languages), extra_reviews=rng.choice([0, 0, 0, 1]))
                 for i in range(rng.randint(2, 10))]
    reviewers = [Reviewer(id=1 + j, cap=rng.randint(0, 6), extra_load=rng.choice([0, 0, 1]),
                          limited_to_themes=frozenset(rng.sample(themes, 2)) if rng.random() < 0.3 else None,
                          expert_themes=frozenset(rng.sample(themes, rng.randint(0, 2))),
                          languages=frozenset(rng.sample(languages, rng.randint(0, 2))))
                 for j in range(rng.randint(1, 7))]
    pairs = [(r.id, p.id) for r in reviewers for p in proposals]
    conflicts = {pair for pair in pairs if rng.random() < 0.15}
    bids = {pair: rng.choice(["eager", "willing", "rather_not", "conflict"]) for pair in pairs if rng.random() < 0.3}
    existing = {pair for pair in pairs if rng.random() < 0.05}
    return proposals, reviewers, conflicts, bids, existing


def check_rules(result: Result, proposals, reviewers, conflicts, bids, existing, k) -> None:
    by_id = {r.id: r for r in reviewers}
    props = {p.id: p for p in proposals}
    need, room = instance_needs(proposals, reviewers, existing, k)
    assert len(set(result.pairs)) == len(result.pairs)
    for rid, pid in result.pairs:
        assert (rid, pid) not in existing
        assert is_eligible(by_id[rid], props[pid], conflicts, bids), (rid, pid)
    assert all(n <= room[rid] for rid, n in Counter(rid for rid, _ in result.pairs).items())
    assert all(n <= need[pid] for pid, n in Counter(pid for _, pid in result.pairs).items())
    assert result.affinity == sum(affinity(by_id[rid], props[pid], bids) for rid, pid in result.pairs)


# -- the rules on constructed cases -------------------------------------------------------------------------------


def test_never_assigns_a_declared_conflict_or_a_conflict_bid():
    proposal = Proposal(id=1, theme_ids=(1,), language="de")
    reviewers = [Reviewer(id=j, cap=5) for j in (1, 2, 3, 4)]
    result = assign([proposal], reviewers, conflicts={(1, 1)}, bids={(2, 1): "conflict", (3, 1): "eager"}, k=3)
    assert result.pairs == ((3, 1), (4, 1))
    assert [(s.proposal_id, s.missing, s.reason) for s in result.shortfalls] == [(1, 1, "too_few_eligible")]


def test_respects_load_caps_counting_existing_and_extra_assignments():
    proposals = [Proposal(id=i, theme_ids=(1,), language="de") for i in range(1, 7)]
    reviewers = [Reviewer(id=1, cap=3), Reviewer(id=2, cap=3, extra_load=2), Reviewer(id=3, cap=2)]
    result = assign(proposals, reviewers, existing={(3, 6)}, k=1)
    loads = Counter(rid for rid, _ in result.pairs)
    assert loads == {1: 3, 2: 1, 3: 1}
    assert [s.proposal_id for s in result.shortfalls] == []


def test_never_assigns_outside_a_reviewers_limited_themes():
    proposals = [Proposal(id=1, theme_ids=(1, 2), language="de"), Proposal(id=2, theme_ids=(2, 1), language="de"),
                 Proposal(id=3, theme_ids=(), language="de")]
    limited = Reviewer(id=1, cap=10, limited_to_themes=frozenset({1}), expert_themes=frozenset({1, 2}))
    result = assign(proposals, [limited], bids={(1, 2): "eager", (1, 3): "eager"}, k=1)
    assert result.pairs == ((1, 1),)
    assert {s.proposal_id: s.reason for s in result.shortfalls} == {2: "no_eligible_reviewer",
                                                                    3: "no_eligible_reviewer"}


def test_a_reviewer_who_lists_languages_gets_only_those_and_one_who_lists_none_gets_any():
    proposals = [Proposal(id=1, theme_ids=(1,), language="en")]
    reviewers = [Reviewer(id=1, cap=5, languages=frozenset({"de"})), Reviewer(id=2, cap=5)]
    assert assign(proposals, reviewers, k=1).pairs == ((2, 1),)


def test_keeps_existing_assignments_and_counts_them_towards_k_and_loads():
    proposals = [Proposal(id=1, theme_ids=(1,), language="de"), Proposal(id=2, theme_ids=(1,), language="de"),
                 Proposal(id=3, theme_ids=(1,), language="de", extra_reviews=2)]
    reviewers = [Reviewer(id=j, cap=2) for j in (1, 2, 3, 4)]
    existing = {(1, 1), (2, 1), (1, 2)}  # reviewer 1 is full
    result = assign(proposals, reviewers, existing=existing, k=3)
    assert Counter(pid for _, pid in result.pairs) == {1: 1, 2: 2, 3: 1}
    assert not set(result.pairs) & existing
    assert all(rid != 1 for rid, _ in result.pairs)
    assert result.shortfalls == ()


def test_reports_each_uncoverable_proposal_with_its_reason():
    de = frozenset({"de"})
    proposals = [Proposal(id=1, theme_ids=(1,), language="en"),  # nobody reads English
                 Proposal(id=2, theme_ids=(1,), language="de"),  # the only fitting reviewers are conflicted
                 Proposal(id=3, theme_ids=(2,), language="de"),  # two reviewers may take theme 2
                 Proposal(id=4, theme_ids=(3,), language="de"),  # theme 3: three reviewers, two of them full
                 Proposal(id=5, theme_ids=(3,), language="de")]
    only = {t: frozenset({t}) for t in (1, 2, 3)}
    reviewers = [Reviewer(id=1, cap=5, languages=de, limited_to_themes=only[1]),
                 Reviewer(id=2, cap=5, languages=de, limited_to_themes=only[1]),
                 Reviewer(id=3, cap=5, languages=de, limited_to_themes=only[2]),
                 Reviewer(id=4, cap=5, languages=de, limited_to_themes=only[2]),
                 Reviewer(id=5, cap=2, languages=de, limited_to_themes=only[3]),
                 Reviewer(id=6, cap=1, languages=de, limited_to_themes=only[3]),
                 Reviewer(id=7, cap=1, languages=de, limited_to_themes=only[3], extra_load=1)]
    result = assign(proposals, reviewers, conflicts={(1, 2)}, bids={(2, 2): "conflict"}, k=3)
    report = {s.proposal_id: (s.missing, s.reason, s.describe()) for s in result.shortfalls}
    assert report == {
        1: (3, "no_eligible_reviewer", "no eligible reviewer (themes, languages)"),
        2: (3, "all_conflicted", "no eligible reviewer without conflict"),
        3: (1, "too_few_eligible", "only 2 eligible reviewers without conflict"),
        4: (report[4][0], "load_cap", "eligible reviewers are at their load cap"),
        5: (report[5][0], "load_cap", "eligible reviewers are at their load cap"),
    }
    assert report[4][0] + report[5][0] == 6 - 3  # reviewers 5 and 6 have three places in all, reviewer 7 none


# -- optimality -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("shortlist", [20, 1, None])
def test_covers_every_proposal_as_often_as_a_maximum_flow_allows(seed, shortlist):
    proposals, reviewers, conflicts, bids, existing = random_instance(seed)
    result = assign(proposals, reviewers, conflicts=conflicts, bids=bids, existing=existing, k=3,
                    shortlist=shortlist)
    check_rules(result, proposals, reviewers, conflicts, bids, existing, 3)
    need, room = instance_needs(proposals, reviewers, existing, 3)
    pairs = candidates(proposals, reviewers, conflicts, bids, existing)
    best = max_flow(need, room, pairs)
    assert len(result.pairs) == best
    assert sum(s.missing for s in result.shortfalls) == sum(need.values()) - best
    if best == sum(need.values()):
        assert result.shortfalls == ()
    load = Counter(rid for rid, _ in result.pairs)
    for shortfall in result.shortfalls:
        open_to_it = [rid for rid, pid in pairs if pid == shortfall.proposal_id]
        assert shortfall.eligible == len(open_to_it)
        if shortfall.reason == "load_cap":
            assigned = {rid for rid, pid in result.pairs if pid == shortfall.proposal_id}
            assert all(load[rid] == room[rid] for rid in open_to_it if rid not in assigned)


@pytest.mark.parametrize("seed", range(30))
def test_a_too_short_shortlist_never_costs_a_review(seed, monkeypatch):
    monkeypatch.setattr(assignment, "REVIEWER_SHORTLIST", 0)  # each proposal's single best reviewer, nothing else
    proposals, reviewers, conflicts, bids, existing = random_instance(seed)
    result = assign(proposals, reviewers, conflicts=conflicts, bids=bids, existing=existing, k=3, shortlist=1)
    check_rules(result, proposals, reviewers, conflicts, bids, existing, 3)
    need, room = instance_needs(proposals, reviewers, existing, 3)
    assert len(result.pairs) == max_flow(need, room, candidates(proposals, reviewers, conflicts, bids, existing))


@pytest.mark.parametrize("seed", range(30))
def test_reaches_the_best_affinity_among_the_largest_assignments(seed):
    rng = random.Random(1000 + seed)
    proposals, reviewers, conflicts, bids, existing = random_instance(seed)
    proposals, reviewers = proposals[:3], reviewers[:3]
    pairs = candidates(proposals, reviewers, conflicts, bids, existing)
    rng.shuffle(pairs)
    pairs = pairs[:10]  # keeps the brute force at most 2**10 subsets
    allowed = set(pairs)
    conflicts = {(r.id, p.id) for r in reviewers for p in proposals} - allowed - existing
    need, room = instance_needs(proposals, reviewers, existing, 3)
    by_id, props = {r.id: r for r in reviewers}, {p.id: p for p in proposals}
    best = (0, 0)
    for n in range(len(pairs) + 1):
        for subset in itertools.combinations(pairs, n):
            if all(c <= room[rid] for rid, c in Counter(r for r, _ in subset).items()) and \
                    all(c <= need[pid] for pid, c in Counter(p for _, p in subset).items()):
                best = max(best, (n, sum(affinity(by_id[rid], props[pid], bids) for rid, pid in subset)))
    result = assign(proposals, reviewers, conflicts=conflicts, bids=bids, existing=existing, k=3)
    assert (len(result.pairs), result.optimal_affinity) == best
    assert result.affinity <= result.optimal_affinity


def test_prefers_the_expert_who_reads_the_language_and_bid_eagerly():
    proposal = Proposal(id=1, theme_ids=(1, 2), language="de")
    reviewers = [Reviewer(id=1, cap=5), Reviewer(id=2, cap=5, expert_themes=frozenset({2})),
                 Reviewer(id=3, cap=5, expert_themes=frozenset({1}), languages=frozenset({"de"})),
                 Reviewer(id=4, cap=5, expert_themes=frozenset({1}), languages=frozenset({"de", "en"}))]
    result = assign([proposal], reviewers, bids={(1, 1): "eager", (4, 1): "rather_not"}, k=2)
    assert result.pairs == ((1, 1), (3, 1))  # 3+2 and 0+3, against 1 and 3+2-3
    assert result.affinity == result.optimal_affinity == 8


# -- balance and determinism --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n_proposals", "n_reviewers"), [(50, 7), (200, 40), (31, 30)])
def test_balances_loads_when_reviewers_are_interchangeable(n_proposals, n_reviewers):
    proposals = [Proposal(id=i, theme_ids=(1,), language="de") for i in range(n_proposals)]
    reviewers = [Reviewer(id=1000 + j, cap=n_proposals, expert_themes=frozenset({1})) for j in range(n_reviewers)]
    result = assign(proposals, reviewers, k=3)
    assert len(result.pairs) == 3 * n_proposals
    loads = Counter(rid for rid, _ in result.pairs)
    assert max(loads[r.id] for r in reviewers) - min(loads[r.id] for r in reviewers) <= 1


def test_balances_loads_including_existing_ones():
    proposals = [Proposal(id=i, theme_ids=(1,), language="de") for i in range(15)]
    reviewers = [Reviewer(id=1, cap=30, extra_load=6), *(Reviewer(id=j, cap=30) for j in (2, 3, 4))]
    loads = Counter(rid for rid, _ in assign(proposals, reviewers, k=2).pairs)
    assert loads == {1: 3, 2: 9, 3: 9, 4: 9}  # 6 + 3 = 9


def test_same_input_in_any_order_gives_the_same_assignment():
    proposals, reviewers, conflicts, bids, existing = random_instance(7)
    first = assign(proposals, reviewers, conflicts=conflicts, bids=bids, existing=existing)
    rng = random.Random(3)
    rng.shuffle(proposals)
    rng.shuffle(reviewers)
    again = assign(proposals, reviewers, conflicts=conflicts, bids=dict(reversed(list(bids.items()))),
                   existing=list(existing)[::-1])
    assert (again.pairs, again.shortfalls, again.affinity) == (first.pairs, first.shortfalls, first.affinity)


def test_handles_empty_input():
    assert assign([], []).pairs == ()
    assert [s.reason for s in assign([Proposal(id=1)], []).shortfalls] == ["no_eligible_reviewer"]
