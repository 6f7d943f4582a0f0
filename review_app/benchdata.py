"""`flask bench-data`: deterministic benchmark data at three sizes, built through the same services as the demo.

S is the demo itself (`seed_demo`, its own slug, every account's password set to the bench password). M and L are
one event `bench` whose history (call, review, decisions, confirmations, schedule, release) is played at a fixed
clock in 2026; at the end the committee extends the call and the review window relative to the real current time
(closing in 30 and 60 days), so that speakers can edit and submit their drafts and reviewers can score their
remaining assignments while the load test runs. Only the drafts' timestamps and those two deadlines depend on the
real date. Mail is queued in the outbox like anywhere else; nothing sends it unless a worker runs.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from .accounts import services as accounts
from .accounts.models import User
from .audit.models import record
from .cfp import services as cfp
from .cfp.models import Proposal, ProposalSpeaker, ProposalState
from .db import db
from .events import services as events
from .events.models import Event, ReviewCriterion, Role, Room, RoomOpening, SessionFormat, Theme, Venue
from .review import assigning, decisions, reviewers, reviewing
from .review.models import ConflictOverride, Recommendation, Reviewer
from .review.queries import forget_conflicts
from .schedule import releases
from .schedule import services as schedule
from .schedule.queries import load as load_draft

PASSWORD = "bench password 1"  # noqa: S105 - the documented password of every generated account
SLUG = "bench"
DOMAIN = "bench.invalid"
SEED = 2026


@dataclass(frozen=True)
class Size:
    proposals: int  # proposals that went through the call (besides one fresh draft per speaker)
    reviewers: int
    scheduled: int  # confirmed sessions placed in the released programme
    rooms: int
    speakers: int
    open_per_reviewer: int = 3  # proposals still under review whose assignments wait for each reviewer's score
    reviews_per_proposal: int = 2


SIZES = {"M": Size(300, 30, 120, 8, 150), "L": Size(2000, 200, 240, 16, 1000)}
# the fixed clock of the history (Europe/Berlin is UTC+1 in winter)
CFP_OPENS = datetime(2026, 1, 5, 8, tzinfo=UTC)
CFP_CLOSES = datetime(2026, 3, 1, 22, 59, tzinfo=UTC)
REVIEW_OPENS = datetime(2026, 3, 2, 8, tzinfo=UTC)
REVIEW_CLOSES = datetime(2026, 3, 31, 21, 59, tzinfo=UTC)
EVENT_DAY = date(2031, 6, 4)  # far enough ahead that "closing in 30 days" stays before the event for years
DAY_START, DAY_END, LUNCH = time(9), time(18), time(12)
THEMES = [("Künstliche Intelligenz", "Artificial intelligence", "#005A9C"), ("Data Spaces", "Data spaces", "#6A3D9A"),
          ("Mobilität", "Mobility", "#9C4A00"), ("Digitale Verwaltung", "Digital administration", "#B2182B")]
CRITERIA = [("Relevanz", "Relevance", 2), ("Praxisbezug", "Practical relevance", 3), ("Klarheit", "Clarity", 1)]


class BenchRefused(Exception):
    """The bench data is not built: the database is not empty (or not migrated)."""


@dataclass
class BenchResult:
    size: str
    slug: str
    password: str
    counts: dict[str, int] = field(default_factory=dict)
    chair: str = ""
    sample_speaker: str = ""
    sample_reviewer: str = ""
    speakers: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    session_ids: list[int] = field(default_factory=list)
    draft_ids: dict[str, int] = field(default_factory=dict)  # a sample: speaker email → their open draft

    def as_dict(self) -> dict:
        return {"size": self.size, "slug": self.slug, "password": self.password, "counts": self.counts,
                "chair": self.chair, "sample_speaker": self.sample_speaker, "sample_reviewer": self.sample_reviewer,
                "speakers": len(self.speakers), "reviewers": len(self.reviewers), "session_ids": self.session_ids,
                "sample_drafts": self.draft_ids}


def check_empty() -> None:
    try:
        users = db.session.scalar(select(func.count()).select_from(User)) or 0
        count = db.session.scalar(select(func.count()).select_from(Event)) or 0
    except Exception as err:  # the tables are missing
        db.session.rollback()
        raise BenchRefused("The database is not migrated: run `flask db upgrade` first.") from err
    if users or count:
        raise BenchRefused(f"The database already holds {users} account(s) and {count} event(s). bench-data "
                           "builds only into a freshly migrated, empty database (`flask db upgrade` on a new one).")


def build(size: str, *, now: datetime | None = None, custom: Size | None = None) -> BenchResult:
    """Build one size into the (empty) database and commit; `now` is the real current time (default: the
    clock), `custom` a smaller shape for tests."""
    now = now or datetime.now(UTC)
    check_empty()
    try:
        demo_size = size == "S" and custom is None
        result = _build_demo(now) if demo_size else Builder(custom or SIZES[size], size, now).run()
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def _build_demo(now: datetime) -> BenchResult:
    from . import demo

    demo.seed_demo(now=now)
    db.session.query(User).update({User.password_hash: accounts.hash_password(PASSWORD)})
    event = db.session.scalar(select(Event).where(Event.slug == demo.DEMO_SLUG))
    chair = demo.email_of(demo.data.COMMITTEE[0], demo.data.COMMITTEE[1])
    speakers = [demo.email_of(n, o) for n, o, _l, _t in demo.data.SPEAKERS]
    revs = [demo.email_of(n, o) for n, o, _l, _t in demo.data.REVIEWERS]
    result = BenchResult("S", event.slug, PASSWORD, chair=chair, speakers=speakers, reviewers=revs)
    _finish(result, event)
    # the demo speaker with the most proposals in this edition is the sample
    owner = db.session.execute(
        select(User.email, func.count()).join(ProposalSpeaker, ProposalSpeaker.user_id == User.id)
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
        .where(Proposal.event_id == event.id).group_by(User.email).order_by(func.count().desc(), User.email)
    ).first()
    result.sample_speaker = owner[0] if owner else speakers[0]
    result.sample_reviewer = revs[0]
    return result


def _finish(result: BenchResult, event: Event) -> None:
    from .schedule.models import ScheduleEntry

    states = dict(db.session.execute(select(Proposal.state, func.count()).where(Proposal.event_id == event.id)
                                     .group_by(Proposal.state)).all())
    result.counts = {"proposals": sum(states.values()), **{s.value: n for s, n in sorted(
        states.items(), key=lambda kv: kv[0].value)}}
    result.session_ids = list(db.session.scalars(
        select(ScheduleEntry.proposal_id).join(Proposal, Proposal.id == ScheduleEntry.proposal_id)
        .where(Proposal.event_id == event.id).order_by(ScheduleEntry.proposal_id)))
    result.counts["scheduled"] = len(result.session_ids)
    result.counts["rooms"] = db.session.scalar(select(func.count()).select_from(Room).where(
        Room.event_id == event.id)) or 0
    result.counts["reviewers"] = db.session.scalar(select(func.count()).select_from(Reviewer).where(
        Reviewer.event_id == event.id)) or 0
    result.counts["accounts"] = db.session.scalar(select(func.count()).select_from(User)) or 0


class Builder:
    def __init__(self, size: Size, label: str, now: datetime):
        self.size, self.label, self.now = size, label, now
        self.rng = random.Random(SEED)

    def run(self) -> BenchResult:
        sz = self.size
        if sz.scheduled > sz.proposals or sz.speakers < 1:
            raise BenchRefused("A size needs at least as many proposals as scheduled sessions, and a speaker.")
        self.hashed = accounts.hash_password(PASSWORD)
        self.admin = accounts.create_admin(email=f"admin@{DOMAIN}", name="Bench Admin", password=PASSWORD,
                                           hashed=self.hashed, now=CFP_OPENS - timedelta(days=30))
        self.chair = self.person(f"chair@{DOMAIN}", "Chair Bench", CFP_OPENS - timedelta(days=29), "research")
        self.reviewer_users = [self.person(f"reviewer{i}@{DOMAIN}", f"Reviewer {i}", CFP_OPENS - timedelta(days=28),
                                           "research")
                               for i in range(1, sz.reviewers + 1)]
        self.speakers = [self.person(f"speaker{i}@{DOMAIN}", f"Speaker {i}", CFP_OPENS + timedelta(minutes=i))
                         for i in range(1, sz.speakers + 1)]
        event = self.event()
        proposals = self.call(event)
        self.review(event, proposals)
        sessions = self.decide_and_confirm(event, proposals)
        self.programme(event, sessions)
        self.reopen(event)
        result = BenchResult(self.label, event.slug, PASSWORD, chair=self.chair.email,
                             speakers=[u.email for u in self.speakers],
                             reviewers=[u.email for u in self.reviewer_users])
        result.draft_ids = self.drafts(event)
        result.sample_speaker, result.sample_reviewer = result.speakers[0], result.reviewers[0]
        _finish(result, event)
        return result

    def person(self, email: str, name: str, at: datetime, kind: str = "company") -> User:
        user = accounts.register(name=name, email=email, password=PASSWORD, hashed=self.hashed,
                                 organisation=f"Organisation {name}", organisation_type=kind, city="Herne",
                                 language="en", privacy_consented=True, now=at)
        user.email_confirmed_at = at  # as if following the mailed link at once
        return user

    def event(self) -> Event:
        sz, at = self.size, CFP_OPENS - timedelta(days=21)
        event = events.create_event(
            actor=self.admin, now=at, slug=SLUG, name=f"Bench {self.label}", motto_de="Bench", motto_en="Bench",
            description_de="Benchmark-Daten.", description_en="Benchmark data.", timezone="Europe/Berlin",
            starts_on=EVENT_DAY, ends_on=EVENT_DAY + timedelta(days=1), cfp_opens_at=CFP_OPENS,
            cfp_closes_at=CFP_CLOSES, review_opens_at=REVIEW_OPENS, review_closes_at=REVIEW_CLOSES)
        events.grant_role(event, self.chair, Role.committee, actor=self.admin, now=at)
        chair, at = self.chair, at + timedelta(days=1)

        def save(item, **values):
            def apply(obj):
                for key, value in values.items():
                    setattr(obj, key, value)
            return events.save_item(event, item, actor=chair, now=at, apply=apply)

        venue = save(Venue(), name="Bench Hall", address="Bench Street 1")
        self.format = save(SessionFormat(), name_de="Vortrag", name_en="Talk", default_minutes=30, venues=[venue])
        self.rooms = [save(Room(), venue=venue, name=f"Room {i:02d}", capacity=100 + 10 * i, formats=[self.format],
                           openings=[RoomOpening(day=d, opens=DAY_START, closes=DAY_END) for d in event.days])
                      for i in range(1, sz.rooms + 1)]
        self.themes = [save(Theme(), name_de=de, name_en=en, colour=colour, position=i)
                       for i, (de, en, colour) in enumerate(THEMES)]
        for i, (de, en, weight) in enumerate(CRITERIA):
            save(ReviewCriterion(), name_de=de, name_en=en, weight=weight, scale_min=1, scale_max=5, position=i)
        cap = -(-sz.proposals * sz.reviews_per_proposal // sz.reviewers) + sz.open_per_reviewer + 5
        for user in self.reviewer_users:
            reviewers.invite_reviewer(event, user.email, language="en", actor=chair, now=at)
            reviewers.set_limits(event, user, limited_theme_ids=[], max_load=cap, actor=chair, now=at)
        db.session.expire(event)
        return event

    def data(self, event: Event, i: int, *, complete: bool = True) -> cfp.ProposalData:
        day = event.days[i % 2]
        return cfp.ProposalData(
            title=f"Bench proposal {i}", abstract=f"What project {i} did, and what other cities can take from it.",
            language="en", description=f"The longer description of proposal {i}.\n\n## How it runs\n\nA talk.",
            format_id=self.format.id, main_theme_id=self.themes[i % len(self.themes)].id,
            project_organisation=f"Organisation {i}", project_city="Herne", project_partners="Partners",
            project_results="Results", project_transfer="Transfer",
            availability=[(event.at(day, DAY_START), event.at(day, DAY_END)),
                          (event.at(event.days[(i + 1) % 2], DAY_START), event.at(event.days[(i + 1) % 2], DAY_END))]
            if complete else None)

    def lift_domain_conflicts(self, event: Event, pairs: list[tuple[int, int]], at: datetime) -> None:
        """Every generated address shares one mail domain, which the conflict rules read as one organisation: the
        committee lifts that conflict for the pairs that need it (the chair and every proposal, each reviewer and
        their assignments). Written in bulk, with one audit row, because conflict_admin.override_conflict
        recomputes the whole conflict map per pair (minutes at L)."""
        rows = [{"event_id": event.id, "user_id": uid, "proposal_id": pid, "created_by_id": self.admin.id,
                 "created_at": at, "reason": f"Bench data: every address is @{DOMAIN}."} for uid, pid in pairs]
        if rows:
            db.session.execute(insert(ConflictOverride), rows)
        record(actor=self.admin, action="conflict.override", obj=event, now=at, event_id=event.id,
               count=len(rows), reason=f"bench data: the shared mail domain {DOMAIN}")
        forget_conflicts()

    def owner(self, i: int) -> User:
        return self.speakers[i % len(self.speakers)]

    def call(self, event: Event) -> list[Proposal]:
        proposals, span = [], int((CFP_CLOSES - CFP_OPENS).total_seconds() // 60) - 24 * 60
        for i in range(self.size.proposals):
            at = CFP_OPENS + timedelta(minutes=60 + self.rng.randint(0, span))
            proposal = cfp.create_proposal(event, self.data(event, i), actor=self.owner(i), now=at)
            cfp.submit(proposal, actor=self.owner(i), now=at + timedelta(minutes=5))
            proposals.append(proposal)
        self.lift_domain_conflicts(event, [(self.chair.id, p.id) for p in proposals], CFP_CLOSES)
        decisions.start_review_all(event, actor=self.chair, now=REVIEW_OPENS)
        return proposals

    def review(self, event: Event, proposals: list[Proposal]) -> None:
        """Two reviewers per proposal by hand (round robin); every review is submitted except those of the last
        `open_per_reviewer × reviewers` proposals, which stay under review for the reviewers to score."""
        sz, chair = self.size, self.chair
        rows = {r.user_id: r for r in db.session.scalars(select(Reviewer).where(Reviewer.event_id == event.id))}
        revs = [rows[u.id] for u in self.reviewer_users]
        self.open_ids = {p.id for p in proposals[max(sz.scheduled, len(proposals) - sz.open_per_reviewer *
                                                    len(revs) // sz.reviews_per_proposal):]}
        at = REVIEW_OPENS + timedelta(hours=1)
        pairs = [(revs[(n * sz.reviews_per_proposal + k) % len(revs)], proposal)
                 for n, proposal in enumerate(proposals) for k in range(min(sz.reviews_per_proposal, len(revs)))]
        self.lift_domain_conflicts(event, [(r.user_id, p.id) for r, p in pairs], at - timedelta(minutes=30))
        work = [assigning.assign(event, reviewer, proposal, actor=chair, now=at) for reviewer, proposal in pairs]
        criteria = list(db.session.scalars(select(ReviewCriterion).where(ReviewCriterion.event_id == event.id)))
        for n, row in enumerate(work):
            if row.proposal_id in self.open_ids:
                continue
            quality = 4.3 if n // sz.reviews_per_proposal < sz.scheduled else 2.0
            scores = {c.id: min(5, max(1, round(quality + self.rng.gauss(0, 0.5)))) for c in criteria}
            mean = sum(scores.values()) / len(scores)
            rec = Recommendation.accept if mean >= 3.5 else Recommendation.reject
            reviewing.save_review(row, reviewing.ReviewData(scores=scores, recommendation=rec.value, confidence=2,
                                                            comment_committee=f"Review {n}."),
                                  actor=row.reviewer.user, now=at + timedelta(days=1, minutes=n % 600),
                                  expected_version=None, submit=True)

    def decide_and_confirm(self, event: Event, proposals: list[Proposal]) -> list[Proposal]:
        at = REVIEW_CLOSES - timedelta(days=2)
        accepted = proposals[:self.size.scheduled]
        for n, proposal in enumerate(proposals):
            if proposal.id in self.open_ids:
                continue
            decisions.decide(proposal, "accept" if n < self.size.scheduled else "reject", actor=self.chair, now=at)
        decisions.release(event, actor=self.chair, now=at + timedelta(hours=2))
        for n, proposal in enumerate(accepted):
            cfp.confirm(proposal, actor=self.owner(n), now=at + timedelta(days=1, minutes=n))
        return accepted

    def programme(self, event: Event, sessions: list[Proposal]) -> None:
        """Each session in its own hour: room by room, day by day (30-minute talks, half an hour free between)."""
        at = REVIEW_CLOSES + timedelta(days=10)
        # a lunch break across every room each day, as real programmes have (the pages then show and load blocks)
        for day in event.days:
            schedule.save_block(event, schedule.BlockData(
                kind="lunch", title_de="Mittagspause", title_en="Lunch break", starts_at=event.at(day, LUNCH),
                ends_at=event.at(day, time(LUNCH.hour + 1)), venue_id=None, room_ids=[r.id for r in self.rooms]),
                actor=self.chair, now=at - timedelta(hours=1))
        slots = [(room, day, hour) for day in event.days for hour in range(DAY_START.hour, DAY_END.hour)
                 if hour != LUNCH.hour for room in self.rooms]
        if len(slots) < len(sessions):
            raise BenchRefused(f"{len(sessions)} sessions do not fit into {len(slots)} hours of the rooms.")
        # the slots never overlap, so one draft read before serves every placement's check of its room (reading
        # it again per placement made this step quadratic); the database's overlap guard still checks each row
        draft = load_draft(event)
        for proposal, (room, day, hour) in zip(sessions, slots, strict=False):
            schedule.place(event, proposal.id, room.id, event.at(day, time(hour)), actor=self.chair, now=at,
                           draft=draft)
        releases.release(event, "The bench programme.", actor=self.chair, now=at + timedelta(hours=1))

    def reopen(self, event: Event) -> None:
        """The committee extends the call and the review window relative to the real time (a second round)."""
        if self.now + timedelta(days=60) >= event.at(EVENT_DAY, time.min):
            raise BenchRefused("The bench event's fixed date is too close; move EVENT_DAY later.")
        events.update_event(event, actor=self.chair, now=self.now, cfp_closes_at=self.now + timedelta(days=30),
                            review_closes_at=self.now + timedelta(days=60))

    def drafts(self, event: Event) -> dict[str, int]:
        """One fresh draft per speaker, created now (the call is open): theirs to edit and submit."""
        sample = {}
        for i, speaker in enumerate(self.speakers):
            proposal = cfp.create_proposal(event, self.data(event, self.size.proposals + i), actor=speaker,
                                           now=self.now)
            if i < 5:
                sample[speaker.email] = proposal.id
        db.session.flush()
        drafts = db.session.scalars(select(Proposal.id).where(Proposal.event_id == event.id,
                                                              Proposal.state == ProposalState.draft))
        self.lift_domain_conflicts(event, [(self.chair.id, pid) for pid in drafts], self.now)
        return sample
