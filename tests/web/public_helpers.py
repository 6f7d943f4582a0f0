"""A released programme for the tests of the public pages and feeds: the schedule tests' event ("scd", Wednesday 5
and Thursday 6 February 2025, Europe/Berlin, UTC+1 then) with a second room in the Alte Druckerei, three placed
sessions, one confirmed but unplaced, a public and an internal block, and 15 minutes between the venues; helpers to
release versions through `releases.release`, to change the draft without releasing, to read pages and feeds back,
and to count SQL queries."""
from __future__ import annotations

import csv
import io
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import icalendar
import jsonschema
from flask_babel import force_locale, gettext, ngettext
from lxml import etree
from sqlalchemy import event as sa_event
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.cfp import services as cfp
from review_app.cfp.models import Proposal, ProposalSpeaker, ProposalState
from review_app.db import db
from review_app.events.models import Audience, Event, TravelTime
from review_app.schedule import releases
from review_app.schedule import services as schedule
from review_app.schedule.models import ScheduleEntry

from ..factories import DURING_CFP
from .schedule_helpers import DAY1, DAY2, SLUG, T, World, build_world, forget_mail, local, place, text_of

FORMATS = Path("/work/shared/formats")
BASE = f"/events/{SLUG}"
PROGRAMME = f"{BASE}/programme/"
FEEDS = ("schedule.xml", "schedule.json", "schedule.ics", "schedule.csv")
T2 = T + timedelta(days=1)  # when version 2 is released

# the standard programme: A and U in the Mulvany Villa's Saal, B in the Alte Druckerei's Werkstatt; N is confirmed
# but not placed
A, B, U, N = "Digitale Bürgerdienste", "Leeds lights", "Urbane Datenplattform", "Neu im Entwurf"
SPEAKERS = {A: "Sam Sprecher", B: "Eva English", U: "Udo Urban", N: "Nora Neu"}
DESCRIPTION = ("## Ablauf\n\nBericht aus **der Praxis**.\n\n<script>alert('desc')</script>\n\n"
               "[Klick](javascript:alert(1))")


@dataclass
class Programme:
    world: World
    kommunen_id: int  # the audience of A and B
    buerger_id: int  # the audience of U
    lunch: str = "Mittagspause"
    internal: str = "Aufbau intern"

    def __getattr__(self, name):
        return getattr(self.world, name)

    def sid(self, title: str) -> int:
        return self.world.sessions[title]

    def pid(self, title: str) -> int:
        """The speaker's (person's) id of a session."""
        return self.world.people[SPEAKERS[title]]


def build_programme(app) -> Programme:
    """The world of the public tests: A (Sam, German, theme 0, talk, for municipalities) in the Saal on Wednesday
    at 10:00, B (Eva, English, theme 1, for municipalities) in the Werkstatt at 11:00, U (Udo and Sam, English,
    theme 2, workshop, for citizens) in the Saal on Thursday at 14:00; N (Nora) unplaced. Every description holds
    markdown, a script and a javascript: link. A public lunch (12:00–13:00 at the villa) and an internal
    set-up block; 15 minutes between the venues. Nothing is released yet."""
    w = build_world(app, rooms=[{"name": "Werkstatt", "venue": "druckerei", "capacity": 30, "formats": ["talk"]}],
                    sessions=[{"title": A, "speaker": SPEAKERS[A], "language": "de", "theme": 0},
                              {"title": B, "speaker": SPEAKERS[B], "theme": 1},
                              {"title": U, "speaker": SPEAKERS[U], "theme": 2, "format": "workshop"},
                              {"title": N, "speaker": SPEAKERS[N], "language": "de", "theme": 1}])
    with app.app_context():
        event = db.session.get(Event, w.event_id)
        kommunen, buerger = sorted(event.audiences, key=lambda a: a.id)
        for title in (A, B, U, N):
            proposal = db.session.get(Proposal, w.sessions[title])
            proposal.abstract = f"Kurzfassung von {title}."
            proposal.description = DESCRIPTION
            proposal.audiences = [buerger if title == U else kommunen]
        # Sam speaks on U too, after Udo
        workshop = db.session.get(Proposal, w.sessions[U])
        workshop.speakers.append(ProposalSpeaker(user_id=w.people[SPEAKERS[A]], is_submitter=False,
                                                 joined_at=DURING_CFP))
        db.session.add(TravelTime(event_id=event.id, venue_a_id=min(w.villa_id, w.druckerei_id),
                                  venue_b_id=max(w.villa_id, w.druckerei_id), minutes=15))
        chair = db.session.get(User, w.chair_id)
        schedule.save_block(event, schedule.BlockData(
            kind="lunch", title_de="Mittagspause", title_en="Lunch break", starts_at=local(DAY1, 12),
            ends_at=local(DAY1, 13), venue_id=w.villa_id, room_ids=[], public=True), actor=chair, now=T)
        schedule.save_block(event, schedule.BlockData(
            kind="other", title_de="Aufbau intern", title_en="Internal set-up", starts_at=local(DAY1, 8),
            ends_at=local(DAY1, 9), venue_id=w.villa_id, room_ids=[], public=False), actor=chair, now=T)
        db.session.commit()
        ids = (kommunen.id, buerger.id)
    place(app, w, A, "Saal", local(DAY1, 10))
    place(app, w, B, "Werkstatt", local(DAY1, 11))
    place(app, w, U, "Saal", local(DAY2, 14))
    return Programme(w, *ids)


def release(app, world: World, comment: str = "", *, now: datetime = T) -> int:
    """Release the draft as the next version through `releases.release`; returns its number."""
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        version = releases.release(event, comment, actor=db.session.get(User, world.chair_id), now=now)
        forget_mail()
        db.session.commit()
        return version.number


def change_for_v2(app, p: Programme) -> None:
    """The draft after version 1: A moved to Thursday 09:30, B cancelled by its speaker, N placed in the Werkstatt
    on Wednesday at 15:00 (not released)."""
    place(app, p.world, A, "Saal", local(DAY2, 9, 30))
    with app.app_context():
        proposal = db.session.get(Proposal, p.sid(B))
        cfp.cancel(proposal, "Krank.", actor=db.session.get(User, p.people[SPEAKERS[B]]), now=T2)
        forget_mail()
        db.session.commit()
    place(app, p.world, N, "Werkstatt", local(DAY1, 15))


def release_v1_and_v2(app) -> Programme:
    p = build_programme(app)
    assert release(app, p.world, "Erste Fassung") == 1
    change_for_v2(app, p)
    assert release(app, p.world, "Zweite Fassung", now=T2) == 2
    return p


def write_entry(app, world: World, title: str, room: str, start: datetime, end: datetime) -> None:
    """A schedule entry written as a row, for times the editor would refuse (past the last midnight)."""
    with app.app_context():
        db.session.add(ScheduleEntry(event_id=world.event_id, proposal_id=world.sessions[title],
                                     room_id=world.rooms[room], lane=0, starts_at=start, ends_at=end, pinned=False,
                                     updated_at=T, updated_by_id=world.chair_id))
        db.session.commit()


def add_sessions(app, world: World, n: int, *, first: int = 0) -> None:
    """n more confirmed 30-minute talks for every audience, each with a speaker of their own, placed in the
    Werkstatt on Thursday, one every 40 minutes from 07:00 (the changeover is 10)."""
    from ..factories import make_proposal
    from .schedule_helpers import speaker, wide

    with app.app_context():
        event = db.session.get(Event, world.event_id)
        chair = db.session.get(User, world.chair_id)
        audiences = list(db.session.scalars(select(Audience).where(Audience.event_id == event.id)))
        for i in range(first, first + n):
            person = speaker(f"Extra Speaker{i}")
            proposal = make_proposal(event, person, state=ProposalState.confirmed, committee=chair,
                                     title=f"Extra session {i}", format_id=event.formats[0].id,
                                     main_theme_id=event.themes[i % 3].id, further_theme_ids=[],
                                     language="en", availability=wide(event))
            proposal.audiences = audiences
            world.sessions[f"Extra session {i}"] = proposal.id
            world.people[f"Extra Speaker{i}"] = person.id
            schedule.place(event, proposal.id, world.rooms["Werkstatt"], local(DAY2, 7) + timedelta(minutes=40 * i),
                           actor=chair, now=T)
        forget_mail()
        db.session.commit()


# --- reading pages and feeds ----------------------------------------------------------------------------------

def page(client, path: str, status: int = 200, **kwargs) -> str:
    r = client.get(path, **kwargs)
    assert r.status_code == status, (path, r.status_code, text_of(r.get_data(as_text=True))[:500])
    return r.get_data(as_text=True)


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def plain(html: str) -> str:
    """The visible text, without the space the tags leave before punctuation ("Villa , Shamrockring")."""
    return re.sub(r" ([,.:;)])", r"\1", text_of(html))


def error_message(html: str) -> str:
    match = re.search(r'<p class="error-message">(.*?)</p>', html, flags=re.S)
    return text_of(match.group(1)) if match else ""


def translated(app, message: str, lang: str, **values) -> str:
    """The message as the catalogue has it in `lang`."""
    with app.test_request_context("/"), force_locale(lang):
        return gettext(message, **values)


def sessions_count(app, n: int, lang: str) -> str:
    """"3 Sessions" as the page says it in `lang`."""
    with app.test_request_context("/"), force_locale(lang):
        return ngettext("%(num)d session", "%(num)d sessions", n)


def programme_grid(html: str) -> dict[str, dict[str, dict[str, list[str]]]]:
    """The programme page as day (ISO date) → venue → room → the text of each item (session or block), in order."""
    out: dict = {}
    for day_chunk in html.split('<section class="prog-day"')[1:]:
        day = re.search(r'id="day-([0-9-]+)"', day_chunk).group(1)
        venues = out.setdefault(day, {})
        for venue_chunk in day_chunk.split('<section class="prog-venue"')[1:]:
            name = text_of(re.search(r"<h3[^>]*>\s*<a[^>]*>(.*?)</a>", venue_chunk, flags=re.S).group(1))
            rooms = venues.setdefault(name, {})
            for room_chunk in venue_chunk.split('<div class="prog-room">')[1:]:
                room = text_of(re.search(r'<p class="prog-room-name">(.*?)</p>', room_chunk, flags=re.S).group(1))
                rooms[room] = items_of(room_chunk)
    return out


def items_of(html: str) -> list[str]:
    """The text of each session card and block card in the piece of a page."""
    return [text_of(m.group(2)) for m in re.finditer(
        r'<(article|div) class="prog-item[^"]*"[^>]*>(.*?)</\1>', html, flags=re.S)]


def now_rows(html: str) -> dict[str, tuple[list[str], list[str]]]:
    """The now-and-next page as venue → (the items running now, the items next)."""
    out = {}
    for chunk in html.split('<section class="prog-venue"')[1:]:
        chunk = chunk.split("</section>")[0]
        name = text_of(re.search(r"<h2[^>]*>(.*?)</h2>", chunk, flags=re.S).group(1))
        _head, running, upcoming = chunk.split("<h3>")
        # no item: the sentence that says so
        out[name] = (items_of(running) or [text_of(running.split("</h3>", 1)[1])],
                     items_of(upcoming) or [text_of(upcoming.split("</h3>", 1)[1])])
    return out


@cache
def xml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FORMATS / "schedule.xml.xsd")))


@cache
def json_validator():
    schema = json.loads((FORMATS / "schedule.json.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=jsonschema.FormatChecker())


def valid_xml(body: bytes) -> etree._Element:
    doc = etree.fromstring(body)
    schema = xml_schema()
    assert schema.validate(doc), [str(e) for e in schema.error_log]
    return doc


def valid_json(body: bytes) -> dict:
    doc = json.loads(body)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in json_validator().iter_errors(doc)]
    assert errors == []
    return doc


def json_events(doc: dict) -> list[dict]:
    return [e for day in doc["schedule"]["conference"]["days"] for events in day["rooms"].values() for e in events]


def xml_events(doc) -> list:
    return doc.findall("day/room/event")


def calendar(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))


@contextmanager
def counted(app):
    """The SQL statements run inside the block (the pattern of test_queries.py), the front door's release check
    too: it runs on a raw DBAPI cursor, which SQLAlchemy's events do not see."""
    from review_app.public import front

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    check = front._ReleaseCheck.__call__

    def counted_check(self, slug, number):
        statements.append(self.compiled[number is None].string)
        return check(self, slug, number)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    front._ReleaseCheck.__call__ = counted_check
    try:
        yield statements
    finally:
        front._ReleaseCheck.__call__ = check
        sa_event.remove(engine, "before_cursor_execute", count)


def queries(app, client, path: str) -> tuple[int, int, str]:
    """(queries of the first request, of a second one, the body) with an empty rendering cache."""
    from review_app.public import cache

    client.get(f"{BASE}/theme.css")  # a connection in the pool, the app's own lazy set-up done
    cache.clear()
    with counted(app) as first:
        r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    with counted(app) as second:
        again = client.get(path)
    # a page with a form (the language switch) carries a CSRF token signed with the second it was made: two requests
    # on either side of a second differ in it and in nothing else
    def unsigned(body: bytes) -> bytes:
        return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token" value=""', body)
    assert again.status_code == 200 and unsigned(again.data) == unsigned(r.data), path
    return len(first), len(second), r.get_data(as_text=True)


# --- awkward content ------------------------------------------------------------------------------------------

CONTROLS = "".join(chr(c) for c in range(1, 32)) + "\x7f"  # \x00 as well where the database stores it
UMLAUTS = "Größenwahn & Übermaß: Straßen für Äpfel, Öl und Übel"
EMOJI = "Smart City 🚀🏙️ mit 👩🏽‍💻 und 🇩🇪"
LONG = ("Ein sehr langer Titel über Straßenbeleuchtung, " * 5)[:199] + "Z"
MARKUP = "<script>alert('x')</script> & <b>fett</b> \"zitiert\" ]]>"
LATE = "Spätschicht bis nach Mitternacht"
CTRL = "Steuerzeichen"
DAY3 = DAY2 + timedelta(days=1)


@dataclass
class Awkward:
    world: World
    titles: dict[str, str]  # key → the title as stored
    controls: str  # the control characters written into the abstract and the biography
    control_speaker: str  # the speaker's name as stored


def build_awkward(app) -> Awkward:
    """A three-day event (Wednesday 5 to Friday 7 February) whose Thursday has no session: on Wednesday in the Saal
    sessions titled with umlauts and ß, emoji, control characters (every one in the abstract and the speaker's
    biography; every one but the line feed in the title and the speaker's name, see the test of line breaks),
    200 characters, markup; on Friday one from 23:30 to 00:30 (written as a row: the editor ends the day at
    midnight). Released as version 1."""
    keys = {"umlauts": UMLAUTS, "emoji": EMOJI, "ctrl": CTRL, "long": LONG, "markup": MARKUP, "late": LATE}
    w = build_world(app, sessions=[{"title": title, "speaker": f"Speaker {key.title()}", "language": "de",
                                    "theme": i % 3} for i, (key, title) in enumerate(keys.items())])
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"  # PostgreSQL stores no NUL in text
        controls = ("\x00" if sqlite else "") + CONTROLS
        event = db.session.get(Event, w.event_id)
        event.ends_on = DAY3
        titles = dict(keys)
        one_line = controls.replace("\n", "")
        titles["ctrl"] = f"Steuer{one_line}zeichen"
        for key, title in keys.items():
            proposal = db.session.get(Proposal, w.sessions[title])
            proposal.title = titles[key]
            proposal.abstract = {"umlauts": "Über Ärger, Öde und Süße – straßauf, straßab.",
                                 "emoji": "Mit 🎉 und 🧪.", "ctrl": f"Kurz{controls}fassung",
                                 "markup": "<img src=x onerror=alert(1)>"}.get(key, f"Kurzfassung: {title}")
        ctrl_user = db.session.get(User, w.people["Speaker Ctrl"])
        ctrl_user.name = f"Klara{one_line}Kontrolle"
        ctrl_user.bio = f"Bio{controls}grafie"
        db.session.get(User, w.people["Speaker Umlauts"]).name = "Jürgen Weiß-Müller"
        db.session.commit()
        control_speaker = ctrl_user.name
    for i, key in enumerate(("umlauts", "emoji", "ctrl", "long", "markup")):
        place(app, w, keys[key], "Saal", local(DAY1, 9 + i))
    write_entry(app, w, LATE, "Saal", local(DAY3, 23, 30), local(DAY3 + timedelta(days=1), 0, 30))
    w.sessions = {key: w.sessions[title] for key, title in keys.items()}
    release(app, w)
    return Awkward(w, titles, controls, control_speaker)
