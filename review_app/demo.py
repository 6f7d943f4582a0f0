"""`flask seed-demo`: the Smart City Days demo, built through the same service functions as the app.

Two editions: the 2025 edition, whose call and review are over (proposals in every state), and an open
edition (2027, or later if the real date requires it) in which a newcomer can submit. Every action runs as
its actor at a simulated moment inside the right phase, so the audit log and the outbox look as if the
people had used the site. The same seed (and date) gives the same data. The content is in demo_data.py.
"""
from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import func, select

from . import demo_data as data
from .accounts import services as accounts
from .accounts.models import User
from .cfp import services as cfp
from .cfp.models import Proposal, ProposalState
from .db import db
from .errors import DomainError
from .events import services as events
from .events.models import (
    Audience,
    Event,
    EventRole,
    ReviewCriterion,
    Role,
    Room,
    RoomOpening,
    SessionFormat,
    Theme,
    Venue,
)
from .mail.services import absolute_url
from .review import assigning, conflict_admin, decisions, reviewers, reviewing
from .review.models import Recommendation
from .review.queries import conflicted_proposal_ids, forget_conflicts
from .schedule import autoschedule, checks, releases
from .schedule import services as schedule
from .schedule.models import BlockKind
from .schedule.queries import load as load_schedule

BERLIN = ZoneInfo("Europe/Berlin")
S = ProposalState
DEMO_SLUG = "smart-city-days-2025"

# How many 2025 proposals end in each state (every state at least twice); shuffled over the proposals.
STATE_MIX = {S.draft: 3, S.submitted: 3, S.withdrawn: 4, S.under_review: 4, S.accepted: 4, S.waitlisted: 4,
             S.rejected: 6, S.confirmed: 7, S.declined: 3, S.cancelled: 2}
# every proposal of data.PROGRAMME_2025 is accepted and confirmed: the programme fills both venues
# the committee's decisions (review.decisions): pending until released; "promote" accepts from the waiting list
DECISIONS = {"accept": "accept", "waitlist": "waitlist", "reject": "reject", "promote": "accept",
             "pending_accept": "accept", "pending_reject": "reject"}
PENDING_UNDER_REVIEW = 2  # this many of the proposals still under review have a decision not yet released
DRAFT_REVIEWS = 2  # reviews of proposals still under review that were saved as drafts only
# how good the reviewers find a proposal (on the 1–5 scale), by where it ends up; each proposal varies around it
QUALITY = {S.accepted: 4.1, S.confirmed: 4.2, S.cancelled: 4.0, S.declined: 4.0, S.waitlisted: 3.4, S.rejected: 2.2,
           S.under_review: 3.1, S.withdrawn: 3.0}
AVAILABILITY = [  # (day index, from, to) windows a person may state (the first, both days, most often)
    [(0, time(9), time(18)), (1, time(9), time(18))],
    [(0, time(9), time(18))],
    [(1, time(9), time(18))],
    [(0, time(13), time(18)), (1, time(9), time(13))],
    [(0, time(10), time(16))],
]


class DemoRefused(Exception):
    """The demo is not loaded, because it would mix with other data (or the data contradicts it)."""


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


FIRST_RELEASE = berlin(2024, 12, 20, 18)  # the committee releases its decisions in the evening after deciding
# the review phase of the 2025 edition: the committee marks the alias and the reviewers bid on the first evening
# of the review window, the automatic assignment runs the next morning, the reviews come in until the 19th
ALIAS_AT = berlin(2024, 12, 2, 8, 30)
BIDS_FROM, BIDS_TO = berlin(2024, 12, 2, 17, 30), berlin(2024, 12, 2, 22)
ASSIGN_AT = berlin(2024, 12, 3, 9)
REVIEWS_FROM, REVIEWS_TO = berlin(2024, 12, 3, 11), berlin(2024, 12, 19, 20)
# the programme: one session called off before anything is published; the committee sets two lengths, adds the
# blocks and drafts the schedule automatically, pins the panels and releases v1; then a speaker cancels, the
# committee moves one session, and releases v2
EARLY_CANCEL = berlin(2025, 1, 22, 20)  # after the last confirmation (within 12 days of the release on 10 January)
PROGRAMME_AT = berlin(2025, 1, 23, 9)
V1_AT = berlin(2025, 1, 23, 16)
LATE_CANCEL, MOVE_AT, V2_AT = berlin(2025, 1, 28, 10), berlin(2025, 1, 28, 15), berlin(2025, 1, 29, 11)


@dataclass(frozen=True)
class Edition:
    year: int
    starts_on: date
    cfp_opens: datetime
    cfp_closes: datetime
    review_opens: datetime
    review_closes: datetime
    intro: str
    intro_en: str

    @property
    def slug(self) -> str:
        return f"smart-city-days-{self.year}"

    def shifted(self, years: int) -> Edition:
        """The same calendar `years` later (wall-clock times kept in Berlin)."""
        def move(moment: datetime) -> datetime:
            local = moment.astimezone(BERLIN)
            return local.replace(year=local.year + years).astimezone(UTC)
        return replace(self, year=self.year + years,
                       starts_on=self.starts_on.replace(year=self.starts_on.year + years),
                       cfp_opens=move(self.cfp_opens), cfp_closes=move(self.cfp_closes),
                       review_opens=move(self.review_opens), review_closes=move(self.review_closes))


EDITION_2025 = Edition(2025, date(2025, 2, 5), berlin(2024, 9, 2, 9), berlin(2024, 12, 1, 23, 59),
                       berlin(2024, 12, 2), berlin(2024, 12, 20, 23, 59),
                       "Am 5. und 6. Februar 2025 ist Herne zum zweiten Mal Veranstaltungsort.",
                       "On 5 and 6 February 2025, Herne hosts the event for the second time.")
# The call opens more than a year before it closes, so that a whole-year shift always finds an open call.
EDITION_2027 = Edition(2027, date(2027, 2, 3), berlin(2026, 1, 5, 9), berlin(2027, 1, 10, 23, 59),
                       berlin(2027, 1, 11), berlin(2027, 1, 22, 23, 59),
                       "Am 3. und 4. Februar 2027 lädt Herne wieder zu zwei Tagen Austausch ein.",
                       "On 3 and 4 February 2027, Herne again invites you to two days of exchange.")


def open_edition(now: datetime) -> Edition:
    """The 2027 edition, moved by whole years until its call for sessions is open at `now`."""
    years = 0
    while EDITION_2027.shifted(years).cfp_closes <= now:
        years += 1
    edition = EDITION_2027.shifted(years)
    if years:
        edition = replace(edition, intro=f"Am {edition.starts_on:%d.%m.%Y} und am Folgetag lädt Herne wieder "
                                         "zu zwei Tagen Austausch ein.",
                          intro_en=f"On {format_date(edition.starts_on, 'd MMMM y', locale='en')} and the day "
                                   "after, Herne again invites you to two days of exchange.")
    return edition


def email_of(name: str, org: str) -> str:
    parts = [p for p in name.split() if not p.endswith(".")]  # without "Dr.", "Prof."
    local = ".".join(parts).lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ś", "s")):
        local = local.replace(a, b)
    return f"{local}@{data.ORGS[org][3]}"


# -- the result --------------------------------------------------------------------------------------------

@dataclass
class EditionSummary:
    name: str
    slug: str
    states: dict[str, int]
    cfp_closes: str
    cfp_open: bool


@dataclass
class DemoResult:
    created: bool
    seed: int
    editions: list[EditionSummary] = field(default_factory=list)
    accounts: int = 0
    notes: list[str] = field(default_factory=list)
    login_url: str = ""

    def logins(self) -> list[tuple[str, list[str]]]:
        speakers = [email_of(name, org) for name, org, _lang, _title in data.SPEAKERS]
        return [("site admin", [data.ADMIN[1]]),
                ("committee member", [email_of(data.COMMITTEE[0], data.COMMITTEE[1])]),
                ("reviewer", [email_of(name, org) for name, org, _lang, _title in data.REVIEWERS]),
                ("speaker", speakers[:3] + [f"… and {len(speakers) - 3} more"])]

    def summary(self) -> str:
        if self.created:
            lines = [f"Loaded the Smart City Days demo (seed {self.seed}): {self.accounts} accounts."]
        else:
            lines = [f"The Smart City Days demo is already loaded ({DEMO_SLUG} exists); nothing was changed."]
        for ed in self.editions:
            states = ", ".join(f"{n} {state}" for state, n in ed.states.items())
            call = f"open until {ed.cfp_closes}" if ed.cfp_open else f"closed on {ed.cfp_closes}"
            lines.append(f"  {ed.name} ({ed.slug}): {sum(ed.states.values())} proposals ({states}); "
                         f"call for sessions {call}")
        lines += [f"  {note}" for note in self.notes]
        lines.append(f"Demo logins at {self.login_url} (the password of every demo account: "
                     f"{data.DEMO_PASSWORD}):")
        lines += [f"  {role + ':':<18}{', '.join(emails)}" for role, emails in self.logins()]
        return "\n".join(lines)


def describe(result: DemoResult, now: datetime) -> DemoResult:
    """Fill the result from the database: the demo editions (those the demo chair runs), their proposals."""
    chair_email = email_of(data.COMMITTEE[0], data.COMMITTEE[1])
    demo_events = db.session.scalars(
        select(Event).join(EventRole, EventRole.event_id == Event.id).join(User, User.id == EventRole.user_id)
        .where(User.email == chair_email, EventRole.role == Role.committee,
               Event.slug.like("smart-city-days-%"))
        .order_by(Event.starts_on))
    for event in demo_events:
        counts = Counter(db.session.scalars(select(Proposal.state).where(Proposal.event_id == event.id)))
        closes = event.local(event.cfp_closes_at).strftime("%Y-%m-%d %H:%M")
        states = {s.value: counts[s] for s in S if counts[s]}
        result.editions.append(EditionSummary(event.name, event.slug, states, f"{closes} ({event.timezone})",
                                              event.cfp_is_open(now)))
    result.accounts = db.session.scalar(select(func.count()).select_from(User)) or 0
    result.login_url = absolute_url("accounts.login")
    return result


# -- entry point -------------------------------------------------------------------------------------------

def seed_demo(seed: int = 2025, force: bool = False, *, now: datetime | None = None) -> DemoResult:
    """Load the demo once; `now` (default: the app's clock) decides which later edition is open."""
    from .web import clock

    now = now or clock()
    if db.session.scalar(select(Event.id).where(Event.slug == DEMO_SLUG)) is not None:
        return describe(DemoResult(created=False, seed=seed), now)
    has_users = db.session.scalar(select(func.count()).select_from(User))
    has_events = db.session.scalar(select(func.count()).select_from(Event))
    if (has_users or has_events) and not force:
        raise DemoRefused(f"The database already holds {has_users} account(s) and {has_events} event(s) but "
                          "no demo; loading it would mix demo data with yours. Use an empty database, "
                          "or --force.")
    result = DemoResult(created=True, seed=seed)
    try:
        Seeder(random.Random(seed), result).run(now)
    except DomainError as err:
        db.session.rollback()
        raise DemoRefused(f"The demo could not be loaded: {err}") from err
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return describe(result, now)


# -- the seeder ----------------------------------------------------------------------------------------------

@dataclass
class Step:
    at: datetime
    action: str
    actor: str  # email
    proposal_id: int | None = None  # a review's proposal


@dataclass
class Plan:
    """One proposal's life: its content, its people and the steps that bring it to its final state."""

    entry: dict
    owner: str
    co_speaker: str | None
    further: list[str]
    windows: list[tuple[int, time, time]]
    steps: list[Step] = field(default_factory=list)
    proposal: Proposal | None = None
    token: str = ""
    target: ProposalState | None = None
    quality: float | None = None  # how good the reviewers find it (drawn at its first review)


@dataclass
class Config:
    themes: dict[str, Theme]
    formats: dict[str, SessionFormat]
    audiences: dict[str, Audience]


def between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """A moment in [lo, hi], on a whole minute after lo."""
    return lo + timedelta(minutes=rng.randint(0, max(0, int((hi - lo).total_seconds() // 60))))


def after(rng: random.Random, moment: datetime, lo_minutes: int, hi_minutes: int) -> datetime:
    return moment + timedelta(minutes=rng.randint(lo_minutes, hi_minutes))


class Seeder:
    def __init__(self, rng: random.Random, result: DemoResult):
        self.rng = rng
        self.result = result
        self.users: dict[str, User] = {}
        self.people = {email_of(name, org): (name, org, lang, title)
                       for name, org, lang, title in [data.COMMITTEE, *data.REVIEWERS, *data.SPEAKERS]}
        self.chair = email_of(data.COMMITTEE[0], data.COMMITTEE[1])
        self.reviewers = [email_of(name, org) for name, org, _lang, _title in data.REVIEWERS]
        self.pending_left = PENDING_UNDER_REVIEW
        self.plan_of: dict[int, Plan] = {}  # proposal id → its plan
        self.windows: dict[str, list[tuple[int, time, time]]] = {}  # email → availability

    def run(self, now: datetime) -> None:
        # every demo account shares one password: hash it once (argon2 takes 0.1–0.4 s a time)
        self.password_hash = accounts.hash_password(data.DEMO_PASSWORD)
        self.admin = accounts.create_admin(email=data.ADMIN[1], name=data.ADMIN[0], password=data.DEMO_PASSWORD,
                                           hashed=self.password_hash, now=berlin(2024, 6, 3, 9))
        self.register(self.chair, berlin(2024, 6, 10, 10))
        for i, email in enumerate(self.reviewers):
            self.register(email, berlin(2024, 6, 10 + i, 14))
        self.edition_2025()
        edition = open_edition(now)
        if db.session.scalar(select(Event.id).where(Event.slug == edition.slug)) is not None:
            self.result.notes.append(f"The open edition was not created: {edition.slug} already exists.")
        else:
            self.open_edition(edition, now)

    # people --------------------------------------------------------------------------------------------
    def register(self, email: str, at: datetime) -> User:
        name, org, lang, title = self.people[email]
        organisation, kind, city, _domain = data.ORGS[org]
        user = accounts.register(name=name, email=email, password=data.DEMO_PASSWORD,
                                 hashed=self.password_hash, organisation=organisation, organisation_type=kind,
                                 city=city, language=lang, privacy_consented=True, now=at)
        accounts.confirm_email(user.confirmation_token, now=at)  # as if following the mailed link at once
        accounts.update_profile(user, name=name, organisation=organisation, organisation_type=kind, city=city,
                                bio=f"{title}, {organisation}.", language=lang, now=at)
        self.users[email] = user
        return user

    def user(self, email: str) -> User:
        return self.users[email]

    # editions ------------------------------------------------------------------------------------------
    def create_edition(self, edition: Edition, at: datetime) -> tuple[Event, Config]:
        """The event, its committee and reviewers, and the shared configuration."""
        event = events.create_event(
            actor=self.admin, now=at, slug=edition.slug, name=f"Smart City Days {edition.year}",
            motto_de=data.MOTTO_DE, motto_en=data.MOTTO_EN,
            description_de=data.DESCRIPTION.format(intro=edition.intro),
            description_en=data.DESCRIPTION_EN.format(intro=edition.intro_en), timezone="Europe/Berlin",
            starts_on=edition.starts_on, ends_on=edition.starts_on + timedelta(days=1),
            cfp_opens_at=edition.cfp_opens, cfp_closes_at=edition.cfp_closes,
            review_opens_at=edition.review_opens, review_closes_at=edition.review_closes)
        chair = self.user(self.chair)
        events.grant_role(event, chair, Role.committee, actor=self.admin, now=at + timedelta(minutes=5))
        config = configure(event, actor=chair, now=at + timedelta(days=7))
        for email in self.reviewers:  # existing accounts: the role at once, and their Reviewer row
            reviewers.invite_reviewer(event, email, language=self.user(email).language, actor=chair,
                                      now=at + timedelta(days=14))
        for email in self.reviewers:
            limited = data.REVIEWER_PROFILES[self.user(email).name][2]
            reviewers.set_limits(event, self.user(email), limited_theme_ids=[config.themes[k].id for k in limited],
                                 max_load=data.REVIEWER_LOAD, actor=chair, now=at + timedelta(days=14, minutes=5))
        return event, config

    def edition_2025(self) -> None:
        ed = EDITION_2025
        event, config = self.create_edition(ed, berlin(2024, 6, 17, 10))
        states = [state for state, n in STATE_MIX.items() for _ in range(n)]
        assert len(states) == len(data.PROPOSALS_2025)
        self.rng.shuffle(states)
        plans = [self.plan(entry) for entry in data.PROPOSALS_2025]
        for plan, state in zip(plans, states, strict=True):
            plan.target = state
            self.plan_2025(plan, state, ed)
        for row in data.PROGRAMME_2025:
            plan = self.plan(extra_entry(row))
            plan.target = S.confirmed
            self.plan_2025(plan, S.confirmed, ed)
            plans.append(plan)
        review_steps = [Step(ALIAS_AT, "alias", self.chair), Step(ASSIGN_AT, "assign", self.chair)]
        review_steps += [Step(between(self.rng, BIDS_FROM, BIDS_TO), "preferences", email) for email in self.reviewers]
        self.play(event, config, plans, ed.cfp_opens, ed.cfp_closes - timedelta(days=1), review_steps)
        self.programme(event, config, plans)

    def programme(self, event: Event, config: Config, plans: list[Plan]) -> None:
        """The schedule of the 2025 edition through the schedule's services: blocks, lengths, the automatic draft,
        pins, v1; a cancellation and a move, v2. Neither version has a hard conflict."""
        chair = self.user(self.chair)
        cancelled = [p for p in plans if p.target is S.cancelled]
        early, late = cancelled[0], cancelled[1]
        self.cancel(early, EARLY_CANCEL, "Das Projektteam hat den Piloten beendet; es gibt nichts mehr zu "
                                         "berichten.")
        rooms = {r.name: r for v in event.venues for r in v.rooms}
        venues = {v.name: v for v in event.venues}
        for kind, title_de, title_en, day, start, end, venue, room_names in data.BLOCKS:
            schedule.save_block(event, schedule.BlockData(
                kind=BlockKind(kind).value, title_de=title_de, title_en=title_en,
                starts_at=event.at(event.days[day], start), ends_at=event.at(event.days[day], end),
                venue_id=venues[data.VENUES[venue][0]].id if venue else None,
                room_ids=[rooms[n].id for n in room_names]), actor=chair, now=PROGRAMME_AT)
        panels = [p for p in plans if p.proposal.state is S.confirmed and p.entry["fmt"] == "panel"]
        if panels:  # the committee gives the first panel a quarter of an hour more
            schedule.set_session(event, panels[0].proposal.id, minutes=75, audience=150, actor=chair,
                                 now=PROGRAMME_AT + timedelta(minutes=10))
        report = autoschedule.draft_schedule(event, keep_placed=False, actor=chair,
                                             now=PROGRAMME_AT + timedelta(minutes=30), time_limit=0.5, seed=1,
                                             deterministic=True)
        if report.unplaced:
            raise DomainError(f"the demo programme left {len(report.unplaced)} sessions unplaced: "
                              f"{sorted(report.unplaced.items())}")
        for p in panels:
            schedule.pin(event, p.proposal.id, True, actor=chair, now=PROGRAMME_AT + timedelta(hours=1))
        releases.release(event, "Das Programm der Smart City Days 2025 steht fest.", actor=chair, now=V1_AT)
        self.cancel(late, LATE_CANCEL, "Die Referentin ist an diesem Tag verhindert.")
        self.move_one(event, chair, MOVE_AT)
        releases.release(event, "Eine Absage, ein Vortrag zieht in einen anderen Raum.", actor=chair, now=V2_AT)

    def cancel(self, plan: Plan, at: datetime, reason: str) -> None:
        cfp.cancel(plan.proposal, reason, actor=self.user(plan.owner), now=at)

    def move_one(self, event: Event, chair: User, at: datetime) -> None:
        """The committee moves one unpinned talk to free time in another room where no check complains."""
        draft = load_schedule(event)
        before = {(p.kind, p.session_ids) for p in checks.check(draft.plan)}
        for entry in sorted(draft.entries.values(), key=lambda e: e.proposal_id):
            if entry.pinned:
                continue
            for room in sorted(draft.rooms.values(), key=lambda r: r.id):
                if room.id == entry.room_id:
                    continue
                for minutes in range(0, 8 * 60, 30):
                    start = entry.starts_at.replace(minute=0) + timedelta(minutes=minutes - 4 * 60)
                    moved = [checks.Placement(p.session_id, room.id if p.session_id == entry.proposal_id
                                              else p.room_id,
                                              start if p.session_id == entry.proposal_id else p.start,
                                              start + (p.end - p.start) if p.session_id == entry.proposal_id
                                              else p.end, p.lane) for p in draft.plan.placements]
                    trial = replace(draft.plan, placements=moved)
                    if {(p.kind, p.session_ids) for p in checks.check(trial)} <= before and \
                            checks.free_lane(draft.plan, room.id, start, start + (entry.ends_at - entry.starts_at),
                                             ignore=entry.proposal_id) is not None:
                        schedule.place(event, entry.proposal_id, room.id, start, actor=chair, now=at,
                                       expected_version=entry.version, draft=draft)
                        return
        raise DomainError("the demo found no session to move")

    def open_edition(self, ed: Edition, now: datetime) -> None:
        event, config = self.create_edition(ed, ed.cfp_opens - timedelta(days=21))
        # moments lie in the last weeks before today (a whole day, so that the data depend on the date only)
        today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
        hi = max(today - timedelta(hours=1), ed.cfp_opens + timedelta(hours=1))
        lo = max(ed.cfp_opens + timedelta(minutes=1), hi - timedelta(days=45))
        plans = [self.plan(entry) for entry in data.PROPOSALS_2027]
        for i, plan in enumerate(plans):
            plan.co_speaker = None
            created = between(self.rng, lo, lo + (hi - lo) / 2)
            plan.steps = [Step(created, "create", plan.owner)]
            if i % 2 == 0:  # every other one is submitted already
                edited = between(self.rng, created + timedelta(minutes=1), hi)
                plan.steps += [Step(edited, "edit", plan.owner),
                               Step(edited + timedelta(minutes=3), "submit", plan.owner)]
        self.play(event, config, plans, lo, hi)

    # planning --------------------------------------------------------------------------------------------
    def plan(self, entry: dict) -> Plan:
        rng = self.rng
        org_speakers = [email_of(n, o) for n, o, _l, _t in data.SPEAKERS if o == entry["org"]]
        owner = rng.choice(org_speakers)
        co = None
        if entry["fmt"] == "handson":  # a stand all day: its one speaker is there on both days
            self.windows[owner] = AVAILABILITY[0]
        elif rng.random() < 0.3:
            others = [e for e in org_speakers if e != owner] or [
                email_of(n, o) for n, o, _l, _t in data.SPEAKERS if email_of(n, o) != owner]
            co = rng.choice(others)
            if not _share_two_hours(self.windows_of(owner), self.windows_of(co)):
                co = None  # they could never present together
        themes = [k for k in data.THEMES if k != entry["theme"]]
        further = sorted(rng.sample(themes, rng.randint(0, 2)))
        return Plan(entry, owner, co, further, self.windows_of(owner))

    def windows_of(self, email: str) -> list[tuple[int, time, time]]:
        """A person's availability, chosen once: it holds for all their proposals."""
        if email not in self.windows:
            self.windows[email] = self.rng.choices(AVAILABILITY, weights=(4, 1, 1, 1, 1))[0]
        return self.windows[email]

    def plan_2025(self, plan: Plan, target: ProposalState, ed: Edition) -> None:
        """The steps that bring the plan to `target`, each inside the phase where it is allowed."""
        rng, closes = self.rng, ed.cfp_closes
        team = [plan.owner] + ([plan.co_speaker] if plan.co_speaker else [])
        steps = plan.steps
        t = between(rng, ed.cfp_opens + timedelta(days=1), closes - timedelta(days=20))
        steps.append(Step(t, "create", plan.owner))
        if plan.co_speaker:
            steps.append(Step(t := after(rng, t, 20, 2 * 24 * 60), "invite", plan.owner))
            steps.append(Step(t := after(rng, t, 60, 3 * 24 * 60), "accept_invitation", plan.co_speaker))
        if target is S.draft:
            if rng.random() < 0.5:
                steps.append(Step(after(rng, t, 60, 10 * 24 * 60), "edit", rng.choice(team)))
            return
        steps.append(Step(t := after(rng, t, 60, 10 * 24 * 60), "edit", rng.choice(team)))
        if rng.random() < 0.25:  # the last-minute rush
            t = between(rng, closes - timedelta(hours=20), closes - timedelta(minutes=1))
        else:
            t = after(rng, t, 10, 4 * 24 * 60)
        steps.append(Step(t, "submit", plan.owner))
        early_withdrawal = target is S.withdrawn and t < closes - timedelta(hours=2) and rng.random() < 0.5
        if target is S.submitted or early_withdrawal:
            if t < closes - timedelta(hours=2) and (early_withdrawal or rng.random() < 0.5):
                later = between(rng, t + timedelta(minutes=30), closes - timedelta(minutes=1))
                steps.append(Step(later, "withdraw" if early_withdrawal else "revise", plan.owner))
            return
        # after the deadline: the committee starts the review, decides, the speakers answer
        chair = self.chair
        steps.append(Step(between(rng, berlin(2024, 12, 2, 9), berlin(2024, 12, 2, 17)), "start_review",
                          chair))
        if target is S.withdrawn and rng.random() < 0.5:
            withdrawn = between(rng, berlin(2024, 12, 3, 8), berlin(2024, 12, 15, 20))
            steps.append(Step(withdrawn, "withdraw", plan.owner))
            return
        decided = between(rng, berlin(2024, 12, 20, 10), berlin(2024, 12, 20, 17))
        if target is S.under_review:
            if self.pending_left:  # decided, not released yet: the speakers still see "under review"
                self.pending_left -= 1
                steps.append(Step(decided, rng.choice(["pending_accept", "pending_reject"]), chair))
            return
        promoted = target in (S.accepted, S.confirmed) and rng.random() < 0.4
        released = FIRST_RELEASE
        if target is S.withdrawn or target is S.waitlisted or promoted:
            steps += [Step(decided, "waitlist", chair), Step(released, "release", chair)]
            if target is S.withdrawn:
                withdrawn = between(rng, berlin(2025, 1, 6, 8), berlin(2025, 1, 8, 20))
                steps.append(Step(withdrawn, "withdraw", plan.owner))
            if promoted:  # moved up after others declined
                decided = between(rng, berlin(2025, 1, 10, 9), berlin(2025, 1, 10, 12))
                released = berlin(2025, 1, 10, 14)
                steps += [Step(decided, "promote", chair), Step(released, "release", chair)]
        else:
            steps += [Step(decided, {S.rejected: "reject"}.get(target, "accept"), chair),
                      Step(released, "release", chair)]
        if target in (S.confirmed, S.declined, S.cancelled):  # within the confirmation deadline
            answer = "decline" if target is S.declined else "confirm"  # a cancelled one was confirmed first
            steps.append(Step(after(rng, released, 6 * 60, 12 * 24 * 60), answer, rng.choice(team)))

    # playing ----------------------------------------------------------------------------------------------
    def play(self, event: Event, config: Config, plans: list[Plan], register_from: datetime,
             register_to: datetime, review_steps: list[Step] = ()) -> None:
        """Register whoever is new just before they first act, then run every step in time order (the review
        steps of the event, and the reviews the assignment schedules while it runs)."""
        timeline: list[tuple[datetime, int, Plan | None, Step]] = []
        first_act: dict[str, datetime] = {}
        for plan in plans:
            for step in plan.steps:
                first_act[step.actor] = min(step.at, first_act.get(step.actor, step.at))
        for email in self.people:
            if email in self.users:
                continue
            if email in first_act:
                at = max(first_act[email] - timedelta(minutes=self.rng.randint(30, 5 * 24 * 60)),
                         register_from - timedelta(days=7))
            else:
                at = between(self.rng, register_from, register_to)
            timeline.append((at, len(timeline), None, Step(at, "register", email)))
        for plan in plans:
            for step in plan.steps:
                timeline.append((step.at, len(timeline), plan, step))
        timeline += [(step.at, len(timeline) + i, None, step) for i, step in enumerate(review_steps)]
        heapq.heapify(timeline)
        seq = itertools.count(len(timeline))
        while timeline:
            _at, _seq, plan, step = heapq.heappop(timeline)
            if step.action == "register":
                self.register(step.actor, step.at)
            elif plan is None:
                for later in self.review(event, config, step):
                    assert later.at > step.at
                    heapq.heappush(timeline, (later.at, next(seq), None, later))
            else:
                self.perform(event, config, plan, step)

    def perform(self, event: Event, config: Config, plan: Plan, step: Step) -> None:
        actor, at, proposal = self.user(step.actor), step.at, plan.proposal
        match step.action:
            case "create":
                plan.proposal = cfp.create_proposal(event, proposal_data(event, config, plan, complete=False),
                                                    actor=actor, now=at)
                self.plan_of[plan.proposal.id] = plan
            case "edit" | "revise":
                notes = "Folien und Fotos folgen bis Ende Januar." if step.action == "revise" else ""
                cfp.update_proposal(proposal, proposal_data(event, config, replace(
                    plan, windows=self.windows_of(step.actor)), notes=notes), actor=actor, now=at)
            case "invite":
                invitation = cfp.invite_co_speaker(proposal, plan.co_speaker, actor=actor, now=at)
                plan.token = invitation.token  # the demo plays the invitee following the mailed link
            case "accept_invitation":
                cfp.accept_invitation(plan.token, actor=actor, now=at)
            case "accept" | "waitlist" | "reject" | "promote" | "pending_accept" | "pending_reject":
                decisions.decide(proposal, DECISIONS[step.action], actor=self.decider(event, actor, proposal),
                                 now=at)
            case "release":
                decisions.release(event, [proposal.id], actor=self.decider(event, actor, proposal), now=at)
            case "submit" | "withdraw" | "start_review" | "confirm" | "decline":
                getattr(cfp, step.action)(proposal, actor=actor, now=at)
            case _:
                raise ValueError(step.action)

    # the review ------------------------------------------------------------------------------------------
    def review(self, event: Event, config: Config, step: Step) -> list[Step]:
        """One step of the review phase, through the reviewers' and the committee's services; returns the steps
        it schedules (the assignment schedules each reviewer's reviews)."""
        actor, at = self.user(step.actor), step.at
        match step.action:
            case "alias":
                conflict_admin.add_alias(event, *data.ALIAS, actor=actor, now=at)
            case "preferences":
                self.preferences(event, config, actor, at)
            case "assign":
                forget_conflicts()  # the proposals all exist now
                result = assigning.assign_automatically(event, actor=actor, now=at)
                return self.schedule_reviews(result.assigned)
            case "review" | "draft":
                plan = self.plan_of[step.proposal_id]
                if plan.proposal.state is not S.under_review:  # withdrawn meanwhile: nothing left to review
                    return []
                assignment = reviewing.assignment_for(actor, event, step.proposal_id)
                reviewing.save_review(assignment, self.review_data(event, config, actor, plan, step.action),
                                      actor=actor, now=at, expected_version=None, submit=step.action == "review")
            case _:
                raise ValueError(step.action)
        return []

    def preferences(self, event: Event, config: Config, actor: User, at: datetime) -> None:
        """Expert themes, languages, a few bids (eager on their themes) and the declared conflicts."""
        rng = self.rng
        experts, languages, _limited, _bias, declares = data.REVIEWER_PROFILES[actor.name]
        expert_ids = {config.themes[k].id for k in experts}
        open_ = reviewers.biddable_proposals(event, actor)
        bids = {}
        for proposal in rng.sample(open_, min(len(open_), rng.randint(5, 9))):
            if proposal.main_theme_id in expert_ids:
                bids[proposal.id] = rng.choice(["eager", "eager", "willing"])
            else:
                bids[proposal.id] = rng.choice(["willing", "rather_not", "rather_not"])
        for proposal in open_:
            if self.plan_of[proposal.id].entry["org"] in declares:  # she advises this city
                bids[proposal.id] = "conflict"
        reviewers.save_preferences(event, expert_theme_ids=sorted(expert_ids), languages=languages, bids=bids,
                                   actor=actor, now=at)

    def schedule_reviews(self, assigned: dict) -> list[Step]:
        """Each reviewer works through their assignments at their own pace; a few reviews of proposals that are
        still under review in the end stay drafts."""
        rng, steps = self.rng, []
        for reviewer in sorted(assigned, key=lambda r: r.id):
            start = between(rng, REVIEWS_FROM, REVIEWS_FROM + timedelta(days=6))
            for proposal in sorted(assigned[reviewer], key=lambda p: p.id):
                steps.append(Step(between(rng, start, REVIEWS_TO), "review", reviewer.user.email, proposal.id))
        open_ones = [s for s in steps if self.plan_of[s.proposal_id].target is S.under_review]
        for s in rng.sample(open_ones, min(DRAFT_REVIEWS, len(open_ones))):
            s.action = "draft"
        return steps

    def review_data(self, event: Event, config: Config, actor: User, plan: Plan,
                    action: str) -> reviewing.ReviewData:
        """Scores around the proposal's quality, shifted by the reviewer's strictness; a draft has some scores."""
        rng = self.rng
        experts, _languages, _limited, bias, _declares = data.REVIEWER_PROFILES[actor.name]
        if plan.quality is None:
            plan.quality = QUALITY[plan.target] + rng.gauss(0, 0.35)
        criteria = event.criteria
        scores = {c.id: min(c.scale_max, max(c.scale_min, round(plan.quality + bias + rng.gauss(0, 0.6))))
                  for c in criteria}
        if action == "draft":
            return reviewing.ReviewData(scores={c.id: scores[c.id] for c in criteria[:2]})
        mean = sum(scores.values()) / len(scores)
        recommendation = (Recommendation.strong_accept if mean >= 4.4 else Recommendation.accept if mean >= 3.6
                          else Recommendation.undecided if mean >= 2.8 else Recommendation.reject if mean >= 2
                          else Recommendation.strong_reject)
        tier = "high" if mean >= 3.8 else "mid" if mean >= 2.8 else "low"
        expert = plan.entry["theme"] in experts
        return reviewing.ReviewData(
            scores=scores, recommendation=recommendation.value,
            confidence=3 if expert else rng.choice([1, 2, 2]),
            comment_committee=rng.choice(data.REVIEW_COMMENTS[tier]),
            comment_speakers=rng.choice(data.SPEAKER_COMMENTS[tier]) if rng.random() < 0.5 else "")

    def decider(self, event: Event, chair: User, proposal: Proposal) -> User:
        """The chair decides, except where she is conflicted (Herne.Business: a public body of Herne, so every
        proposal of Herne's city administration): there the site admin, who manages every event, steps in."""
        known = len(self.plan_of)
        if getattr(self, "_conflicts_known", None) != known:  # proposals were added since the last look
            forget_conflicts()
            self._conflicts_known = known
        return self.admin if proposal.id in conflicted_proposal_ids(event, chair) else chair


def _share_two_hours(a: list[tuple[int, time, time]], b: list[tuple[int, time, time]]) -> bool:
    def minutes(t: time) -> int:
        return t.hour * 60 + t.minute
    return any(d1 == d2 and min(minutes(e1), minutes(e2)) - max(minutes(s1), minutes(s2)) >= 120
               for d1, s1, e1 in a for d2, s2, e2 in b)


def extra_entry(row: tuple) -> dict:
    """A proposal of data.PROGRAMME_2025 in the shape of data.PROPOSALS_2025."""
    org, fmt, theme, audiences, lang, title, abstract = row
    de = lang == "de"
    return {"org": org, "fmt": fmt, "theme": theme, "aud": audiences, "stage": "operation", "lang": lang,
            "title": title, "abstract": abstract,
            "body": ("Ein Bericht aus der Praxis: Ausgangslage, Umsetzung, Ergebnisse und was wir anders machen "
                     "würden." if de else "A report from practice: where we started, what we did, the results, "
                     "and what we would do differently."),
            "partners": data.ORGS[org][0], "results": "Im Betrieb seit 2024." if de else "In operation since 2024.",
            "transfer": ("Unterlagen und Vorgehen stellen wir anderen Kommunen zur Verfügung." if de else
                         "We share our documents and approach with other cities.")}


def proposal_data(event: Event, config: Config, plan: Plan, *, complete: bool = True,
                  notes: str = "") -> cfp.ProposalData:
    """The proposal's content; a first draft lacks the further themes (and leaves the person's availability as it
    is)."""
    e = plan.entry
    days = event.days
    return cfp.ProposalData(
        title=e["title"], abstract=e["abstract"], language=e["lang"],
        description=f"{e['body']}\n\n## {'Ablauf' if e['lang'] == 'de' else 'How it runs'}\n\n"
                    f"{data.AGENDA[e['fmt']][e['lang']]}",
        format_id=config.formats[e["fmt"]].id, main_theme_id=config.themes[e["theme"]].id,
        further_theme_ids=[config.themes[k].id for k in plan.further] if complete else [],
        audience_ids=[config.audiences[k].id for k in e["aud"]],
        project_organisation=data.ORGS[e["org"]][0], project_city=data.ORGS[e["org"]][2],
        project_partners=e["partners"], project_stage=e["stage"], project_results=e["results"],
        project_transfer=e["transfer"], notes_for_committee=notes,
        availability=[(event.at(days[d], start), event.at(days[d], end)) for d, start, end in plan.windows]
        if complete else None)


def configure(event: Event, *, actor: User, now: datetime) -> Config:
    """Venues, rooms, formats, themes, audiences, criteria and travel time, as the committee enters them."""
    def save(item, **values):
        def apply(obj):
            for key, value in values.items():
                setattr(obj, key, value)
        return events.save_item(event, item, actor=actor, now=now, apply=apply)

    audiences = {key: save(Audience(), name_de=de, name_en=en) for key, (de, en) in data.AUDIENCES.items()}
    venues = {key: save(Venue(), name=name, address=address, description_de=text_de, description_en=text_en,
                        audiences=[audiences[a] for a in data.VENUE_AUDIENCES[key]])
              for key, (name, address, text_de, text_en) in data.VENUES.items()}
    formats = {key: save(SessionFormat(), name_de=de, name_en=en, default_minutes=minutes, description_de=text_de,
                         description_en=text_en, venues=[venues[v] for v in where],
                         expected_audience=data.FORMAT_AUDIENCE[key])
               for key, (de, en, minutes, where, text_de, text_en) in data.FORMATS.items()}
    for venue, name, capacity, kinds, opens, closes in data.ROOMS:
        save(Room(), venue=venues[venue], name=name, capacity=capacity, formats=[formats[k] for k in kinds],
             stands=data.EXHIBITION_STANDS if kinds == ["handson"] else None,
             openings=[RoomOpening(day=day, opens=opens, closes=closes) for day in event.days])
    themes = {key: save(Theme(), name_de=de, name_en=en, colour=colour, description_de=text_de,
                        description_en=text_en, position=i)
              for i, (key, (de, en, colour, text_de, text_en)) in enumerate(data.THEMES.items())}
    for i, (de, en, weight, text_de, text_en) in enumerate(data.CRITERIA):
        save(ReviewCriterion(), name_de=de, name_en=en, weight=weight, description_de=text_de,
             description_en=text_en, scale_min=1, scale_max=5, position=i)
    events.set_travel_time(event, venues["villa"], venues["druckerei"], data.TRAVEL_MINUTES, actor=actor,
                           now=now)
    db.session.expire(event)  # its relationship lists are loaded afresh
    return Config(themes, formats, audiences)
