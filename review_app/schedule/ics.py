"""iCalendar (RFC 5545) files of released sessions, made with the `icalendar` library: one VTIMEZONE for the event's
zone, a UID per session that stays the same across versions, cancelled sessions as STATUS:CANCELLED."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # imported where a calendar is made, not at every worker's start
    import icalendar

PRODID = "-//Smart City Days//Call for Sessions//DE"


def session_uid(event_slug: str, session_id: int, host: str) -> str:
    """The session's calendar UID: the same in every version of the programme, unique across events and hosts."""
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, f'{host}/events/{event_slug}/sessions/{session_id}')}@{host}"


def _clean(text: str) -> str:
    """Control characters have no place in a calendar (line breaks in a description excepted: they are escaped)."""
    return "".join(ch for ch in str(text or "").replace("\r\n", "\n").replace("\r", "\n")
                   if ch == "\n" or (ord(ch) >= 32 and ord(ch) != 127))


def _line(text: str) -> str:
    """A one-line property (a summary, a name, a place): tabs and line breaks become single spaces."""
    return " ".join(_clean(text).split())


def calendar(snapshot: dict, sessions: list[dict], *, host: str, stamp: datetime, name: str | None = None,
             url_of=None) -> bytes:
    """A calendar of the given sessions of a released snapshot (each a dict of `snapshot["sessions"]`, or of its
    `cancelled`). `url_of(session)` gives a session's page, when there is one."""
    import icalendar

    zone = ZoneInfo(snapshot["event"]["timezone"])
    rooms = {r["id"]: (r, v) for v in snapshot["venues"] for r in v["rooms"]}
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _line(name or snapshot["event"]["name"]))
    cal.add("x-wr-timezone", snapshot["event"]["timezone"])
    for s in sessions:
        ev = icalendar.Event()
        ev.add("uid", session_uid(snapshot["event"]["slug"], s["id"], host))
        ev.add("dtstamp", stamp.astimezone(UTC))
        ev.add("sequence", int(snapshot.get("number", 1)))
        ev.add("dtstart", datetime.fromisoformat(s["start"]).astimezone(zone))
        ev.add("dtend", datetime.fromisoformat(s["end"]).astimezone(zone))
        ev.add("summary", _line(s["title"]))
        room, venue = rooms.get(s["room_id"], ({"name": ""}, {"name": "", "address": ""}))
        ev.add("location", _line(", ".join(x for x in (room["name"], venue["name"], venue["address"]) if x)))
        speakers = ", ".join(_line(p["name"]) for p in s.get("speakers", []))
        ev.add("description", _clean("\n\n".join(x for x in (speakers, s.get("abstract", "")) if x)))
        if url_of is not None:
            ev.add("url", url_of(s))
        ev.add("status", "CANCELLED" if s.get("cancelled") else "CONFIRMED")
        cal.add_component(ev)
    cal.add_component(_timezone(snapshot["event"]["timezone"], int(snapshot["event"]["starts_on"][:4])))
    return cal.to_ical()


@lru_cache(maxsize=32)
def _timezone(zone: str, year: int) -> icalendar.Timezone:
    """The zone's VTIMEZONE for the years around the event (the whole history makes every file long and slow)."""
    import icalendar

    return icalendar.Timezone.from_tzinfo(ZoneInfo(zone), tzid=zone, first_date=date(year - 1, 1, 1),
                                          last_date=date(year + 2, 1, 1))
