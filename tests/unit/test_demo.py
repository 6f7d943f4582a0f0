"""`flask seed-demo`: both editions, every state, audit and outbox, idempotence, determinism, refusal."""
from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from review_app.accounts.models import User
from review_app.audit.models import AuditEntry
from review_app.cfp.models import Proposal, ProposalSpeaker, ProposalState
from review_app.db import Base, db
from review_app.demo import DEMO_SLUG, DemoRefused, open_edition, seed_demo
from review_app.demo_data import DEMO_PASSWORD
from review_app.events.models import Event, EventRole, Role, TravelTime
from review_app.mail.models import OutboxMessage
from tests.conftest import empty_database
from tests.factories import make_event, make_user

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # the day this was written; passed explicitly for determinism


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """An app with a database of its own, the demo seeded once for the tests that only read it (seeding takes
    a quarter of a minute: the review and the automatic schedule run for real). SQLite, or PostgreSQL with
    TEST_DATABASE_URL."""
    import os

    from flask_migrate import upgrade

    from review_app import create_app
    from tests.conftest import _postgres_database

    admin_url = os.environ.get("TEST_DATABASE_URL")
    urls = _postgres_database(admin_url) if admin_url else iter(
        ["sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.sqlite")])
    url = next(urls)
    app = create_app({"TESTING": True, "SECRET_KEY": "demo-tests", "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "BASE_URL": "http://localhost",
                      "PASSWORD_HASHING": "fast", "MAIL_SUPPRESS_SEND": True})
    with app.app_context():
        upgrade()
        app.demo_result = seed_demo(now=NOW)
        db.session.remove()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    for _ in urls:  # drops the PostgreSQL database
        pass


@pytest.fixture
def seeded(demo_app):
    """An application context on the seeded demo; the result of the seeding."""
    with demo_app.app_context():
        yield demo_app.demo_result
        db.session.rollback()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


def event(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def table_counts() -> dict[str, int]:
    return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables}


def fingerprint() -> str:
    """Titles, final states and owners of every proposal, order-independent."""
    rows = db.session.execute(
        select(Event.slug, Proposal.title, Proposal.state, User.email)
        .join(Proposal, Proposal.event_id == Event.id)
        .join(ProposalSpeaker, (ProposalSpeaker.proposal_id == Proposal.id) & ProposalSpeaker.is_submitter)
        .join(User, User.id == ProposalSpeaker.user_id))
    return hashlib.sha256(repr(sorted(tuple(str(v) for v in row) for row in rows)).encode()).hexdigest()


def test_seeding_builds_the_2025_edition_with_every_state(seeded):
    result = seeded

    ev = event(DEMO_SLUG)
    proposals = list(db.session.scalars(select(Proposal).where(Proposal.event_id == ev.id)))
    states = Counter(p.state for p in proposals)
    assert 85 <= len(proposals) <= 92  # the 40 of every state and 48 more confirmed for the programme
    assert all(states[state] >= 2 for state in ProposalState), states
    assert result.created and result.editions[0].slug == DEMO_SLUG
    assert ev.name == "Smart City Days 2025" and ev.motto == "Transformationsprozess Metropolregion Ruhr"
    assert ev.local(ev.cfp_closes_at).strftime("%Y-%m-%d %H:%M") == "2024-12-01 23:59"
    # content: some English, some with co-speakers, every submitted one complete, the columns' limits kept
    assert sum(p.language == "en" for p in proposals) >= 3
    assert sum(len(p.speakers) > 1 for p in proposals) >= 3
    assert all(p.availability and p.project_organisation and p.project_city and p.audiences
               for p in proposals if p.state is not ProposalState.draft)
    assert all(len(p.title) <= 200 and len(p.abstract) <= 600 for p in proposals)
    assert all(p.submitted_at is not None and p.submitted_at < ev.cfp_closes_at
               for p in proposals if p.state is not ProposalState.draft)


def test_the_configuration_is_shared_by_both_editions(seeded):

    for ev in (event(DEMO_SLUG), event("smart-city-days-2027")):
        assert [v.name for v in ev.venues] == ["Alte Druckerei / Thinktank", "Mulvany Villa"]
        rooms = [room for venue in ev.venues for room in venue.rooms]
        assert len(rooms) >= 5 and all(len(room.openings) == 2 and room.formats for room in rooms)
        assert {o.day for room in rooms for o in room.openings} == set(ev.days)
        assert len(ev.themes) == 6 and len({t.colour for t in ev.themes}) == 6
        assert len(ev.audiences) == 7 and len(ev.formats) == 5
        assert [c.name_de for c in ev.criteria][:2] == ["Themenbezug", "Praxisrelevanz"]
        assert all((c.scale_min, c.scale_max) == (1, 5) for c in ev.criteria)
        travel = db.session.scalar(select(TravelTime).where(TravelTime.event_id == ev.id))
        assert travel.minutes == 15
        roles = Counter(db.session.scalars(select(EventRole.role).where(EventRole.event_id == ev.id)))
        assert roles[Role.committee] == 1 and roles[Role.reviewer] == 7 and roles[Role.speaker] >= 3
    assert event(DEMO_SLUG).days[0].isoformat() == "2025-02-05"


def test_every_transition_is_audited_in_time_order_and_mails_were_queued(seeded):
    ev = event(DEMO_SLUG)

    # each proposal's audited state changes form one chain from draft to its current state
    for proposal in db.session.scalars(select(Proposal).where(Proposal.event_id == ev.id)):
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "proposal",
                                                           AuditEntry.object_id == proposal.id)
                                  .order_by(AuditEntry.at, AuditEntry.id))
        state = None
        for row in rows:
            if row.from_state != row.to_state:
                assert row.from_state == state, (proposal.title, row.action)
                state = row.to_state
        assert state == proposal.state.value, proposal.title
    # the log reads like history: ids follow the simulated clock
    moments = list(db.session.scalars(select(AuditEntry.at).order_by(AuditEntry.id)))
    assert moments == sorted(moments)
    actions = Counter(db.session.scalars(select(AuditEntry.action)))
    for action in ("proposal.submit", "proposal.withdraw", "proposal.start_review", "proposal.decide",
                   "proposal.confirm", "proposal.decline", "proposal.invite", "proposal.accept_invitation",
                   "decision.decide", "decision.release"):
        assert actions[action] >= 2, action

    mails = Counter(db.session.scalars(select(OutboxMessage.template)))
    assert mails["proposal_submitted"] >= 30
    assert mails["proposal_confirmed"] >= 2 and mails["proposal_declined"] >= 2
    assert mails["co_speaker_invitation"] == mails["invitation_accepted"] >= 3


def test_decisions_are_released_before_speakers_see_them_and_pending_ones_stay_invisible(seeded):
    from datetime import timedelta

    from review_app.review.models import Decision, DecisionOutcome

    ev = event(DEMO_SLUG)
    rows = db.session.execute(select(Decision, Proposal).join(Proposal, Proposal.id == Decision.proposal_id)
                              .where(Proposal.event_id == ev.id)).all()
    pending = [p for d, p in rows if d.released_at is None]
    assert 1 <= len(pending) <= 3 and {p.state for p in pending} == {ProposalState.under_review}
    # nothing tells the speakers of a pending decision: no mail, and the state is still "under review"
    decision_mails = list(db.session.scalars(select(OutboxMessage.body_text)
                                             .where(OutboxMessage.template.like("decision_%"))))
    assert decision_mails and not [p.title for p in pending for body in decision_mails if p.title in body]
    # every proposal the committee decided carries a released decision that matches its state
    outcome_states = {DecisionOutcome.accept: {ProposalState.accepted, ProposalState.confirmed, ProposalState.declined,
                                               ProposalState.cancelled},
                      DecisionOutcome.waitlist: {ProposalState.waitlisted, ProposalState.withdrawn},
                      DecisionOutcome.reject: {ProposalState.rejected}}
    released = {p.id: (d, p) for d, p in rows if d.released_at is not None}
    for d, p in released.values():
        assert p.state in outcome_states[d.outcome], p.title
        if d.outcome is DecisionOutcome.accept:
            assert p.confirm_by == d.released_at + timedelta(days=14)
    decided = set(db.session.scalars(select(Proposal.id).where(Proposal.event_id == ev.id, Proposal.state.in_(
        [ProposalState.accepted, ProposalState.confirmed, ProposalState.declined, ProposalState.waitlisted,
         ProposalState.rejected, ProposalState.cancelled]))))
    assert decided <= set(released)
    # speakers confirmed within their deadline
    for p in db.session.scalars(select(Proposal).where(Proposal.event_id == ev.id,
                                                       Proposal.state == ProposalState.confirmed)):
        confirmed_at = db.session.scalar(select(AuditEntry.at).where(AuditEntry.object_id == p.id,
                                                                     AuditEntry.action == "proposal.confirm"))
        assert confirmed_at < p.confirm_by


def test_the_accounts_are_confirmed_and_share_the_demo_password(seeded, demo_client):
    result = seeded

    users = list(db.session.scalars(select(User)))
    assert 28 <= len(users) <= 36 and all(u.email_confirmed for u in users)
    assert all(u.email.endswith(".example") for u in users)
    assert sum(u.is_admin for u in users) == 1
    summary = result.summary()
    assert DEMO_PASSWORD in summary
    for role, emails in result.logins():
        assert f"{role}:" in summary and emails[0] in summary
    # a login as listed works
    chair = dict(result.logins())["committee member"][0]
    response = demo_client.post("/login", data={"email": chair, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_seeding_twice_changes_nothing(seeded):
    before = table_counts()

    again = seed_demo(now=NOW)

    assert table_counts() == before
    assert not again.created
    assert "already loaded" in again.summary() and DEMO_PASSWORD in again.summary()
    assert [e.slug for e in again.editions] == [DEMO_SLUG, "smart-city-days-2027"]


def test_the_same_seed_gives_the_same_data_and_another_seed_differs(demo_app, ctx):
    seed_demo(seed=2025, now=NOW)  # into this test's database; the module's demo was seeded the same way
    again = fingerprint()
    with demo_app.app_context():
        first = fingerprint()
    assert again == first
    empty_database()
    seed_demo(seed=7, now=NOW)
    assert fingerprint() != first


def test_refuses_a_database_with_other_data_unless_forced(ctx):
    make_user(email="someone@example.org")
    db.session.commit()

    with pytest.raises(DemoRefused, match="--force"):
        seed_demo(now=NOW)
    assert count(Event) == 0 and count(User) == 1

    make_event(slug="our-own-event")
    db.session.commit()
    with pytest.raises(DemoRefused):
        seed_demo(now=NOW)

    result = seed_demo(force=True, now=NOW)
    assert result.created and event(DEMO_SLUG) is not None and event("our-own-event") is not None


def test_the_open_edition_accepts_proposals_now(demo_app, ctx):
    now = datetime.now(UTC)
    if open_edition(now).slug == open_edition(NOW).slug:  # the module's demo holds today's open edition
        with demo_app.app_context():
            ev = event(open_edition(now).slug)
            assert ev is not None and ev.cfp_is_open(now)
            assert {p.state for p in db.session.scalars(select(Proposal).where(Proposal.event_id == ev.id))} == {
                ProposalState.draft, ProposalState.submitted}
        return
    seed_demo()  # the app's real clock

    ev = event(open_edition(now).slug)
    assert ev is not None and ev.cfp_is_open(now)
    proposals = list(db.session.scalars(select(Proposal).where(Proposal.event_id == ev.id)))
    assert 3 <= len(proposals) <= 5
    assert {p.state for p in proposals} == {ProposalState.draft, ProposalState.submitted}


@pytest.mark.parametrize(("now", "year"), [
    (datetime(2026, 11, 29, 12, tzinfo=UTC), 2027),
    (datetime(2027, 1, 10, 22, 58, tzinfo=UTC), 2027),  # 23:58 in Berlin, a minute before the deadline
    (datetime(2027, 1, 10, 22, 59, tzinfo=UTC), 2028),
    (datetime(2027, 6, 1, tzinfo=UTC), 2028),
    (datetime(2031, 12, 31, 23, tzinfo=UTC), 2032),
])
def test_the_open_edition_moves_by_whole_years(now, year):
    edition = open_edition(now)
    assert edition.year == year and edition.starts_on.year == year
    assert edition.cfp_opens <= now < edition.cfp_closes
    assert edition.slug == f"smart-city-days-{year}"


def test_a_later_date_loads_a_later_open_edition(ctx):
    later = datetime(2028, 3, 1, 10, tzinfo=UTC)
    seed_demo(now=later)

    ev = event("smart-city-days-2029")
    assert ev is not None and ev.cfp_is_open(later) and ev.starts_on.isoformat() == "2029-02-03"
    created = db.session.scalars(select(Proposal.created_at).where(Proposal.event_id == ev.id))
    assert all(ev.cfp_opens_at <= moment <= later for moment in created)


def test_the_cli_prints_the_logins_and_refuses_politely(app):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Loaded the Smart City Days demo" in first.output and DEMO_PASSWORD in first.output

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already loaded" in second.output


def test_the_cli_refuses_when_other_data_exists(app):
    with app.app_context():
        make_user(email="someone@example.org")
        db.session.commit()

    refused = app.test_cli_runner().invoke(args=["seed-demo"])
    assert refused.exit_code == 1 and "--force" in refused.output


# distinctive phrases of the demo's German texts, and what the English page says instead
GERMAN_ONLY = ["Transformationsprozess Metropolregion Ruhr", "Zwei Orte, ein Programm", "Was wir suchen",
               "Projekte zum Anfassen", "Ort der Fachtagung", "Daten souverän teilen",
               "Gemeinsames Arbeiten an einer Fragestellung", "lädt Herne wieder", "Veranstaltungsort"]
ENGLISH = ["Transformation process of the Ruhr metropolitan region", "Two venues, one programme",
           "What we are looking for", "hands-on projects", "Venue of the conference", "Sharing data with sovereignty",
           "Working together on a question in a small group"]


def test_the_demo_editions_read_in_english_on_an_english_page(demo_app, demo_client):
    # requests outside the seeding's app context: the page's language is chosen per request
    client = demo_client
    with demo_app.app_context():
        # every text the committee writes for the public has its English version
        for ev in (event(DEMO_SLUG), event("smart-city-days-2027")):
            items = [*ev.venues, *ev.themes, *ev.formats, *ev.criteria]
            assert ev.motto_en and ev.description_en and all(item.description_en for item in items)
    client.post("/language", data={"lang": "en"})

    for slug, intro in ((DEMO_SLUG, "On 5 and 6 February 2025, Herne hosts the event for the second time."),
                        ("smart-city-days-2027", "On 3 and 4 February 2027, Herne again invites you")):
        page = client.get(f"/events/{slug}/").get_data(as_text=True)
        assert '<p class="motto">Transformation process of the Ruhr metropolitan region</p>' in page
        assert intro in page
        for english in ENGLISH:
            assert english in page, (slug, english)
        for german in GERMAN_ONLY:
            assert german not in page, (slug, german)
    # and the German page keeps the German texts
    client.post("/language", data={"lang": "de"})
    page = client.get(f"/events/{DEMO_SLUG}/").get_data(as_text=True)
    assert "Zwei Orte, ein Programm" in page and "Two venues, one programme" not in page


# -- the review phase of the 2025 edition ------------------------------------------------------------------------

def review_rows(ev: Event):
    from review_app.review.models import Assignment, Review, Reviewer

    return db.session.execute(
        select(Assignment, Reviewer, Proposal, Review).join(Reviewer, Reviewer.id == Assignment.reviewer_id)
        .join(Proposal, Proposal.id == Assignment.proposal_id).outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Reviewer.event_id == ev.id)).all()


def test_the_reviewers_state_themes_and_languages_and_one_city_spelling_is_aliased(seeded):
    from review_app.review.conflict_admin import conflict_rows
    from review_app.review.models import Bid, BidLevel, OrganisationAlias, Reviewer

    ev = event(DEMO_SLUG)

    rows = list(db.session.scalars(select(Reviewer).where(Reviewer.event_id == ev.id)))
    assert len(rows) == 7 and all(r.expert_themes and r.language_set for r in rows)
    assert 2 <= sum(bool(r.limited_themes) for r in rows) < len(rows)
    assert any("en" in r.language_set for r in rows) and any(r.language_set == {"de"} for r in rows)
    bids = Counter(db.session.scalars(select(Bid.level).join(Reviewer).where(Reviewer.event_id == ev.id)))
    assert bids[BidLevel.eager] and bids[BidLevel.willing] and bids[BidLevel.rather_not] and bids[BidLevel.conflict]
    alias = db.session.scalar(select(OrganisationAlias).where(OrganisationAlias.event_id == ev.id))
    assert {alias.name_a, alias.name_b} == {"Stadt Herne", "Stadtverwaltung Herne"}
    # the conflicts page has real rows: a reviewer of the city's own administration, by organisation and city
    reasons = {(r.user.name, r.conflict.reason.value) for r in conflict_rows(ev)}
    assert {("Andreas Kötter", "organisation"), ("Andreas Kötter", "city"), ("Sarah Lindemann", "declared"),
            ("Dr. Ute Brandhorst", "organisation")} <= reasons


def test_the_assignment_never_assigns_a_conflict_and_keeps_to_the_limits(seeded):
    from review_app.review.queries import conflict_map

    ev = event(DEMO_SLUG)
    rows = review_rows(ev)

    conflicts = conflict_map(ev)
    assert rows and not [(r.user_id, p.title) for _a, r, p, _rv in rows if (r.user_id, p.id) in conflicts]
    assert all(p.main_theme_id in {t.id for t in r.limited_themes} for _a, r, p, _rv in rows if r.limited_themes)
    assert all(p.language in r.language_set for _a, r, p, _rv in rows)
    assert all(a.automatic and ev.review_opens_at <= a.created_at < ev.review_closes_at for a, *_ in rows)
    # every proposal that was under review when the assignment ran has k = 3 reviewers
    per_proposal = Counter(p.id for _a, _r, p, _rv in rows)
    assert set(per_proposal.values()) == {3}
    assert {p.state for _a, _r, p, _rv in rows} >= {ProposalState.accepted, ProposalState.rejected,
                                                    ProposalState.under_review}
    assert Counter(db.session.scalars(select(OutboxMessage.template)))["review_assignments"] == 7


def test_the_reviews_are_complete_varied_and_written_before_the_decisions(seeded):
    from review_app.review.models import Decision, Recommendation, ReviewState

    ev = event(DEMO_SLUG)
    reviews = [rv for *_x, rv in review_rows(ev) if rv is not None]
    submitted = [rv for rv in reviews if rv.state is ReviewState.submitted]
    drafts = [rv for rv in reviews if rv.state is ReviewState.draft]

    assert len(submitted) >= 60 and len(drafts) == 2
    criteria = {c.id for c in ev.criteria}
    for rv in submitted:
        assert {s.criterion_id for s in rv.scores} == criteria
        assert rv.recommendation is not None and rv.confidence in (1, 2, 3) and rv.comment_committee
        assert ev.review_opens_at <= rv.submitted_at < ev.review_closes_at
    assert all(d.assignment.proposal.state is ProposalState.under_review for d in drafts)
    scores = Counter(s.score for rv in submitted for s in rv.scores)
    assert len(scores) >= 4, scores
    assert len({rv.recommendation for rv in submitted}) >= 4 and Recommendation.strong_accept in {
        rv.recommendation for rv in submitted}
    first_decision = db.session.scalar(select(func.min(Decision.decided_at)))
    assert max(rv.submitted_at for rv in submitted) < first_decision
    # accepted proposals scored better than rejected ones, on average
    def mean(state):
        values = [s.score for rv in submitted if rv.assignment.proposal.state is state for s in rv.scores]
        return sum(values) / len(values)
    assert mean(ProposalState.confirmed) > mean(ProposalState.rejected) + 1


def test_a_pending_decision_is_invisible_on_its_speakers_pages(demo_app, demo_client):
    from review_app.review.models import Decision

    client = demo_client
    with demo_app.app_context():
        ev = event(DEMO_SLUG)
        pending = db.session.execute(
            select(Proposal.id, User.email).join(Decision, Decision.proposal_id == Proposal.id)
            .join(ProposalSpeaker, (ProposalSpeaker.proposal_id == Proposal.id) & ProposalSpeaker.is_submitter)
            .join(User, User.id == ProposalSpeaker.user_id)
            .where(Proposal.event_id == ev.id, Decision.released_at.is_(None))).all()
    assert pending
    for proposal_id, email in pending:
        client.post("/logout")
        assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
        page = client.get(f"/events/{DEMO_SLUG}/proposals/{proposal_id}").get_data(as_text=True)
        assert "In Begutachtung" in page
        assert not any(word in page for word in ("Angenommen", "Abgelehnt", "Auf der Warteliste", "bestätigen"))


def test_the_ranking_page_shows_the_committee_the_review_numbers(demo_app, demo_client):
    from markupsafe import escape

    from review_app.review.queries import conflicted_proposal_ids
    from review_app.review.ranking import rank

    client = demo_client
    with demo_app.app_context():
        result = demo_app.demo_result
        ev = event(DEMO_SLUG)
        chair = db.session.scalar(select(User).where(User.email == dict(result.logins())["committee member"][0]))
        rows = rank(ev, chair).rows
        hidden = conflicted_proposal_ids(ev, chair)
        expected = [(str(escape(r.proposal.title)), f"{r.done}/{r.assigned}", f"{r.stats.mean:.1f}",
                     f"{r.calibrated:.1f}") for r in rows if r.done]
        hidden_titles = [p.title for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(hidden)))]
        chair_email = chair.email
    assert len(expected) >= 15 and hidden_titles
    assert client.post("/login", data={"email": chair_email, "password": DEMO_PASSWORD}).status_code == 302

    page = client.get(f"/events/{DEMO_SLUG}/manage/ranking")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    for title, counts, mean, calibrated in expected:
        row = html[html.index(title):]
        row = row[:row.index("</tr>")]
        assert f"<td>{counts}</td>" in row and f"<td>{mean}</td>" in row and calibrated in row, title
    assert not [t for t in hidden_titles if str(escape(t)) in html]  # the chair's conflicts stay off her page


# -- the programme of the 2025 edition ---------------------------------------------------------------------------

def test_the_programme_has_two_released_versions_without_a_hard_conflict(seeded):
    from review_app.schedule import checks
    from review_app.schedule.models import ScheduleBlock, ScheduleVersion
    from review_app.schedule.queries import load

    ev = event(DEMO_SLUG)
    v1, v2 = db.session.scalars(select(ScheduleVersion).where(ScheduleVersion.event_id == ev.id)
                                .order_by(ScheduleVersion.number)).all()
    confirmed = set(db.session.scalars(select(Proposal.id).where(Proposal.event_id == ev.id,
                                                                 Proposal.state == ProposalState.confirmed)))
    cancelled = list(db.session.scalars(select(Proposal).where(Proposal.event_id == ev.id,
                                                               Proposal.state == ProposalState.cancelled)))
    # about 60 sessions on two days in both venues, every confirmed session in the latest version
    assert 50 <= len(v1.snapshot["sessions"]) <= 65
    assert {s["id"] for s in v2.snapshot["sessions"]} == confirmed
    assert {s["venue_id"] for s in v2.snapshot["sessions"]} == {v.id for v in ev.venues}
    assert {s["start"][:10] for s in v2.snapshot["sessions"]} == {"2025-02-05", "2025-02-06"}
    # v2: one cancellation (the other was called off before v1) and one move
    assert len(cancelled) == 2 and all(p.cancel_reason for p in cancelled)
    assert v2.changes["new"] == [] and len(v2.changes["moved"]) == 1 and len(v2.changes["cancelled"]) == 1
    assert [s["id"] for s in v2.snapshot["cancelled"]] == v2.changes["cancelled"]
    assert v1.changes["new"] == sorted(s["id"] for s in v1.snapshot["sessions"]) and v1.comment and v2.comment
    # neither version, nor the draft, breaks a hard rule
    draft = load(ev)
    for version in (v1, v2):
        placements = [checks.Placement(s["id"], s["room_id"], datetime.fromisoformat(s["start"]),
                                       datetime.fromisoformat(s["end"]), s["lane"])
                      for s in version.snapshot["sessions"]]
        sessions = dict(draft.plan.sessions)
        for s in version.snapshot["sessions"]:
            if s["id"] not in sessions:  # cancelled since: as it was
                speakers = tuple(p["id"] for p in s["speakers"])
                sessions[s["id"]] = checks.Session(s["id"], s["title"], s["minutes"], speakers, s["theme"]["id"],
                                                   s["format"]["id"])
        plan = checks.Plan(sessions, draft.plan.rooms, placements, draft.plan.blocks, draft.plan.travel,
                           draft.plan.changeover, draft.plan.event_window)
        assert [p for p in checks.check(plan) if p.level == "error"] == [], version.number
    assert count(ScheduleBlock) >= 4 and {b["kind"] for b in v1.snapshot["blocks"]} >= {"opening", "lunch", "closing"}
    # the speakers of every session in v1 were told, with a calendar file; cancelled sessions' speakers too
    mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "session_scheduled")))
    told = {m.recipient for m in mails}
    speakers_v1 = {p["id"] for s in v1.snapshot["sessions"] for p in s["speakers"]}
    assert len(told) == len(speakers_v1)
    assert all(m.attachments and m.attachments[0]["content"].startswith("BEGIN:VCALENDAR") for m in mails)
    assert Counter(db.session.scalars(select(OutboxMessage.template)))["proposal_cancelled"] >= 2
