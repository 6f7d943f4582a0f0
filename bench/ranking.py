"""The committee's ranking page at 10 and 1,000 proposals × 3 submitted reviews (`python -m bench.ranking`).

Not part of the test suite: numbers are printed, never asserted. The data are built directly with the models from a
fixed seed (themes, formats, speakers of every kind of organisation, 30 reviewers, three criteria, some pending and
released decisions). BENCH_DATABASE_URL selects the database (default: a temporary SQLite file). Targets on the
2-core machine: under 200 ms at 1,000 proposals, the same query count at 10 and at 1,000.
"""
from __future__ import annotations

import os
import random
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from review_app import create_app
from review_app.accounts.models import OrganisationType, User
from review_app.accounts.services import hash_password
from review_app.cfp.models import Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.events.models import Event, EventRole, ReviewCriterion, Role, SessionFormat, Theme
from review_app.review.models import Assignment, Decision, DecisionOutcome, Review, Reviewer, ReviewScore

from . import scratch
from .run import logged_in_client, measure

SIZES = (10, 1000)
REVIEWS = 3
REVIEWERS = 30
ROUNDS = 10
NOW = datetime(2025, 1, 10, 12, tzinfo=UTC)  # after the review window: the committee ranks and decides
CITIES = ("Herne", "Bochum", "Gelsenkirchen", "Recklinghausen", "Dortmund")


def build(size: int, seed: int = 1) -> int:
    """One event with `size` proposals under review (a tenth decided), each with 3 submitted reviews; returns the
    committee member's id."""
    rng = random.Random(f"{seed}-{size}")
    event = Event(slug=f"bench-ranking-{size}", name=f"Ranking {size}", starts_on=date(2025, 2, 5),
                  ends_on=date(2025, 2, 6), timezone="Europe/Berlin", cfp_opens_at=NOW - timedelta(days=120),
                  cfp_closes_at=NOW - timedelta(days=40), review_opens_at=NOW - timedelta(days=39),
                  review_closes_at=NOW - timedelta(days=20))
    password = hash_password("bench password 1")
    chair = User(email=f"chair@committee-ranking{size}.bench.invalid", name="Chair", password_hash=password,
                 organisation_type=OrganisationType.company, organisation="Bench GmbH", city="Essen",
                 email_confirmed_at=NOW)
    db.session.add_all([event, chair])
    db.session.flush()
    themes = [Theme(event_id=event.id, name_de=f"Thema {i}", name_en=f"Theme {i}", colour="#005a9c", position=i)
              for i in range(6)]
    formats = [SessionFormat(event_id=event.id, name_de=f"Format {i}", name_en=f"Format {i}", default_minutes=30)
               for i in range(4)]
    criteria = [ReviewCriterion(event_id=event.id, name_de=f"Kriterium {i}", name_en=f"Criterion {i}", weight=w,
                                scale_min=1, scale_max=5, position=i) for i, w in enumerate((2, 1, 1))]
    kinds = list(OrganisationType)
    speakers = [User(email=f"speaker@org{i}-ranking{size}.bench.invalid", name=f"Speaker {i}", password_hash=password,
                     organisation=f"Organisation {i}", organisation_type=kinds[i % len(kinds)],
                     city=CITIES[i % len(CITIES)], email_confirmed_at=NOW) for i in range(40)]
    people = [User(email=f"reviewer@institute{j}-ranking{size}.bench.invalid", name=f"Reviewer {j}",
                   password_hash=password,
                   organisation=f"Institut {j}", organisation_type=OrganisationType.research, city="Münster",
                   email_confirmed_at=NOW) for j in range(REVIEWERS)]
    db.session.add_all([*themes, *formats, *criteria, *speakers, *people,
                        EventRole(event_id=event.id, user_id=chair.id, role=Role.committee)])
    db.session.flush()
    reviewers = [Reviewer(event_id=event.id, user_id=u.id, languages="de,en") for u in people]
    db.session.add_all([*reviewers, *(EventRole(event_id=event.id, user_id=u.id, role=Role.reviewer)
                                      for u in people)])
    db.session.flush()
    proposals = []
    for i in range(size):
        proposal = Proposal(event_id=event.id, state=ProposalState.under_review, title=f"Proposal {i}",
                            abstract="Abstract", description="Text", format_id=rng.choice(formats).id,
                            main_theme_id=rng.choice(themes).id, language=rng.choice(("de", "de", "en")),
                            project_organisation=f"Projekt {i % 50}", project_city=rng.choice(CITIES),
                            submitted_at=NOW - timedelta(days=50))
        proposal.speakers.append(ProposalSpeaker(user_id=rng.choice(speakers).id, is_submitter=True))
        proposals.append(proposal)
    db.session.add_all(proposals)
    db.session.flush()
    assignments, reviews, scores = [], [], []
    for i, proposal in enumerate(proposals):
        quality = rng.uniform(1.5, 4.5)
        for r in range(REVIEWS):
            reviewer = reviewers[(i + r * 7) % REVIEWERS]
            n = len(assignments) + 1
            assignments.append({"id": n, "reviewer_id": reviewer.id, "proposal_id": proposal.id, "automatic": True,
                                "created_at": NOW - timedelta(days=38)})
            reviews.append({"id": n, "assignment_id": n, "state": "submitted", "recommendation": "accept",
                            "confidence": 2, "comment_committee": "", "comment_speakers": "",
                            "created_at": NOW - timedelta(days=30), "updated_at": NOW - timedelta(days=30),
                            "submitted_at": NOW - timedelta(days=30), "version": 1})
            scores += [{"review_id": n, "criterion_id": c.id,
                        "score": min(5, max(1, round(quality + rng.gauss(0, 0.7))))} for c in criteria]
    # ids given here (so that the rows refer to each other without a round trip), after any earlier size's
    offset = max(db.session.scalar(select(func.max(Assignment.id))) or 0,
                 db.session.scalar(select(func.max(Review.id))) or 0)
    for row in assignments:
        row["id"] += offset
    for row in reviews:
        row["id"] += offset
        row["assignment_id"] += offset
    for row in scores:
        row["review_id"] += offset
    db.session.execute(insert(Assignment), assignments)
    db.session.execute(insert(Review), reviews)
    db.session.execute(insert(ReviewScore), scores)
    for proposal in proposals[: max(1, size // 10)]:  # a tenth decided: half of them released
        outcome = rng.choice(list(DecisionOutcome))
        released = rng.random() < 0.5
        db.session.add(Decision(proposal_id=proposal.id, outcome=outcome, decided_by_id=chair.id,
                                decided_at=NOW - timedelta(days=5), released_at=NOW if released else None))
        if released:
            proposal.state = {DecisionOutcome.accept: ProposalState.accepted,
                              DecisionOutcome.waitlist: ProposalState.waitlisted,
                              DecisionOutcome.reject: ProposalState.rejected}[outcome]
    db.session.commit()
    return chair.id


def main() -> dict[int, tuple[float, int]]:
    """Print and return {proposals: (median ms, queries per request)}."""
    url = os.environ.get("BENCH_DATABASE_URL") or "sqlite:///" + str(scratch("bench-ranking-") / "ranking.sqlite")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False, "PASSWORD_HASHING": "fast", "CLOCK": lambda: NOW})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    figures = {}
    print(f"{'page':<38}{'proposals':>10}{'median ms':>12}{'queries':>9}{'cpu ms':>10}")
    for size in SIZES:
        with app.app_context():
            chair_id = build(size)
        client = logged_in_client(app, chair_id)
        path = f"/events/bench-ranking-{size}/manage/ranking"
        measure(app, client, path, rounds=1)  # warm the caches (templates, compiled statements)
        shown = client.get(path).get_data(as_text=True).count('<tr data-proposal="')
        # a bench that measures an empty table measures nothing (a committee member conflicted with every proposal)
        assert shown == size, f"the ranking shows {shown} of {size} proposals"
        start_cpu = time.process_time()
        ms, queries = figures[size] = measure(app, client, path, rounds=ROUNDS)
        # wall time grows when others share the two cores; the CPU time per request does not
        cpu_ms = (time.process_time() - start_cpu) / ROUNDS * 1000
        print(f"{'ranking (3 reviews per proposal)':<38}{size:>10}{ms:>12.1f}{queries:>9}{cpu_ms:>10.1f}")
    return figures


if __name__ == "__main__":
    main()
