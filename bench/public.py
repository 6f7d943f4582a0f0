"""The public programme under load (`python -m bench.public [--sessions N] [--seconds S]`): a released programme of
240 sessions (by default) served by gunicorn with one worker on loopback, measured with wrk (Debian's package): the
programme page, a session page, schedule.xml, schedule.json and schedule.ics, beside a bare Flask view returning
cached bytes (the ceiling); the SQL queries of an uncached programme page; and the time of `flask export-static`.
Numbers are printed, never asserted. wrk asks with `Accept-Encoding: gzip`, as browsers and calendar apps do (the
front door keeps a gzipped copy of each stored answer); the column "plain" asks without it.

Target on the 2-core machine at 240 sessions, once warm: each at least 2,000 requests per second (within a factor of
two of the ceiling), and the programme page at most 3 SQL queries when not cached.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from . import scratch

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
CEILING_APP = textwrap.dedent("""
    from flask import Flask, Response
    app = Flask(__name__)
    BODY = b"x" * 20000
    @app.get("/ceiling")
    def ceiling():
        return Response(BODY, mimetype="text/html")
""")


def build(url: str, sessions: int) -> str:
    """An event with `sessions` confirmed sessions in 16 rooms (more for over 256) over two days, placed and
    released; its slug."""
    from flask_migrate import upgrade

    from review_app import create_app
    from review_app.accounts.models import OrganisationType, User
    from review_app.accounts.services import hash_password
    from review_app.cfp.models import Proposal, ProposalSpeaker, ProposalState
    from review_app.db import db
    from review_app.events.models import Event, EventRole, Role, Room, SessionFormat, Theme, Venue
    from review_app.schedule import releases
    from review_app.schedule.models import ScheduleEntry

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "PASSWORD_HASHING": "fast", "MAIL_SUPPRESS_SEND": True})
    now = datetime(2025, 1, 20, 9, tzinfo=UTC)
    with app.app_context():
        upgrade()
        event = Event(slug="bench-public", name="Bench Public", starts_on=date(2025, 2, 5), ends_on=date(2025, 2, 6),
                      timezone="Europe/Berlin", cfp_opens_at=now - timedelta(days=120),
                      cfp_closes_at=now - timedelta(days=60), review_opens_at=now - timedelta(days=59),
                      review_closes_at=now - timedelta(days=30))
        chair = User(email="chair@bench-public.invalid", name="Chair", password_hash=hash_password("x" * 12),
                     organisation_type=OrganisationType.other, email_confirmed_at=now)
        db.session.add_all([event, chair])
        db.session.flush()
        db.session.add(EventRole(event_id=event.id, user_id=chair.id, role=Role.committee))
        venues = [Venue(event_id=event.id, name=f"Venue {v}", address=f"Straße {v}, Herne") for v in (1, 2)]
        fmt = SessionFormat(event_id=event.id, name_de="Vortrag", name_en="Talk", default_minutes=30)
        themes = [Theme(event_id=event.id, name_de=f"Thema {i}", name_en=f"Theme {i}", position=i) for i in range(6)]
        db.session.add_all([*venues, fmt, *themes])
        db.session.flush()
        # 16 rooms with 8 forty-minute slots a day hold 256 sessions; more take 12 slots a day and more rooms
        per_day = 8 if sessions <= 256 else 12
        n_rooms = max(16, -(-sessions // (2 * per_day)))
        rooms = [Room(event_id=event.id, venue_id=venues[r % 2].id, name=f"Raum {r}", capacity=100)
                 for r in range(n_rooms)]
        db.session.add_all(rooms)
        people = [User(email=f"s{i}@speaker{i}.invalid", name=f"Speaker {i}", password_hash=chair.password_hash,
                       organisation=f"Org {i}", city="Herne", organisation_type=OrganisationType.company,
                       email_confirmed_at=now) for i in range(sessions)]
        db.session.add_all(people)
        db.session.flush()
        for i in range(sessions):
            p = Proposal(event_id=event.id, state=ProposalState.confirmed, title=f"Session {i}: Daten für die Stadt",
                         abstract="Kurzfassung " * 10, description="Beschreibung\n\n" * 5, format_id=fmt.id,
                         main_theme_id=themes[i % 6].id, submitted_at=now - timedelta(days=70))
            p.speakers.append(ProposalSpeaker(user_id=people[i].id, is_submitter=True))
            db.session.add(p)
            db.session.flush()
            day, slot = divmod(i // n_rooms, per_day)
            start = datetime.combine(event.starts_on + timedelta(days=day % 2), clock_time(9), event.tz) + \
                timedelta(minutes=40 * slot)
            db.session.add(ScheduleEntry(event_id=event.id, proposal_id=p.id, room_id=rooms[i % n_rooms].id, lane=0,
                                         starts_at=start, ends_at=start + timedelta(minutes=30), pinned=False,
                                         updated_at=now, updated_by_id=chair.id))
        db.session.flush()
        releases.release(event, "bench", actor=chair, now=now)
        db.session.commit()
        return event.slug


def queries_of_uncached_page(url: str, slug: str) -> int:
    from sqlalchemy import event as sa_event

    from review_app import create_app
    from review_app.db import db
    from review_app.public import cache

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    client.get(f"/events/{slug}/programme/")
    cache.clear()
    count = []
    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", lambda *a, **k: count.append(1))
    client.get(f"/events/{slug}/programme/")
    return len(count)


def wrk(url: str, seconds: int, *, gzip: bool = True) -> tuple[float, float]:
    """(requests per second, median latency in ms) of wrk with 2 threads and 16 connections."""
    header = ["-H", "Accept-Encoding: gzip"] if gzip else []
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", *header, url], capture_output=True,
                         text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    value, unit = float(median.group(1)), median.group(2)
    return rps, value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def serve(app_spec: str, env: dict, cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{PORT}",
                                "--log-level", "warning", app_spec], env=env, cwd=cwd)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=1)
            return process
        except OSError as err:
            if getattr(err, "code", None):  # an HTTP answer, even a 404: the server is up
                return process
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def main(argv: list[str] | None = None) -> list[dict]:
    args = argv if argv is not None else sys.argv[1:]
    sessions = int(args[args.index("--sessions") + 1]) if "--sessions" in args else 240
    seconds = int(args[args.index("--seconds") + 1]) if "--seconds" in args else 5
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): the public pages are not measured")
        return []
    tmp = scratch("bench-public-")
    url = f"sqlite:///{tmp / 'public.sqlite'}"
    slug = build(url, sessions)
    env = {**os.environ, "REVIEW_APP_DATABASE_URL": url, "REVIEW_APP_SECRET_KEY": "bench-secret-key-" + "x" * 32,
           "REVIEW_APP_BASE_URL": f"http://127.0.0.1:{PORT}", "PYTHONPATH": str(ROOT)}
    figures = []
    print(f"{'page (' + str(sessions) + ' sessions)':<42}{'req/s':>10}{'median ms':>11}{'plain req/s':>13}"
          f"{'KB':>8}{'gzip KB':>9}")
    (tmp / "ceiling.py").write_text(CEILING_APP)
    process = serve("ceiling:app", {**env, "PYTHONPATH": str(tmp)}, tmp)
    try:
        rps, median = wrk(f"http://127.0.0.1:{PORT}/ceiling", seconds)
        figures.append({"page": "bare Flask view, cached bytes (ceiling)", "rps": rps, "median_ms": median})
        print(f"{'bare Flask view, cached bytes (ceiling)':<42}{rps:>10.0f}{median:>11.2f}")
    finally:
        process.terminate()
        process.wait()
    process = serve("wsgi:app", env, ROOT)
    try:
        session_id = 1
        for label, path in [("programme page", f"/events/{slug}/programme/"),
                            ("session page", f"/events/{slug}/programme/sessions/{session_id}/"),
                            ("schedule.xml", f"/events/{slug}/schedule.xml"),
                            ("schedule.json", f"/events/{slug}/schedule.json"),
                            ("schedule.ics", f"/events/{slug}/schedule.ics")]:
            plain_kb = len(urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}").read()) / 1024  # warm
            asked = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Accept-Encoding": "gzip"})
            gzip_kb = len(urllib.request.urlopen(asked).read()) / 1024
            rps, median = wrk(f"http://127.0.0.1:{PORT}{path}", seconds)
            plain_rps, plain_median = wrk(f"http://127.0.0.1:{PORT}{path}", max(1, seconds - 1), gzip=False)
            figures.append({"page": label, "rps": rps, "median_ms": median, "plain_rps": plain_rps,
                            "plain_median_ms": plain_median, "kb": round(plain_kb, 1), "gzip_kb": round(gzip_kb, 1)})
            print(f"{label:<42}{rps:>10.0f}{median:>11.2f}{plain_rps:>13.0f}{plain_kb:>8.1f}{gzip_kb:>9.1f}")
    finally:
        process.terminate()
        process.wait()
    queries = queries_of_uncached_page(url, slug)
    print(f"{'SQL queries of the uncached programme page':<42}{queries:>10}")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "export-static", str(tmp / "static")], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    export_s = time.perf_counter() - started
    print(f"{'flask export-static':<42}{export_s:>10.1f} s")
    figures += [{"page": "uncached programme page", "queries": queries}, {"page": "export-static", "seconds": export_s}]
    return figures


if __name__ == "__main__":
    main()
