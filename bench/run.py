"""Page timings and SQL query counts for growing numbers of proposals (`make bench`).

Not part of the test suite: numbers are printed, never asserted. BENCH_DATABASE_URL selects the database
(default: a temporary SQLite file).
"""
from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import event as sa_event

from review_app import create_app
from review_app.accounts.models import OrganisationType, User
from review_app.accounts.services import hash_password, start_session
from review_app.cfp.models import Availability, Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.events.models import Event, EventRole, Role, SessionFormat, Theme

from . import scratch

SIZES = (10, 100, 1000)
NOW = datetime(2024, 11, 1, 12, tzinfo=UTC)


def build(size: int) -> tuple[int, int]:
    """One event with `size` proposals by one speaker; returns (speaker id, committee id)."""
    event = Event(slug=f"bench-{size}", name=f"Bench {size}", starts_on=datetime(2025, 2, 5).date(),
                  ends_on=datetime(2025, 2, 6).date(), timezone="Europe/Berlin",
                  cfp_opens_at=NOW - timedelta(days=30), cfp_closes_at=NOW + timedelta(days=30),
                  review_opens_at=NOW + timedelta(days=31), review_closes_at=NOW + timedelta(days=60))
    fmt = SessionFormat(name_de="Vortrag", name_en="Talk", default_minutes=30)
    theme = Theme(name_de="Daten", name_en="Data", colour="#005a9c")
    password = hash_password("bench password 1")
    speaker = User(email=f"speaker@city{size}.bench.invalid", name="Speaker", password_hash=password,
                   organisation_type=OrganisationType.city, email_confirmed_at=NOW)
    chair = User(email=f"chair@committee{size}.bench.invalid", name="Chair", password_hash=password,
                 organisation_type=OrganisationType.city, email_confirmed_at=NOW)
    db.session.add_all([event, speaker, chair])
    db.session.flush()
    fmt.event_id = theme.event_id = event.id
    db.session.add_all([fmt, theme, EventRole(event_id=event.id, user_id=chair.id, role=Role.committee),
                        Availability(event_id=event.id, user_id=speaker.id, day=event.starts_on, starts=clock_time(9),
                                     ends=clock_time(11))])
    db.session.flush()
    for i in range(size):
        proposal = Proposal(event_id=event.id, state=ProposalState.submitted, title=f"Proposal {i}",
                            abstract="Abstract", description="Text", format_id=fmt.id, main_theme_id=theme.id,
                            submitted_at=NOW)
        proposal.speakers.append(ProposalSpeaker(user_id=speaker.id, is_submitter=True))
        db.session.add(proposal)
    db.session.commit()
    return speaker.id, chair.id


def measure(app, client, path: str, rounds: int = 5) -> tuple[float, int]:
    queries = []

    def count(*_args, **_kwargs):
        queries.append(1)

    timings = []
    with app.app_context():
        engine = db.engine
    for _ in range(rounds):
        queries.clear()
        sa_event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - start)
        sa_event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings) * 1000, len(queries)


def logged_in_client(app, user_id: int):
    with app.app_context():
        user = db.session.get(User, user_id)
        token = start_session(user, now=datetime.now(UTC))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def committee_pages(sizes=SIZES) -> dict:
    url = os.environ.get("BENCH_DATABASE_URL") or "sqlite:///" + str(scratch("bench-run-") / "bench.sqlite")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False, "PASSWORD_HASHING": "fast", "CLOCK": lambda: NOW})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    figures: dict = {}
    print(f"{'page':<38}{'proposals':>10}{'median ms':>12}{'queries':>9}")
    for size in sizes:
        with app.app_context():
            speaker_id, chair_id = build(size)
        speaker = logged_in_client(app, speaker_id)
        chair = logged_in_client(app, chair_id)
        for label, client, path in [("speaker dashboard", speaker, "/dashboard"),
                                    ("committee proposal list", chair, f"/events/bench-{size}/manage/proposals"),
                                    ("call for sessions page", speaker, f"/events/bench-{size}/")]:
            ms, queries = measure(app, client, path)
            figures.setdefault(label, {})[size] = {"median_ms": round(ms, 2), "queries": queries}
            print(f"{label:<38}{size:>10}{ms:>12.1f}{queries:>9}")
    return figures


def step(results: dict, name: str, call) -> None:
    """Run one benchmark; a failure is recorded and the others still run."""
    print(f"\n== {name}")
    started = time.perf_counter()
    try:
        results[name] = {"figures": call()}
    except Exception as err:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
        import traceback

        traceback.print_exc()
        results[name] = {"error": f"{type(err).__name__}: {err}"}
    results[name]["seconds"] = round(time.perf_counter() - started, 1)


def main(argv: list[str] | None = None) -> dict:
    """Every benchmark under bench/; --smoke: each at its smallest size once, quickly, nothing judged."""
    import importlib.util
    import json
    import sys
    from pathlib import Path

    args = argv if argv is not None else sys.argv[1:]
    smoke = "--smoke" in args
    from . import assignment, pages, public, ranking, scheduler

    results: dict = {}
    step(results, "committee pages (bench/run.py)", lambda: committee_pages(SIZES[:1] if smoke else SIZES))
    step(results, "reviewer assignment (bench/assignment.py)",
         lambda: assignment.main(["--sizes", "20x5"] if smoke else ["--sizes", "200x30,2000x200"]))
    step(results, "ranking page (bench/ranking.py)", ranking.main)
    step(results, "automatic scheduler (bench/scheduler.py)",
         lambda: scheduler.main(["--quick", "--limit", "2"] if smoke else []))
    step(results, "public programme (bench/public.py)",
         lambda: public.main(["--sessions", "60", "--seconds", "1"]) if smoke else
         {n: public.main(["--sessions", str(n), "--seconds", "3"]) for n in (60, 240, 1000)})
    step(results, "pages at S, M, L (bench/pages.py)",
         lambda: pages.run(("S",), smoke=True) if smoke else pages.run(("S", "M", "L"), seconds=3))
    if importlib.util.find_spec("bench.load") is None:
        print("\n== load test: bench/load.py does not exist (yet); skipped")
        results["load test (bench/load.py)"] = {"skipped": "bench/load.py does not exist"}
    else:
        load = importlib.import_module("bench.load")
        step(results, "load test (bench/load.py)", lambda: load.run(smoke=smoke))
    if not smoke:
        out = Path(__file__).resolve().parent / "results"
        out.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        (out / f"{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
        (out / f"{stamp}.md").write_text(markdown(results))
        print(f"\nwrote bench/results/{stamp}.json and .md")
    failed = [name for name, r in results.items() if "error" in r]
    if failed:
        print("\nFAILED: " + ", ".join(failed))
        raise SystemExit(1)
    return results


def markdown(results: dict) -> str:
    """The pages table and each benchmark's duration, for BENCHMARKS.md."""
    lines = ["| benchmark | seconds | result |", "|---|---:|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r.get('seconds', '')} | {r.get('error') or r.get('skipped') or 'ok'} |")
    pages = results.get("pages at S, M, L (bench/pages.py)", {}).get("figures")
    if pages:
        lines += ["", "| page | size | queries | median ms | p95 ms | req/s |", "|---|---|---:|---:|---:|---:|"]
        for size, entry in pages["sizes"].items():
            for label, f in entry["pages"].items():
                lines.append(f"| {label} | {size} | {f['queries']} | {f.get('median_ms', '')} | "
                             f"{f.get('p95_ms', '')} | {round(f['rps']) if 'rps' in f else ''} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
