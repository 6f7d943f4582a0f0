"""A small programme for the schedule tests: the factory event ("scd", two days from Wednesday 5 February 2025 in
Europe/Berlin, UTC+1) with its committee member Clara Chair (pages in English), extra rooms and confirmed sessions
of speakers in their own organisations (so the committee sees every one of them), and helpers to post the editor's
forms and to read rows back for before/after comparisons."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from html import unescape
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from review_app.accounts.models import User
from review_app.audit.models import AuditEntry
from review_app.cfp.models import Availability, Proposal, ProposalState
from review_app.db import db
from review_app.events.models import Event, Room, RoomOpening
from review_app.mail.models import OutboxMessage
from review_app.schedule.models import ScheduleBlock, ScheduleEntry, ScheduleVersion

from ..factories import AFTER_CFP, OUTSIDE, make_event, make_proposal, make_user

BERLIN = ZoneInfo("Europe/Berlin")
T = AFTER_CFP  # the committee schedules after the call has closed
DAY1, DAY2 = date(2025, 2, 5), date(2025, 2, 6)
SLUG = "scd"
EDITOR = f"/events/{SLUG}/manage/schedule/"
CHAIR_EMAIL = "chair@programmbeirat.test"

# the end of a day in a room open all day, as the editor shows it ("23:59" now; midnight would be right too)
DAY_END = r"(?:23:59|24:00|00:00)"

_n = count(1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin, as an aware datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def speaker(name: str, *, language: str = "en", email: str | None = None) -> User:
    """A person of an organisation, city and mail domain of their own."""
    i = next(_n)
    return make_user(name=name, email=email or f"{name.split()[0].lower()}@speaker{i}.test",
                     organisation=f"Organisation {name}", organisation_type="company", city=f"Town {i}",
                     language=language)


def wide(event: Event) -> list[tuple[datetime, datetime]]:
    """Available all through both event days (07:00–21:00): no constraint on the tests' times."""
    return [(event.at(day, time(7)), event.at(day, time(21))) for day in event.days]


@dataclass
class World:
    event_id: int
    chair_id: int
    villa_id: int
    druckerei_id: int
    saal_id: int
    talk_id: int
    workshop_id: int
    theme_ids: list[int]
    people: dict[str, int] = field(default_factory=dict)  # name → user id
    emails: dict[str, str] = field(default_factory=dict)  # name → email
    sessions: dict[str, int] = field(default_factory=dict)  # title → proposal id
    rooms: dict[str, int] = field(default_factory=dict)  # name → room id


def build_world(app, *, sessions: list[dict] | None = None, rooms: list[dict] | None = None,
                changeover: int = 10) -> World:
    """The event with Clara Chair on its committee; `rooms`: dicts for Room (venue: "villa"/"druckerei", name,
    capacity, stands, formats: ["talk"/"workshop"], openings: [(day, opens, closes)]); `sessions`: dicts with
    title, speaker (a name; created once, language from `language`), theme (index), format ("talk"/"workshop"),
    state, expected_audience, availability (list of (start, end) or "wide"). The outbox is emptied at the end."""
    with app.app_context():
        chair = make_user(name="Clara Chair", email=CHAIR_EMAIL, language="en", **OUTSIDE)
        event = make_event(slug=SLUG, committee=chair)
        event.changeover_minutes = changeover
        villa = next(v for v in event.venues if v.name == "Mulvany Villa")
        druckerei = next(v for v in event.venues if v.name == "Alte Druckerei")
        talk, workshop = event.formats
        saal = db.session.scalar(select(Room).where(Room.event_id == event.id, Room.name == "Saal"))
        world = World(event.id, chair.id, villa.id, druckerei.id, saal.id, talk.id, workshop.id,
                      [t.id for t in event.themes])
        world.people["Clara Chair"], world.emails["Clara Chair"] = chair.id, chair.email
        world.rooms["Saal"] = saal.id
        formats = {"talk": talk, "workshop": workshop}
        venues = {"villa": villa, "druckerei": druckerei}
        for spec in rooms or []:
            room = Room(event_id=event.id, venue_id=venues[spec.get("venue", "villa")].id, name=spec["name"],
                        capacity=spec.get("capacity", 60), stands=spec.get("stands"),
                        formats=[formats[f] for f in spec.get("formats", ["talk", "workshop"])])
            room.openings = [RoomOpening(day=d, opens=o, closes=c) for d, o, c in spec.get("openings", [])]
            db.session.add(room)
            db.session.flush()
            world.rooms[spec["name"]] = room.id
        users: dict[str, User] = {}
        for spec in sessions or []:
            name = spec["speaker"]
            if name not in users:
                users[name] = speaker(name, language=spec.get("language", "en"), email=spec.get("email"))
            user = users[name]
            availability = spec.get("availability", "wide")
            proposal = make_proposal(
                event, user, state=spec.get("state", ProposalState.confirmed), committee=chair,
                title=spec["title"], format_id=formats[spec.get("format", "talk")].id,
                main_theme_id=event.themes[spec.get("theme", 0)].id, further_theme_ids=[],
                language=spec.get("language", "en"), project_organisation="", project_city="",
                availability=wide(event) if availability == "wide" else availability)
            proposal.expected_audience = spec.get("expected_audience")
            world.sessions[spec["title"]] = proposal.id
            world.people[name], world.emails[name] = user.id, user.email
        db.session.execute(delete(OutboxMessage))  # the mails of submitting and confirming are not ours to test
        db.session.commit()
        return world


def forget_mail() -> None:
    """Drop the queued mails (inside an app context): registering people queues theirs."""
    db.session.execute(delete(OutboxMessage))


def place(app, world: World, title: str, room: str, start: datetime, *, pinned: bool = False) -> None:
    """Place a session through the service, as the committee did earlier (for the setup of a test)."""
    from review_app.schedule import services

    with app.app_context():
        event = db.session.get(Event, world.event_id)
        chair = db.session.get(User, world.chair_id)
        services.place(event, world.sessions[title], world.rooms[room], start, actor=chair, now=T)
        if pinned:
            services.pin(event, world.sessions[title], True, actor=chair, now=T)
        db.session.commit()


def form(world: World, title: str, room: str | int, start: str, *, version: int | str = 0,
         day: str = "2025-02-05", venue: int | None = None, **extra) -> dict:
    """What the editor's place/move form posts."""
    data = {"proposal_id": world.sessions.get(title, title), "room_id": world.rooms.get(room, room)
            if isinstance(room, str) else room, "start": start, "version": str(version), "day": day,
            "venue": str(venue if venue is not None else world.villa_id)}
    data.update(extra)
    return data


def entries(app) -> list[tuple]:
    """Every schedule entry as (proposal_id, room_id, lane, starts_at, ends_at, pinned, version), in order."""
    with app.app_context():
        return [(e.proposal_id, e.room_id, e.lane, e.starts_at, e.ends_at, e.pinned, e.version)
                for e in db.session.scalars(select(ScheduleEntry).order_by(ScheduleEntry.proposal_id))]


def entry_of(app, proposal_id: int) -> tuple | None:
    return next((e for e in entries(app) if e[0] == proposal_id), None)


def audit(app, prefix: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.startswith(prefix))
                                       .order_by(AuditEntry.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def blocks(app) -> list[tuple]:
    with app.app_context():
        return [(b.id, b.kind.value, b.title_de, b.title_en, b.starts_at, b.ends_at, b.venue_id, b.public,
                 tuple(r.id for r in b.rooms))
                for b in db.session.scalars(select(ScheduleBlock).order_by(ScheduleBlock.id))]


def versions(app) -> list[tuple]:
    with app.app_context():
        return [(v.number, v.comment, v.snapshot, v.changes)
                for v in db.session.scalars(select(ScheduleVersion).order_by(ScheduleVersion.number))]


def proposal_row(app, proposal_id: int) -> tuple:
    with app.app_context():
        p = db.session.get(Proposal, proposal_id)
        return p.state, p.cancel_reason, p.duration_minutes, p.expected_audience


def availability_rows(app) -> list[tuple]:
    with app.app_context():
        return [(a.user_id, a.day, a.starts, a.ends) for a in db.session.scalars(
            select(Availability).order_by(Availability.user_id, Availability.day, Availability.starts))]


def opening_rows(app) -> list[tuple]:
    with app.app_context():
        return [(o.room_id, o.day, o.opens, o.closes) for o in db.session.scalars(
            select(RoomOpening).order_by(RoomOpening.room_id, RoomOpening.day, RoomOpening.opens))]


def text_of(html: str) -> str:
    """A page's visible text, tags dropped and white space collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def room_columns(html: str) -> dict[str, str]:
    """The editor's room columns, in page order: room name → the column's text."""
    out = {}
    for chunk in html.split('<section class="room-column"')[1:]:
        chunk = chunk.split("</section>")[0]
        name = text_of(re.search(r"<h3[^>]*>(.*?)</h3>", chunk, flags=re.S).group(1))
        out[name] = text_of("<x " + chunk)
    return out


def problem_lines(html: str) -> list[str]:
    """The checks listed on the editor (or release) page, each "Conflict: …" or "Warning: …"."""
    match = re.search(r'<ul class="problems">(.*?)</ul>', html, flags=re.S)
    if match is None:
        return []
    return [text_of(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", match.group(1), flags=re.S)]


def unplaced_text(html: str) -> str:
    return text_of("<x " + html.split('<aside class="unplaced"')[1].split("</aside>")[0])


def field_errors(html: str, name: str) -> str:
    """The errors shown at a form field."""
    match = re.search(rf'<ul class="field-errors" id="{re.escape(name)}-errors">(.*?)</ul>', html, flags=re.S)
    return text_of(match.group(1)) if match else ""


def error_text(html: str) -> str:
    """The refusal the editor shows at its top."""
    match = re.search(r'<div class="form-error" role="alert">(.*?)</div>', html, flags=re.S)
    return text_of(match.group(1)) if match else ""
