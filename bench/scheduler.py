"""The automatic scheduler (`python -m bench.scheduler [--quick]`): the demo event and generated events of 120 sessions
in 8 rooms and 240 in 16, each solved in a process of its own: time to the first complete placement, to the end (the
proven optimum, or the gap at the time limit), peak memory; and a re-solve after one cancellation, which must move
nothing. Numbers are printed, never asserted.

Targets on the 2-core machine: the demo optimal in under 2 s; 240 sessions feasible in under 10 s and within 1 % of
optimal in under 30 s; a re-solve after one cancellation under 2 s. `--quick` (CI) runs the demo and 60 sessions
with short limits, to show the bench still runs.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
from datetime import UTC, datetime

from review_app.schedule import solver
from review_app.schedule.instances import generate

from . import scratch

WORKERS = 2
SEED = 1


def demo_problem() -> solver.Problem:
    """The Smart City Days demo's programme as the scheduler sees it (seeded into a temporary database)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from review_app import create_app
    from review_app.db import db
    from review_app.demo import DEMO_SLUG, seed_demo
    from review_app.events.models import Event
    from review_app.schedule.autoschedule import problem_of
    from review_app.schedule.queries import load

    url = "sqlite:///" + str(scratch("bench-scheduler-") / "demo.sqlite")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "PASSWORD_HASHING": "fast", "MAIL_SUPPRESS_SEND": True})
    with app.app_context():
        upgrade()
        seed_demo(now=datetime(2026, 11, 29, 12, tzinfo=UTC))
        event = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
        problem, _origin = problem_of(load(event), keep_placed=False)
    problem.previous, problem.fixed = {}, {}
    return problem


def _run(problem: solver.Problem, limit: float, queue) -> None:
    result = solver.solve(problem, time_limit=limit, workers=WORKERS, seed=SEED)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((result, peak_mb))


def measure(problem: solver.Problem, limit: float) -> tuple[solver.Result, float]:
    """Solve in a fresh process, so that its peak memory is the solver's alone."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    process = ctx.Process(target=_run, args=(problem, limit, queue))
    process.start()
    result, peak = queue.get()
    process.join()
    return result, peak


def resolve_after_cancellation(problem: solver.Problem, first: solver.Result, limit: float, *,
                               keep: bool) -> solver.Result:
    """Cancel one placed session and solve again from where everything was: nothing else needs to move. `keep`: as
    the committee's "keep the sessions already placed" (they are fixed); otherwise they may move, at the cost of the
    stability weight."""
    gone = min(first.placements)
    where = {i: (room, start) for i, (room, start, _lane) in first.placements.items() if i != gone}
    again = solver.Problem(
        items=[i for i in problem.items if i.id != gone], spaces=problem.spaces, busy=problem.busy,
        fixed=where if keep else {}, previous={} if keep else where, travel=problem.travel,
        changeover=problem.changeover, weights=problem.weights)
    return solver.solve(again, time_limit=limit, workers=WORKERS, seed=SEED)


def row(label: str, n: int, result: solver.Result, peak: float | None) -> dict:
    figures = {"case": label, "sessions": n, "placed": len(result.placements), "unplaced": len(result.unplaced),
               "status": result.status, "first_s": result.first_solution_seconds, "total_s": result.seconds,
               "objective": result.objective, "bound": result.bound, "gap": result.gap, "peak_mb": peak,
               "moved": len(result.moved)}
    gap = "–" if result.gap is None else f"{result.gap * 100:.1f} %"
    first = "–" if result.first_solution_seconds is None else f"{result.first_solution_seconds:.2f}"
    objective = "–" if result.objective is None else f"{result.objective:.1f}"
    bound = "–" if result.bound is None else f"{result.bound:.1f}"
    print(f"{label:<34}{n:>6}{len(result.placements):>8}{first:>10}{result.seconds:>9.2f}  {result.status:<9}"
          f"{objective:>10}{bound:>10}{gap:>9}{'–' if peak is None else f'{peak:.0f}':>9}{len(result.moved):>7}")
    return figures


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="python -m bench.scheduler", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the demo and 60 sessions, short limits (CI)")
    parser.add_argument("--runs", type=int, default=1, help="solve each case this many times (timings vary)")
    parser.add_argument("--limit", type=float, default=None, help="the time limit per case in seconds (30)")
    parser.add_argument("--cases", default="demo,120,240", help="which of demo,120,240 (default: all)")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    quick, wanted = args.quick, set(args.cases.split(","))
    limit = args.limit or (10 if quick else 30)
    cases = [("demo (Smart City Days 2025)", demo_problem, limit)] if "demo" in wanted or quick else []
    if quick:
        cases.append(("generated, 6 rooms", lambda: generate(60, 6), min(limit, 5)))
    else:
        if "120" in wanted:
            cases.append(("generated, 8 rooms", lambda: generate(120, 8), limit))
        if "240" in wanted:
            cases.append(("generated, 16 rooms", lambda: generate(240, 16), limit))
    print(f"{'case':<34}{'n':>6}{'placed':>8}{'first s':>10}{'total s':>9}  {'status':<9}{'objective':>10}"
          f"{'bound':>10}{'gap':>9}{'peak MB':>9}{'moved':>7}")
    figures = []
    for label, build, case_limit in cases:
        problem = build()
        for _run_number in range(args.runs):
            result, peak = measure(problem, case_limit)
            figures.append(row(label, len(problem.items), result, peak))
            if result.placements:
                for keep, what in ((True, "keeping the placed"), (False, "free, stability weighted")):
                    again = resolve_after_cancellation(problem, result, 2 if quick else 5, keep=keep)
                    figures.append(row(f"  re-solve, one cancelled, {what}", len(problem.items) - 1, again, None))
    return figures


if __name__ == "__main__":
    main()
