"""The released programme as files for other apps, each made from a version's snapshot alone (no query): frab
schedule XML and schedule JSON (as the c3voc validators and Giggity, EventFahrplan, ConfClerk read them),
iCalendar (RFC 5545) and CSV. What real clients rely on: stable guids, an offset on every time, `HH:MM` durations,
every day present (an empty one too), the venue in the room's name, the theme as the track, no control characters,
absolute URLs."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from ..schedule import ics

GENERATOR = ("review-app", "0.1.0")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def clean(text) -> str:
    """Text as feeds may carry it: control characters (but tab and line breaks) removed."""
    return _CONTROL.sub("", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")


def line(text) -> str:
    """A one-line field (a title, a name): control characters gone, tabs and line breaks become single spaces."""
    return " ".join(clean(text).split())


def slugify(text: str, fallback: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].strip("-")
    return slug if len(slug) >= 4 else fallback


def acronym(slug: str) -> str:
    """The event's acronym as the schemas want it: lower-case letters, digits and underscores, at least four."""
    value = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return value if len(value) >= 4 else (value + "____")[:4]


def guid(kind: str, host: str, slug: str, number: int) -> str:
    """A UUID for a session, person or room that stays the same in every version of the programme."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{host}/events/{slug}/{kind}/{number}"))


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Feed:
    """A snapshot, read for one language and one site: local times, names, rooms with their venue, days."""

    def __init__(self, snapshot: dict, *, base_url: str, lang: str, url_for_session, url_for_speaker,
                 feed_url: str):
        self.snap, self.lang = snapshot, lang
        self.base_url = base_url.rstrip("/") + "/"
        self.host = re.sub(r"^https?://", "", base_url).split("/")[0] or "localhost"
        self.event = snapshot["event"]
        self.tz = ZoneInfo(self.event["timezone"])
        self.url_for_session, self.url_for_speaker, self.feed_url = url_for_session, url_for_speaker, feed_url
        self.rooms = {r["id"]: (r, v) for v in snapshot["venues"] for r in v["rooms"]}
        self.days = [date.fromisoformat(d) for d in self.event["days"]]

    def name(self, thing: dict) -> str:
        de, en = thing.get("name_de") or "", thing.get("name_en") or ""
        return (en or de) if self.lang == "en" else (de or en)

    def room_name(self, room_id: int) -> str:
        room, venue = self.rooms[room_id]
        return line(f"{room['name']} ({venue['name']})")

    def local(self, iso: str) -> datetime:
        return datetime.fromisoformat(iso).astimezone(self.tz)

    def day_of(self, moment: datetime) -> date:
        """The programme day a session belongs to: days run from 04:00 to 03:59, so a late session past midnight
        stays on its evening's day (and one in the first night belongs to the first day)."""
        return min(max((moment - timedelta(hours=4)).date(), self.days[0]), self.days[-1])

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, time(4), self.tz)
        end = datetime.combine(day + timedelta(days=1), time(3, 59), self.tz)
        return start, end

    def by_day_and_room(self) -> dict[date, dict[int, list[dict]]]:
        out: dict[date, dict[int, list[dict]]] = {d: defaultdict(list) for d in self.days}
        for s in self.snap["sessions"]:
            day = self.day_of(self.local(s["start"]))
            out.setdefault(day, defaultdict(list))[s["room_id"]].append(s)
        return dict(sorted(out.items()))

    def session_guid(self, s: dict) -> str:
        return guid("sessions", self.host, self.event["slug"], s["id"])

    def person_guid(self, p: dict) -> str:
        return guid("speakers", self.host, self.event["slug"], p["id"])

    def room_guid(self, room_id: int) -> str:
        return guid("rooms", self.host, self.event["slug"], room_id)

    def session_slug(self, s: dict) -> str:
        return f"{acronym(self.event['slug'])}-{s['id']}-{slugify(s['title'], 'session')}"

    def tracks(self) -> list[dict]:
        seen = {}
        for s in self.snap["sessions"]:
            theme = s["theme"]
            seen.setdefault(theme["id"], theme)
        return [seen[k] for k in sorted(seen)]

    def version_label(self) -> str:
        return f"v{self.snap['number']}"


def schedule_xml(feed: Feed) -> bytes:
    """frab schedule XML, valid against the c3voc XSD."""
    ev = feed.event
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<schedule>",
           f'  <generator name="{GENERATOR[0]}" version="{GENERATOR[1]}"/>',
           f"  <url>{_x(feed.feed_url)}</url>", f"  <version>{_x(feed.version_label())}</version>", "  <conference>",
           f"    <acronym>{acronym(ev['slug'])}</acronym>", f"    <title>{_x(line(ev['name']))}</title>",
           f"    <start>{ev['starts_on']}</start>", f"    <end>{ev['ends_on']}</end>",
           f"    <days>{len(feed.days)}</days>", "    <timeslot_duration>00:05</timeslot_duration>",
           f"    <base_url>{_x(feed.base_url)}</base_url>", f"    <url>{_x(feed.base_url)}</url>",
           f"    <time_zone_name>{_x(ev['timezone'])}</time_zone_name>"]
    for theme in feed.tracks():
        colour = theme.get("colour") or "#005a9c"
        out.append(f"    <track name={quoteattr(line(feed.name(theme)))} slug={quoteattr(_track_slug(feed, theme))}"
                   f" color={quoteattr(colour.lower())}/>")
    out.append("  </conference>")
    for index, (day, rooms) in enumerate(feed.by_day_and_room().items(), start=1):
        start, end = feed.day_bounds(day)
        out.append(f'  <day index="{index}" date="{day.isoformat()}" start="{start.isoformat()}" '
                   f'end="{end.isoformat()}">')
        for room_id in sorted(rooms, key=lambda r: feed.room_name(r)):
            out.append(f"    <room name={quoteattr(feed.room_name(room_id))} guid=\"{feed.room_guid(room_id)}\">")
            for s in sorted(rooms[room_id], key=lambda s: (s["start"], s["id"])):
                out += _xml_event(feed, s)
            out.append("    </room>")
        out.append("  </day>")
    out.append("</schedule>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _x(text) -> str:
    return (clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _track_slug(feed: Feed, theme: dict) -> str:
    slug = slugify(feed.name(theme), f"theme-{theme['id']}")
    return slug if slug[0].isalpha() else f"t-{slug}"


def _xml_event(feed: Feed, s: dict) -> list[str]:
    start = feed.local(s["start"])
    persons = "".join(f'\n          <person id="{p["id"]}" guid="{feed.person_guid(p)}">{_x(line(p["name"]))}'
                      "</person>" for p in s["speakers"])
    return [
        f'      <event guid="{feed.session_guid(s)}" id="{s["id"]}">',
        f"        <room>{_x(feed.room_name(s['room_id']))}</room>",
        f"        <title>{_x(line(s['title']))}</title>",
        "        <subtitle></subtitle>",
        f"        <type>{_x(line(feed.name(s['format'])))}</type>",
        f"        <date>{start.isoformat()}</date>",
        f"        <start>{start:%H:%M}</start>",
        f"        <duration>{hhmm(s['minutes'])}</duration>",
        f"        <abstract>{_x(s['abstract'])}</abstract>",
        f"        <slug>{feed.session_slug(s)}</slug>",
        f"        <track>{_x(line(feed.name(s['theme'])))}</track>",
        f"        <persons>{persons}{chr(10) + '        ' if persons else ''}</persons>",
        f"        <language>{s['language']}</language>",
        f"        <description>{_x(s['description'])}</description>",
        "        <recording>\n          <license></license>\n          <optout>true</optout>\n        </recording>",
        "        <links></links>",
        "        <attachments></attachments>",
        f"        <url>{_x(feed.url_for_session(s))}</url>",
        "      </event>",
    ]


def schedule_json(feed: Feed) -> bytes:
    """schedule.json, valid against the c3voc JSON schema (with format checks)."""
    ev = feed.event
    days = []
    for index, (day, rooms) in enumerate(feed.by_day_and_room().items(), start=1):
        start, end = feed.day_bounds(day)
        days.append({"index": index, "date": day.isoformat(), "day_start": start.isoformat(),
                     "day_end": end.isoformat(),
                     "rooms": {feed.room_name(room_id): [_json_event(feed, s) for s in sorted(
                         rooms[room_id], key=lambda s: (s["start"], s["id"]))]
                         for room_id in sorted(rooms, key=lambda r: feed.room_name(r))}})
    rooms = [{"name": feed.room_name(r["id"]), "slug": slugify(feed.room_name(r["id"]), f"room-{r['id']}"),
              "guid": feed.room_guid(r["id"]), "description": None, "capacity": r["capacity"]}
             for v in feed.snap["venues"] for r in v["rooms"]]
    doc = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR[0], "version": GENERATOR[1]},
        "schedule": {
            "url": feed.feed_url, "version": feed.version_label(), "base_url": feed.base_url,
            "conference": {
                "acronym": acronym(ev["slug"]), "title": line(ev["name"]), "start": ev["starts_on"],
                "end": ev["ends_on"], "daysCount": len(feed.days), "timeslot_duration": "00:05",
                "time_zone_name": ev["timezone"], "url": feed.base_url,
                "tracks": [{"name": line(feed.name(t)), "slug": _track_slug(feed, t),
                            "color": (t.get("colour") or "#005a9c").lower()} for t in feed.tracks()],
                "rooms": rooms, "days": days,
            },
        },
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _json_event(feed: Feed, s: dict) -> dict:
    start, end = feed.local(s["start"]), feed.local(s["end"])
    return {
        "guid": feed.session_guid(s), "id": s["id"], "logo": None, "date": start.isoformat(),
        "start": f"{start:%H:%M}", "end": end.isoformat(), "duration": hhmm(s["minutes"]),
        "room": feed.room_name(s["room_id"]), "slug": feed.session_slug(s), "url": feed.url_for_session(s),
        "title": line(s["title"]), "subtitle": "", "track": line(feed.name(s["theme"])),
        "type": line(feed.name(s["format"])), "language": s["language"], "abstract": clean(s["abstract"]),
        "description": clean(s["description"]), "recording_license": "", "do_not_record": True,
        "persons": [{"guid": feed.person_guid(p), "name": line(p["name"]), "public_name": line(p["name"]),
                     "biography": clean(p.get("bio")) or None, "url": feed.url_for_speaker(p)}
                    for p in s["speakers"]],
        "links": [], "attachments": [],
    }


def schedule_ics(feed: Feed, sessions: list[dict] | None = None, *, stamp: datetime, name: str | None = None) -> bytes:
    """The sessions (default: all, and the cancelled ones as cancelled) as one calendar."""
    chosen = sessions if sessions is not None else [*feed.snap["sessions"], *feed.snap.get("cancelled", [])]
    return ics.calendar(feed.snap, chosen, host=feed.host, stamp=stamp, name=name, url_of=feed.url_for_session)


def schedule_csv(feed: Feed, headers: list[str]) -> bytes:
    """One line per session, for spreadsheets: UTF-8 with a byte order mark, formula-like cells kept as text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for s in sorted(feed.snap["sessions"], key=lambda s: (s["start"], feed.room_name(s["room_id"]), s["id"])):
        start, end = feed.local(s["start"]), feed.local(s["end"])
        room, venue = feed.rooms[s["room_id"]]
        writer.writerow([_cell(v) for v in (
            start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}", venue["name"], room["name"], s["title"],
            ", ".join(p["name"] for p in s["speakers"]), feed.name(s["theme"]), feed.name(s["format"]),
            s["language"], feed.url_for_session(s))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value) -> str:
    text = line(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text
