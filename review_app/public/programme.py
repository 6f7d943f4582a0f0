"""The released programme as the public reads it: the latest (or a given) version of an event, read from its snapshot
alone, in the page's language, with the filters a visitor can set. Never the draft."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, select

from ..db import db
from ..events.models import Event
from ..schedule.models import ScheduleVersion

FILTERS = ("theme", "audience", "venue", "language", "format")


def latest_header(event: Event) -> tuple[int, int, datetime, datetime | None] | None:
    """(version id, number, released at, revised at) of the event's latest release, without its snapshot (one
    small query)."""
    row = db.session.execute(select(ScheduleVersion.id, ScheduleVersion.number, ScheduleVersion.released_at,
                                    ScheduleVersion.revised_at)
                             .where(ScheduleVersion.event_id == event.id)
                             .order_by(ScheduleVersion.number.desc()).limit(1)).first()
    return tuple(row) if row else None


_HEADER = {}


def header_statement(*, latest: bool):
    """The statement of `public_header` (parameters `slug`, and `number` unless `latest`), built once."""
    if latest not in _HEADER:
        on = ScheduleVersion.event_id == Event.id
        if not latest:
            on = and_(on, ScheduleVersion.number == bindparam("number"))
        _HEADER[latest] = (
            select(Event.id, Event.colour, ScheduleVersion.id, ScheduleVersion.number, ScheduleVersion.released_at,
                   ScheduleVersion.revised_at)
            .select_from(Event).outerjoin(ScheduleVersion, on).where(Event.slug == bindparam("slug"))
            .order_by(ScheduleVersion.number.desc()).limit(1))
    return _HEADER[latest]


def public_header(slug: str, number: int | None = None, connection=None) -> tuple | None:
    """(event id, colour, version id, number, released at, revised at) of the event's latest release (or of release
    `number`) in one small query, the version's columns None when there is none; None for an unknown event. The
    statement is built once and run on the connection (the front door passes its own), as every public request
    runs it."""
    statement = header_statement(latest=number is None)
    params = {"slug": slug} if number is None else {"slug": slug, "number": number}
    row = (connection or db.session.connection()).execute(statement, params).first()
    return tuple(row) if row else None


def release_of(header: tuple) -> tuple:
    """What the public renderings of a `public_header` row depend on: the version's number and revision and the
    event's colour (part of the cache keys; the front door compares it before replaying an answer)."""
    _event_id, colour, _version_id, number, _released_at, revised_at = header
    return (number, colour, revised_at)


def load_version(version_id: int) -> ScheduleVersion:
    return db.session.get(ScheduleVersion, version_id)


@dataclass
class Item:
    """A session or a block in the programme, with its local times and its names in the page's language."""

    kind: str  # "session" or "block"
    data: dict
    start: datetime
    end: datetime
    room_ids: tuple[int, ...]
    title: str
    theme: str = ""
    theme_id: int | None = None
    colour: str = ""
    format: str = ""
    venue_ids: tuple[int, ...] = ()

    @property
    def id(self) -> int:
        return self.data["id"]


@dataclass
class Programme:
    snapshot: dict
    lang: str
    tz: ZoneInfo
    days: list[date]
    venues: list[dict]
    rooms: dict[int, tuple[dict, dict]]  # room id → (room, venue)
    sessions: list[Item]
    blocks: list[Item]
    speakers: dict[int, dict]  # person id → {"person": …, "sessions": [Item]}
    themes: list[tuple[int, str]] = field(default_factory=list)
    audiences: list[tuple[int, str]] = field(default_factory=list)
    formats: list[tuple[int, str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    def name(self, thing: dict) -> str:
        key = "name" if "name_de" in thing else "title"
        return self.text(thing, key)

    def text(self, thing: dict, key: str) -> str:
        de, en = thing.get(f"{key}_de") or "", thing.get(f"{key}_en") or ""
        return (en or de) if self.lang == "en" else (de or en)

    def session(self, session_id: int) -> Item | None:
        return next((s for s in self.sessions if s.id == session_id), None)

    def matching(self, chosen: dict[str, int | str]) -> list[Item]:
        """The sessions that pass every chosen filter."""
        out = []
        for s in self.sessions:
            d = s.data
            if "theme" in chosen and d["theme"]["id"] != chosen["theme"]:
                continue
            if "format" in chosen and d["format"]["id"] != chosen["format"]:
                continue
            if "language" in chosen and d["language"] != chosen["language"]:
                continue
            if "audience" in chosen and chosen["audience"] not in {a["id"] for a in d["audiences"]}:
                continue
            if "venue" in chosen and d["venue_id"] != chosen["venue"]:
                continue
            out.append(s)
        return out

    def on(self, day: date, items: list[Item]) -> list[Item]:
        return [i for i in items if i.start.date() == day]

    def grid(self, day: date, items: list[Item], venue_id: int | None = None) -> list[tuple[dict, list[dict]]]:
        """(venue, [(room, items in time order)]) for the day: sessions and the blocks in each room."""
        out = []
        for venue in self.venues:
            if venue_id is not None and venue["id"] != venue_id:
                continue
            rooms = []
            for room in venue["rooms"]:
                here = [i for i in items if room["id"] in i.room_ids and i.start.date() == day]
                here += [b for b in self.blocks if room["id"] in b.room_ids and b.start.date() == day]
                rooms.append((room, sorted(here, key=lambda i: (i.start, i.kind != "block", i.title))))
            out.append((venue, rooms))
        return out


def read(snapshot: dict, lang: str) -> Programme:
    """The snapshot for the page's language (no query)."""
    tz = ZoneInfo(snapshot["event"]["timezone"])
    rooms = {r["id"]: (r, v) for v in snapshot["venues"] for r in v["rooms"]}

    def pick(thing: dict, key: str = "name") -> str:
        de, en = thing.get(f"{key}_de") or "", thing.get(f"{key}_en") or ""
        return (en or de) if lang == "en" else (de or en)

    sessions = []
    speakers: dict[int, dict] = {}
    for s in snapshot["sessions"]:
        item = Item("session", s, datetime.fromisoformat(s["start"]).astimezone(tz),
                    datetime.fromisoformat(s["end"]).astimezone(tz), (s["room_id"],), s["title"],
                    pick(s["theme"]), s["theme"]["id"], s["theme"].get("colour") or "", pick(s["format"]),
                    (s["venue_id"],))
        sessions.append(item)
        for p in s["speakers"]:
            speakers.setdefault(p["id"], {"person": p, "sessions": []})["sessions"].append(item)
    sessions.sort(key=lambda i: (i.start, i.room_ids, i.id))
    all_rooms = tuple(rooms)
    blocks = []
    for b in snapshot["blocks"]:
        room_ids = tuple(b["room_ids"]) or all_rooms
        blocks.append(Item("block", b, datetime.fromisoformat(b["start"]).astimezone(tz),
                           datetime.fromisoformat(b["end"]).astimezone(tz), room_ids, pick(b, "title"),
                           venue_ids=tuple(sorted({rooms[r][1]["id"] for r in room_ids if r in rooms}))))
    themes, audiences, formats = {}, {}, {}
    for s in snapshot["sessions"]:
        themes[s["theme"]["id"]] = pick(s["theme"])
        formats[s["format"]["id"]] = pick(s["format"])
        for a in s["audiences"]:
            audiences[a["id"]] = pick(a)
    return Programme(snapshot, lang, tz, [date.fromisoformat(d) for d in snapshot["event"]["days"]],
                     snapshot["venues"], rooms, sessions, blocks, speakers,
                     sorted(themes.items(), key=lambda kv: kv[1].lower()),
                     sorted(audiences.items(), key=lambda kv: kv[1].lower()),
                     sorted(formats.items(), key=lambda kv: kv[1].lower()),
                     sorted({s["language"] for s in snapshot["sessions"]}))
