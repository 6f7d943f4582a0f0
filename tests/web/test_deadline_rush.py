"""The deadline rush: the app under gunicorn with 4 workers, on a fresh database (SQLite in WAL mode with immediate
write transactions, or PostgreSQL per TEST_DATABASE_URL), takes 200 submissions sent in parallel in the last seconds
before the call closes (some of them double clicks) and refuses 50 sent right after it: every success is a
submitted row, none twice, no 5xx, nothing accepted late, and each refusal says why in the speaker's language.

The server runs on real time, so the deadline is set a few seconds ahead of the real clock, as far ahead as the
login phase says the server needs for the wave (the machine may be slow or busy)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
import requests
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from review_app import create_app
from review_app.audit.models import AuditEntry
from review_app.cfp.models import Proposal, ProposalState
from review_app.cfp.permissions import format_deadline
from review_app.db import db
from review_app.events.models import Event
from review_app.mail.models import OutboxMessage

from ..conftest import TEST_PASSWORD, _postgres_database, free_port
from ..factories import CFP_OPENS, make_event, make_proposal, make_user

ROOT = Path(__file__).resolve().parents[2]
ON_TIME, LATE, DOUBLE_CLICKS = 200, 50, 25  # the first DOUBLE_CLICKS on-time speakers click "submit" twice at once
WARM_UP = 24  # speakers who submit well before the deadline: how fast the server takes submissions here and now
SLUG = "rush"
CLOSED = "The call for sessions closed on %(deadline)s; changes are no longer possible."


@pytest.fixture
def rush_database(tmp_path):
    """A database of its own: a fresh SQLite file, or a fresh PostgreSQL database beside the suite's."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url:
        yield from _postgres_database(admin_url)
    else:
        yield "sqlite:///" + str(tmp_path / "rush.sqlite")


@dataclass
class Speaker:
    email: str
    language: str
    proposal_id: int
    cookie: str = ""


@pytest.fixture
def builder(rush_database):
    """The migrated database with the event, its call open until further notice; the app object is only for setting
    up and reading back — the requests go to gunicorn."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SECRET_KEY": "rush-builder", "SQLALCHEMY_DATABASE_URI": rush_database,
                      "PASSWORD_HASHING": "fast", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        make_event(slug=SLUG, cfp_opens=CFP_OPENS, cfp_closes=datetime.now(UTC) + timedelta(hours=1),
                   starts_on=date.today() + timedelta(days=60))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def speakers(builder, server) -> list[Speaker]:
    """WARM_UP + 250 speakers, each with a complete draft (made while gunicorn's workers boot)."""
    with builder.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        people = []
        for i in range(WARM_UP + ON_TIME + LATE):
            language = "en" if i % 4 == 3 else "de"
            user = make_user(email=f"speaker{i}@rush.test", name=f"Speaker {i}", language=language,
                             organisation=f"Organisation {i}", city=f"Town {i}")
            proposal = make_proposal(event, user, title=f"Proposal {i}")
            people.append(Speaker(user.email, language, proposal.id))
        db.session.execute(OutboxMessage.__table__.delete())  # registration mails: not this test's
        db.session.commit()
    return people


@pytest.fixture
def server(builder, rush_database, tmp_path):
    """gunicorn with 4 sync workers on a free port, configured through REVIEW_APP_* variables; started, not yet
    waited for (see _wait_until_up)."""
    port = free_port()
    env = {**os.environ, "REVIEW_APP_DATABASE_URL": rush_database, "REVIEW_APP_SECRET_KEY": "rush-secret-key",
           "REVIEW_APP_WTF_CSRF_ENABLED": "false", "REVIEW_APP_RATELIMIT_ENABLED": "false",
           "REVIEW_APP_PASSWORD_HASHING": "fast", "REVIEW_APP_SESSION_COOKIE_SECURE": "false",
           "REVIEW_APP_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("FLASK_DEBUG", None)
    log = (tmp_path / "gunicorn.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
                             "--timeout", "60", "--backlog", "1024", "--log-level", "warning", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}", proc, log
    finally:
        proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (SIGTERM waits for the workers gracefully)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_until_up(base: str, proc: subprocess.Popen) -> None:
    give_up = time.monotonic() + 90
    while True:
        try:
            if requests.get(base + "/login", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # bound, but no worker has booted yet
            pass
        assert proc.poll() is None and time.monotonic() < give_up, "gunicorn did not start"
        time.sleep(0.2)


@dataclass
class Answer:
    speaker: Speaker
    status: int
    sent: datetime
    answered: datetime
    body: str


def _submit(base: str, speaker: Speaker, path: str = "/submit") -> Answer:
    """POST the proposal's submit button (path "": GET the proposal's page)."""
    sent = datetime.now(UTC)
    r = requests.request("POST" if path else "GET", f"{base}/events/{SLUG}/proposals/{speaker.proposal_id}{path}",
                         cookies={"session": speaker.cookie}, allow_redirects=False, timeout=90)
    return Answer(speaker, r.status_code, sent, datetime.now(UTC), r.text)


def _all_at_once(base: str, speakers: list[Speaker], path: str = "/submit") -> list[Answer]:
    """One thread per request, released together."""
    answers: list[Answer | None] = [None] * len(speakers)
    barrier = threading.Barrier(len(speakers))

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = _submit(base, speakers[i], path)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(speakers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(a is not None for a in answers), "a request never returned"
    return answers  # type: ignore[return-value]


def _log_in_everyone(base: str, speakers: list[Speaker]) -> None:
    """Each speaker logs in with a client (cookie) of their own."""
    lock = threading.Lock()
    todo = list(speakers)

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                speaker = todo.pop()
            r = requests.post(f"{base}/login", data={"email": speaker.email, "password": TEST_PASSWORD},
                              allow_redirects=False, timeout=60)
            assert r.status_code == 302, (speaker.email, r.status_code, r.text[:500])
            speaker.cookie = r.cookies["session"]

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s.cookie for s in speakers)


def _sleep_until(moment: datetime) -> None:
    while (left := (moment - datetime.now(UTC)).total_seconds()) > 0:
        time.sleep(min(left, 0.05))


def test_two_hundred_submissions_in_the_last_seconds_and_fifty_late_ones(builder, server, speakers, capsys):
    base, proc, log = server
    _wait_until_up(base, proc)
    warm_up, on_time, late = speakers[:WARM_UP], speakers[WARM_UP:WARM_UP + ON_TIME], speakers[WARM_UP + ON_TIME:]
    _log_in_everyone(base, speakers)
    _all_at_once(base, warm_up, path="")  # every worker renders the proposal page once: templates compiled
    started = time.monotonic()
    assert all(a.status == 302 for a in _all_at_once(base, warm_up))
    rate = WARM_UP / (time.monotonic() - started)

    # the deadline: a few seconds from now, as many as the server needs for the wave at the rate it took the
    # warm-up's submissions with (a machine may be slow, or busy with other work)
    wave = on_time + on_time[:DOUBLE_CLICKS]
    lead = min(20.0, max(4.0, 1.2 * len(wave) / rate + 1.0))
    with builder.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        event.cfp_closes_at = datetime.now(UTC) + timedelta(seconds=lead + 0.5)
        db.session.commit()
        deadline = event.cfp_closes_at
        expected = {}
        for language in ("de", "en"):
            with builder.test_request_context("/"), force_locale(language):
                expected[language] = gettext(CLOSED, deadline=format_deadline(event))

    _sleep_until(deadline - timedelta(seconds=lead))
    first = _all_at_once(base, wave)
    _sleep_until(deadline + timedelta(seconds=0.3))
    second = _all_at_once(base, late)

    # --- what the speakers saw ---
    answers = first + second
    statuses = Counter(a.status for a in answers)
    assert not [a for a in answers if a.status >= 500], statuses
    succeeded = [a for a in answers if 200 <= a.status < 400]
    for a in succeeded:  # a success answers with the way to the proposal
        assert a.status == 302 and a.speaker in on_time, (a.status, a.speaker)
    late_refused = [a for a in answers if a.status == 403]
    for a in late_refused:  # refused for the deadline, in the speaker's language, and only once it had passed
        assert expected[a.speaker.language] in unescape(a.body), unescape(a.body)[:2000]
        assert a.answered >= deadline
    assert all(a.status == 403 for a in second), Counter(a.status for a in second)
    # whatever the server answered before the deadline was taken (or was the second click of a taken one)
    assert all(200 <= a.status < 400 or a.status == 409 for a in first if a.answered < deadline)
    per_speaker = Counter(a.speaker.proposal_id for a in succeeded)
    assert max(per_speaker.values(), default=1) == 1  # a double click is taken once
    others = [a for a in answers if a not in succeeded and a not in late_refused]
    for a in others:  # only the second click of a double click: "already submitted"
        assert a.status == 409 and a.speaker in on_time[:DOUBLE_CLICKS] and per_speaker[a.speaker.proposal_id] == 1

    # --- what the database holds ---
    with builder.app_context():
        rows = db.session.execute(select(Proposal.id, Proposal.state, Proposal.submitted_at)
                                  .where(Proposal.event_id == event.id)).all()
        submitted = {pid: at for pid, state, at in rows if state is ProposalState.submitted}
        # every success is a submitted row, and only those
        assert set(submitted) == set(per_speaker) | {s.proposal_id for s in warm_up}
        assert all(at < deadline for at in submitted.values())  # nothing accepted late
        assert {pid for pid, state, _ in rows if state is ProposalState.draft} == \
            {s.proposal_id for s in speakers} - set(submitted)
        audits = Counter(db.session.scalars(select(AuditEntry.object_id)
                                            .where(AuditEntry.action == "proposal.submit")))
        assert audits == Counter(set(submitted))  # one audit row per submission: no duplicates
        mails = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.template == "proposal_submitted"))
        assert mails == len(submitted)

    log.flush()
    log.seek(0)
    server_log = log.read()
    assert "Traceback" not in server_log and "database is locked" not in server_log, server_log[-3000:]

    on_time_ok = sum(1 for a in first if 200 <= a.status < 400)
    with capsys.disabled():
        print(f"\n[deadline rush, {builder.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}] "
              f"warm-up {rate:.0f} submissions/s, lead {lead:.1f}s; wave of {len(wave)} requests "
              f"({ON_TIME} speakers, {DOUBLE_CLICKS} double clicks): {on_time_ok} submitted, "
              f"{sum(1 for a in first if a.status == 409)} second clicks refused (409), "
              f"{sum(1 for a in first if a.status == 403)} too late (403), last answer "
              f"{(max(a.answered for a in first) - deadline).total_seconds():+.2f}s from the deadline; "
              f"after it: {sum(1 for a in second if a.status == 403)}/{LATE} refused; statuses {dict(statuses)}")
