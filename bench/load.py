"""The whole-app load test (`python -m bench.load [--size M] [--users 200] [--seconds 120] [--smoke]`): a fresh
PostgreSQL database filled by `flask bench-data`, gunicorn with 2 workers, rate limits in Redis, the outbox worker
sending to a loopback SMTP sink, and locust (headless, bench/locustfile.py) with 80 % visitors, 15 % speakers and
5 % reviewers. Reports p50/p95/p99 per request type, the error rate, the RSS of each worker after the test and the
time from gunicorn's start to its first answered request; `run()` returns them as a dict for bench/run.py.

Targets (issue 10, 2-core machine): p95 under 250 ms for page views and under 500 ms for submissions (the POSTs),
0 % errors; one worker under 200 MB RSS; the first request answered under 2 s after start.
Numbers are printed and judged against the targets, never asserted.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS_DB = 13  # a database number of its own, flushed before and after
PASSWORD = "bench password 1"
PAGE_TARGET_MS, SUBMIT_TARGET_MS, RSS_TARGET_MB, START_TARGET_S = 250, 500, 200, 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _flush_redis() -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()


# --- the data --------------------------------------------------------------------------------------------------


def _bench_data(env: dict, size: str) -> dict:
    """`flask bench-data --size SIZE`; its JSON summary (the last JSON object it prints)."""
    out = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "bench-data", "--size", size], env=env,
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"flask bench-data failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    start = out.stdout.rfind("\n{")
    text = out.stdout[start + 1:] if start >= 0 else out.stdout[out.stdout.find("{"):]
    try:
        return json.loads(text)
    except ValueError:
        return {"output": out.stdout[-2000:]}


def _stand_in(url: str, speakers: int = 40, reviewers: int = 10, sessions: int = 60) -> dict:
    """A small event in the bench-data contract, for when `flask bench-data` is not there: slug `bench`, the call
    and the review open now, speaker{i}/reviewer{i}/chair@bench.invalid with the bench password, a complete draft
    per speaker, assignments per reviewer, a released programme."""
    from review_app import create_app
    from review_app.accounts.models import OrganisationType, User
    from review_app.accounts.services import hash_password
    from review_app.cfp import services as cfp
    from review_app.cfp.models import Proposal, ProposalSpeaker, ProposalState
    from review_app.db import db
    from review_app.events.models import (
        Audience,
        Event,
        EventRole,
        ReviewCriterion,
        Role,
        Room,
        SessionFormat,
        Theme,
        Venue,
    )
    from review_app.review.models import Assignment
    from review_app.review.models import Reviewer as ReviewerRow
    from review_app.schedule import releases
    from review_app.schedule.models import ScheduleEntry

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_SUPPRESS_SEND": True})
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        start_day = (now + timedelta(days=90)).date()
        event = Event(slug="bench", name="Smart City Days (bench)", starts_on=start_day,
                      ends_on=start_day + timedelta(days=1), timezone="Europe/Berlin",
                      cfp_opens_at=now - timedelta(days=30), cfp_closes_at=now + timedelta(days=30),
                      review_opens_at=now - timedelta(days=1), review_closes_at=now + timedelta(days=40))
        digest = hash_password(PASSWORD)

        def person(email, name, i):
            return User(email=email, name=name, password_hash=digest, organisation=f"Stadt {i}", city=f"Ort {i}",
                        organisation_type=OrganisationType.city, email_confirmed_at=now)
        chair = person("chair@bench.invalid", "Chair", 0)
        people = [person(f"speaker{i}@bench.invalid", f"Speaker {i}", i) for i in range(1, speakers + 1)]
        critics = [person(f"reviewer{i}@bench.invalid", f"Reviewer {i}", 1000 + i) for i in range(1, reviewers + 1)]
        db.session.add_all([event, chair, *people, *critics])
        db.session.flush()
        venues = [Venue(event_id=event.id, name=f"Venue {v}", address=f"Straße {v}, Herne") for v in (1, 2)]
        fmt = SessionFormat(event_id=event.id, name_de="Vortrag", name_en="Talk", default_minutes=30)
        themes = [Theme(event_id=event.id, name_de=f"Thema {i}", name_en=f"Theme {i}", colour="#005a9c", position=i)
                  for i in range(4)]
        audience = Audience(event_id=event.id, name_de="Kommunen", name_en="Municipalities")
        db.session.add_all([*venues, fmt, *themes, audience,
                            ReviewCriterion(event_id=event.id, name_de="Praxisrelevanz", name_en="Practical relevance",
                                            weight=2, scale_min=1, scale_max=5),
                            EventRole(event_id=event.id, user_id=chair.id, role=Role.committee)])
        db.session.flush()
        rooms = [Room(event_id=event.id, venue_id=venues[r % 2].id, name=f"Raum {r}", capacity=100) for r in range(8)]
        db.session.add_all(rooms)
        db.session.refresh(event)
        for i, p in enumerate(people):
            cfp.create_proposal(event, cfp.ProposalData(
                title=f"Entwurf {i + 1}: Sensoren im Quartier", abstract="Wie eine Stadt Sensoren nutzt.",
                description="## Ablauf\n\nBericht.", format_id=fmt.id, main_theme_id=themes[i % 4].id, language="de",
                further_theme_ids=[], audience_ids=[audience.id], project_organisation="Stadt", project_city="Herne",
                availability=[(event.at(event.starts_on, clock_time(9)), event.at(event.starts_on, clock_time(17)))]),
                actor=p, now=now)
        rows = []
        for i in range(sessions):
            p = Proposal(event_id=event.id, state=ProposalState.confirmed, title=f"Session {i}: Daten für die Stadt",
                         abstract="Kurzfassung " * 10, description="Beschreibung\n\n" * 5, format_id=fmt.id,
                         main_theme_id=themes[i % 4].id, submitted_at=now - timedelta(days=10))
            p.speakers.append(ProposalSpeaker(user_id=people[i % speakers].id, is_submitter=True))
            db.session.add(p)
            rows.append(p)
        under_review = []
        for i in range(reviewers * 3):
            p = Proposal(event_id=event.id, state=ProposalState.under_review, title=f"Antrag {i}",
                         abstract="Kurzfassung", description="Text", format_id=fmt.id, main_theme_id=themes[0].id,
                         submitted_at=now - timedelta(days=5))
            p.speakers.append(ProposalSpeaker(user_id=people[(i + 7) % speakers].id, is_submitter=True))
            db.session.add(p)
            under_review.append(p)
        db.session.flush()
        for i, p in enumerate(rows):
            day, slot = divmod(i // 8, 8)
            start = event.at(event.starts_on + timedelta(days=day % 2), clock_time(9)) + timedelta(minutes=40 * slot)
            db.session.add(ScheduleEntry(event_id=event.id, proposal_id=p.id, room_id=rooms[i % 8].id, lane=0,
                                         starts_at=start, ends_at=start + timedelta(minutes=30), pinned=False,
                                         updated_at=now, updated_by_id=chair.id))
        reviewer_rows = [ReviewerRow(event_id=event.id, user_id=c.id) for c in critics]
        db.session.add_all(reviewer_rows)
        db.session.add_all([EventRole(event_id=event.id, user_id=c.id, role=Role.reviewer) for c in critics])
        db.session.flush()
        for i, p in enumerate(under_review):
            for k in range(3):
                db.session.add(Assignment(reviewer_id=reviewer_rows[(i + k) % reviewers].id, proposal_id=p.id,
                                          created_by_id=chair.id))
        db.session.flush()
        releases.release(event, "bench", actor=chair, now=now)
        db.session.commit()
    return {"stand_in": True, "slug": "bench", "speakers": speakers, "reviewers": reviewers, "sessions": sessions}


def _count(url: str, email_like: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute('SELECT count(*) FROM "user" WHERE email LIKE %s', (email_like,)).fetchone()[0]


def _drafts(url: str, slug: str) -> dict[str, int]:
    """Each bench speaker's draft proposal (the one they edit and submit during the test)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            'SELECT u.email, min(p.id) FROM proposal p JOIN event e ON e.id = p.event_id '
            'JOIN proposal_speaker s ON s.proposal_id = p.id JOIN "user" u ON u.id = s.user_id '
            "WHERE e.slug = %s AND p.state = 'draft' AND u.email LIKE 'speaker%%@bench.invalid' GROUP BY u.email",
            (slug,)).fetchall()
    return dict(rows)


def _plan(base: str, slug: str, url: str) -> dict:
    """What the simulated visitors choose from, read off the released programme page itself."""
    html = urllib.request.urlopen(f"{base}/events/{slug}/programme/", timeout=30).read().decode()
    sessions = sorted({int(n) for n in re.findall(rf"/events/{re.escape(slug)}/programme/sessions/(\d+)/", html)})
    speakers = sorted({int(n) for n in re.findall(rf"/events/{re.escape(slug)}/programme/speakers/(\d+)/", html)})
    filters = {}
    for name, body in re.findall(r'<select[^>]*name="(theme|format|venue|audience)"[^>]*>(.*?)</select>', html, re.S):
        values = [v for v in re.findall(r'<option value="([^"]*)"', body) if v]
        if values:
            filters[name] = values
    if not speakers:  # a programme page that does not link speakers: take them from the session pages
        for sid in sessions[:20]:
            page = urllib.request.urlopen(f"{base}/events/{slug}/programme/sessions/{sid}/", timeout=30).read().decode()
            speakers += [int(n) for n in re.findall(rf"/events/{re.escape(slug)}/programme/speakers/(\d+)/", page)]
        speakers = sorted(set(speakers))
    return {"slug": slug, "password": PASSWORD, "sessions": sessions, "speakers": speakers, "filters": filters,
            "drafts": _drafts(url, slug), "speakers_count": _count(url, "speaker%@bench.invalid"),
            "reviewers_count": _count(url, "reviewer%@bench.invalid")}


# --- the processes ---------------------------------------------------------------------------------------------


class _Sink:
    """A loopback SMTP server that counts what the outbox worker sends."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received = 0
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                sink.received += 1
                return "250 OK"

        self.port = _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def _wait_for_answer(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            # a long timeout: a connection the kernel accepted waits for the booting worker, and giving up on it
            # after a short one (and asking again) added seconds to the measured start
            with urllib.request.urlopen(f"{base}/", timeout=30) as answer:
                answer.read()
            return
        except urllib.error.HTTPError:  # an HTTP answer, even a 404: the server is up
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("gunicorn did not answer")


def _workers(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def _memory(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    kb = {k: int(v) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M)}
    return {"pid": pid, "rss_mb": round(kb.get("VmRSS", 0) / 1024, 1),
            "peak_rss_mb": round(kb.get("VmHWM", 0) / 1024, 1)}


def _stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the figures -----------------------------------------------------------------------------------------------


def _is_submission(name: str) -> bool:
    return name in ("log in", "save proposal", "submit proposal", "submit review")


def _read_stats(prefix: Path) -> tuple[list[dict], dict, list[dict]]:
    rows, total = [], {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            item = {"name": row["Name"], "method": row["Type"], "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]), "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0), "p99_ms": float(row["99%"] or 0),
                    "max_ms": float(row["Max Response Time"] or 0), "rps": round(float(row["Requests/s"] or 0), 1)}
            if row["Name"] == "Aggregated":
                total = item
            else:
                item["kind"] = "submission" if _is_submission(item["name"]) else "page view"
                item["target_ms"] = SUBMIT_TARGET_MS if item["kind"] == "submission" else PAGE_TARGET_MS
                item["met"] = item["p95_ms"] < item["target_ms"] and item["failures"] == 0
                rows.append(item)
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
            failures = [{"name": r["Name"], "method": r["Method"], "error": r["Error"][:300],
                         "occurrences": int(r["Occurrences"])} for r in csv.DictReader(f)]
    return rows, total, failures


def _log_problems(log: Path) -> list[str]:
    """The distinct error lines of gunicorn's log (tracebacks' last lines, worker timeouts, lock errors)."""
    if not log.exists():
        return []
    lines = log.read_text(errors="replace").splitlines()
    found = []
    for i, line in enumerate(lines):
        if re.search(r"WORKER TIMEOUT|\[ERROR\]|Error:|Exception:|deadlock|lock timeout|could not obtain lock", line):
            found.append(line.strip()[:300])
        elif line.startswith("Traceback") and i + 1 < len(lines):
            tail = next((lines[j] for j in range(i + 1, min(len(lines), i + 200))
                         if lines[j] and not lines[j].startswith(" ")), "")
            found.append(tail.strip()[:300])
    counts: dict[str, int] = {}
    for line in found:
        key = re.sub(r"^\[[^\]]*\] \[\d+\] ", "", line)
        counts[key] = counts.get(key, 0) + 1
    return [f"{n}× {line}" for line, n in sorted(counts.items(), key=lambda kv: -kv[1])][:20]


def run(size: str = "M", users: int = 200, seconds: int = 120, smoke: bool = False) -> dict:
    if smoke:
        users, seconds = 10, 10
    name = f"bench_load_{os.getpid()}"
    url = f"{PG}/{name}"
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REVIEW_APP_DATABASE_URL": url,
           "REVIEW_APP_SECRET_KEY": "bench-load-secret-key-" + "x" * 32, "REVIEW_APP_BASE_URL": base,
           "REVIEW_APP_SESSION_COOKIE_SECURE": "false",
           "REVIEW_APP_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
           # every simulated person comes from 127.0.0.1: the per-address limit of the account forms would stop
           # the 40 logins of the ramp-up; the per-account limit stays as it is (each account logs in once)
           "REVIEW_APP_RATELIMIT_ACCOUNT_FORMS": "100000 per minute"}
    env.pop("FLASK_DEBUG", None)
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    _flush_redis()
    gunicorn = worker = None
    result: dict = {"size": size, "users": users, "seconds": seconds, "smoke": smoke}
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env=env, cwd=ROOT,
                       check=True, capture_output=True)
        result["migrate_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        if (ROOT / "review_app" / "benchdata.py").exists():
            result["data"] = _bench_data(env, size)
        else:
            print("review_app/benchdata.py is missing: using the small stand-in data of bench/load.py")
            result["data"] = _stand_in(url)
        result["data_s"] = round(time.perf_counter() - started, 1)
        with _Sink() as sink:
            worker_log = open(tmp / "outbox.log", "w")  # noqa: SIM115 - the worker writes to it until stopped
            worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "send-pending", "--loop",
                                       "--interval", "1"], cwd=ROOT, stdout=worker_log, stderr=subprocess.STDOUT,
                                      env={**env, "REVIEW_APP_MAIL_SERVER": "127.0.0.1",
                                           "REVIEW_APP_MAIL_PORT": str(sink.port)})
            log = tmp / "gunicorn.log"
            started = time.perf_counter()
            gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                                         f"127.0.0.1:{port}", "--log-level", "warning", "--error-logfile", str(log),
                                         "--timeout", "60", "wsgi:app"], env=env, cwd=ROOT)
            _wait_for_answer(base, gunicorn)
            result["first_request_s"] = round(time.perf_counter() - started, 2)
            plan = _plan(base, result["data"].get("slug", "bench"), url)
            (tmp / "plan.json").write_text(json.dumps(plan))
            result["plan"] = {k: (len(v) if isinstance(v, list | dict) else v) for k, v in plan.items()
                              if k not in ("password", "filters")}
            prefix = tmp / "locust"
            started = time.perf_counter()
            locust = subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "-u", str(users), "-r", str(max(1, min(20, users))), "-t", f"{seconds}s", "--host", base,
                 "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
                env={**env, "LOAD_PLAN": str(tmp / "plan.json")}, cwd=ROOT, capture_output=True, text=True)
            result["locust_s"] = round(time.perf_counter() - started, 1)
            result["workers"] = [_memory(pid) for pid in _workers(gunicorn.pid)]
            time.sleep(3)  # let the outbox worker send what the last submissions queued
            result["mails_received"] = sink.received
        rows, total, failures = _read_stats(prefix)
        if not rows:
            raise RuntimeError(f"locust produced no figures:\n{locust.stdout[-3000:]}\n{locust.stderr[-3000:]}")
        result["requests"] = rows
        result["total"] = total
        result["failures"] = failures
        result["error_rate_pct"] = round(100 * total["failures"] / total["requests"], 3) if total["requests"] else 0
        result["gunicorn_log"] = _log_problems(log)
        result["outbox_log"] = _log_problems(tmp / "outbox.log")
        pages = [r for r in rows if r["kind"] == "page view"]
        posts = [r for r in rows if r["kind"] == "submission"]
        max_rss = max((w["peak_rss_mb"] for w in result["workers"]), default=0)
        result["targets"] = {
            f"page views p95 < {PAGE_TARGET_MS} ms": all(r["p95_ms"] < PAGE_TARGET_MS for r in pages),
            f"submissions p95 < {SUBMIT_TARGET_MS} ms": all(r["p95_ms"] < SUBMIT_TARGET_MS for r in posts),
            "0 % errors": total["failures"] == 0,
            f"worker peak RSS < {RSS_TARGET_MB} MB (size {size})": 0 < max_rss < RSS_TARGET_MB,
            f"first request < {START_TARGET_S:.0f} s": result["first_request_s"] < START_TARGET_S,
        }
        return result
    finally:
        _stop(gunicorn)
        _stop(worker)
        _flush_redis()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if os.environ.get("BENCH_KEEP_LOGS"):
            print(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def print_table(result: dict) -> None:
    data = result.get("data", {})
    print(f"\nLoad test: size {result['size']}{' (stand-in data)' if data.get('stand_in') else ''}, "
          f"{result['users']} users for {result['seconds']} s, gunicorn 2 workers, PostgreSQL, Redis")
    print(f"{'request':<24}{'kind':<12}{'n':>7}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>8}  target")
    for r in sorted(result["requests"], key=lambda r: (r["kind"], r["name"])):
        verdict = "met" if r["met"] else "NOT met"
        print(f"{r['name']:<24}{r['kind']:<12}{r['requests']:>7}{r['failures']:>6}{r['p50_ms']:>9.0f}"
              f"{r['p95_ms']:>9.0f}{r['p99_ms']:>9.0f}{r['rps']:>8.1f}  p95<{r['target_ms']} {verdict}")
    t = result["total"]
    print(f"{'all':<36}{t['requests']:>7}{t['failures']:>6}{t['p50_ms']:>9.0f}{t['p95_ms']:>9.0f}{t['p99_ms']:>9.0f}"
          f"{t['rps']:>8.1f}")
    print(f"error rate {result['error_rate_pct']} %; mails received by the SMTP sink {result['mails_received']}")
    for w in result["workers"]:
        print(f"worker {w['pid']}: RSS {w['rss_mb']} MB (peak {w['peak_rss_mb']} MB)")
    print(f"first request answered {result['first_request_s']} s after gunicorn started")
    for f in result["failures"]:
        print(f"failure: {f['occurrences']}× {f['method']} {f['name']}: {f['error']}")
    for line in result["gunicorn_log"]:
        print(f"gunicorn log: {line}")
    for line in result["outbox_log"]:
        print(f"outbox worker log: {line}")
    for target, met in result["targets"].items():
        print(f"target {target}: {'met' if met else 'NOT met'}")


def main(argv: list[str] | None = None) -> dict:
    args = argv if argv is not None else sys.argv[1:]

    def value(flag, default):
        return args[args.index(flag) + 1] if flag in args else default
    result = run(size=value("--size", "M"), users=int(value("--users", 200)), seconds=int(value("--seconds", 120)),
                 smoke="--smoke" in args)
    print_table(result)
    if "--json" in args:
        Path(value("--json", "")).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
