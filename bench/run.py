"""Page timings and SQL query counts for growing numbers of proposals (`make bench`).

Not part of the test suite: numbers are printed, never asserted. BENCH_DATABASE_URL selects the database
(default: a temporary SQLite file).
"""
from __future__ import annotations

import os
import statistics
import tempfile
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


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False, "CLOCK": lambda: NOW})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    print(f"{'page':<38}{'proposals':>10}{'median ms':>12}{'queries':>9}")
    for size in SIZES:
        with app.app_context():
            speaker_id, chair_id = build(size)
        speaker = logged_in_client(app, speaker_id)
        chair = logged_in_client(app, chair_id)
        for label, client, path in [("speaker dashboard", speaker, "/dashboard"),
                                    ("committee proposal list", chair, f"/events/bench-{size}/manage/proposals"),
                                    ("call for sessions page", speaker, f"/events/bench-{size}/")]:
            ms, queries = measure(app, client, path)
            print(f"{label:<38}{size:>10}{ms:>12.1f}{queries:>9}")

    from . import assignment

    print("\nreviewer assignment (bench/assignment.py)")
    assignment.main([])

    from . import ranking

    print("\nranking page (bench/ranking.py)")
    ranking.main()

    from . import scheduler

    print("\nautomatic scheduler (bench/scheduler.py)")
    scheduler.main([])

    from . import public

    for sessions in (60, 240, 1000):
        print(f"\npublic programme under load at {sessions} sessions (bench/public.py)")
        public.main(["--sessions", str(sessions)])


if __name__ == "__main__":
    main()
