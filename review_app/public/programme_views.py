"""The public programme: pages and feeds of the latest released version (and of earlier ones under
/schedule/v/<n>/), rendered once per version, language and address from the version's snapshot and served from the
cache with ETag and Last-Modified. A request costs two small queries (the event, the latest version's number) and,
on the first request of a version, one more for its snapshot — never one per session or speaker."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Response, abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _

from ..cfp.models import LANGUAGE_LABELS
from ..events.models import Event
from ..events.views import load_event
from ..web import clock
from . import cache, exports, front
from . import programme as prog
from .views import bp

MAX_ARG = 80  # no filter value is longer; anything longer is not one of them


def _lang() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "de")


class _Event:
    """The event as a public request first needs it: its id, slug and colour from the one query that also finds the
    version. Anything else (its name, its zone …) loads the whole event, which only a rendering (a cache miss)
    does; so a cache hit costs that one query and no more."""

    def __init__(self, event_id: int, slug: str, colour: str):
        self.id, self.slug, self.colour = event_id, slug, colour
        self._full: Event | None = None

    def __getattr__(self, name: str):
        if self._full is None:
            self._full = load_event(self.slug)
        return getattr(self._full, name)


def _public(slug: str, number: int | None = None) -> tuple[_Event, tuple[int, int, datetime]]:
    """The event and the header (version id, number, released at) of its latest release, or of release `number`;
    404 when either does not exist, 400 on odd query strings."""
    if "\x00" in slug or len(slug) > 60:  # as load_event: no slug holds a NUL or is this long
        abort(404, _("This event does not exist."))
    _check_args()
    row = prog.public_header(slug, number)
    if row is None:
        abort(404, _("This event does not exist."))
    event_id, colour, version_id, found, released_at, _revised_at = row
    if version_id is None:
        abort(404, _("No programme has been published for this event yet.") if number is None else
              _("This version of the programme does not exist."))
    # what the renderings of this request depend on, for the cache key and the front door (front.mark)
    g.public_asked = (slug, number, prog.release_of(row))
    return _Event(event_id, slug, colour), (version_id, found, released_at)


def _args_key() -> tuple:
    """The query string as part of the cache key, after the filters were checked (sorted, known keys only)."""
    return tuple(sorted((k, v) for k, v in request.args.items(multi=False) if k in (*prog.FILTERS, "lang")))


@dataclass(frozen=True)
class _Released:
    """What the renderings read of a released version, kept per worker (it never changes; a deletion's revision
    is in the key): rendering the 2,000 pages of a big programme no longer reads and parses its snapshot, and
    goes through it for the page's language, once per page."""

    number: int
    comment: str
    changes: dict
    snapshot: dict
    read: dict = field(default_factory=dict)  # language → programme.read(snapshot, language)


_RELEASED_LOCK = threading.Lock()
_RELEASED_KEPT = 8
_generation = [0]  # cache.clear() starts a new one: what was kept before is not used again


def _released(version_id: int, release: tuple) -> _Released:
    """The version's _Released, kept per app (an app is one database: the tests' apps never share what they keep)."""
    kept = current_app.extensions.setdefault("public_released", OrderedDict())
    key = (_generation[0], version_id, release)
    with _RELEASED_LOCK:
        hit = kept.get(key)
        if hit is not None:
            kept.move_to_end(key)
            return hit
    version = prog.load_version(version_id)
    entry = _Released(version.number, version.comment, version.changes, version.snapshot)
    with _RELEASED_LOCK:
        kept[key] = entry
        while len(kept) > _RELEASED_KEPT:
            kept.popitem(last=False)
    return entry


def _forget_released() -> None:
    with _RELEASED_LOCK:
        _generation[0] += 1


cache.on_clear(_forget_released)


def _read(snapshot: dict, lang: str | None = None) -> prog.Programme:
    """programme.read of the version being rendered, made once per version and language."""
    lang = lang or _lang()
    version = g.get("public_version")
    if version is None or version.snapshot is not snapshot:
        return prog.read(snapshot, lang)
    if lang not in version.read:
        version.read[lang] = prog.read(snapshot, lang)
    return version.read[lang]


def _serve(event: Event, header, name: str, render, *, cors: bool = False, key: tuple = (),
           last_modified: datetime | None = None, shared: bool = True) -> Response:
    """The rendering from the cache, or made now by `render(snapshot, released_at)`: a check that fails inside it
    (an unknown id, a bad filter) aborts before anything is cached, so a cache hit needs no snapshot at all."""
    version_id, number, released_at = header

    def produce():
        g.public_version = _released(version_id, g.public_asked[2])  # held for the rendering (the change log)
        return render(g.public_version.snapshot, released_at)
    entry = cache.cached((event.id, *g.public_asked[2], _lang(), name, key, _base()), produce)
    response = Response(entry.body, mimetype=entry.mimetype)
    response.set_etag(entry.etag)
    response.last_modified = last_modified or released_at
    response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    if cors:
        response.headers["Access-Control-Allow-Origin"] = "*"
    if shared:  # the same bytes for every visitor without a session while this release is the latest
        front.mark(request.environ, *g.public_asked)
    return response.make_conditional(request)


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _absolute(path: str) -> str:
    return _base() + path


def _links(event: Event, number: int | None) -> dict:
    slug = event.slug
    return {
        "home": url_for("public.programme", slug=slug),
        "programme": url_for("public.programme", slug=slug),
        "now": url_for("public.now", slug=slug),
        "changes": url_for("public.changes", slug=slug),
        "call": url_for("public.event", slug=slug),
        "legal": [(_("Imprint"), url_for("legal.page", name="imprint")),
                  (_("Privacy notice"), url_for("legal.page", name="privacy")),
                  (_("Accessibility statement"), url_for("legal.page", name="accessibility"))],
    }


def feeds_of(event: Event, number: int | None = None) -> list[tuple[str, str, str]]:
    """(MIME type, label, absolute address) of every feed of the version (the latest when None)."""
    def href(name: str) -> str:
        if number is None:
            return _absolute(url_for("public.feed", slug=event.slug, name=name))
        return _absolute(url_for("public.version_feed", slug=event.slug, number=number, name=name))
    return [("application/xml", _("Schedule XML (frab)"), href("schedule.xml")),
            ("application/json", _("Schedule JSON"), href("schedule.json")),
            ("text/calendar", _("Calendar (iCalendar)"), href("schedule.ics")),
            ("text/csv", _("Spreadsheet (CSV)"), href("schedule.csv"))]


def _page(event: Event, template: str, snapshot: dict, released_at: datetime, *, here: str = "",
          **context) -> tuple[bytes, str]:
    lang = _lang()
    other = "en" if lang == "de" else "de"
    query = {k: v for k, v in request.args.items() if k in prog.FILTERS}  # as the cache key: nothing else
    html = render_template(
        template, event=event, snapshot=snapshot, released_at=released_at, here=here,
        programme=_read(snapshot, lang), links=_links(event, None), feeds=feeds_of(event),
        other_language_url=url_for(request.endpoint, **(request.view_args or {}), **query, lang=other),
        static_url=lambda name: url_for("static", filename=name),
        theme_url=url_for("public.theme_css", slug=event.slug, v=event.colour.replace("#", "")), **context)
    return html.encode("utf-8"), "text/html"


def _filters(programme: prog.Programme) -> dict:
    """The filters in the address, checked against what the programme holds; anything else answers 400."""
    chosen: dict = {}
    for key in prog.FILTERS:
        values = request.args.getlist(key)
        if not values or values == [""]:
            continue
        if len(values) > 1 or len(values[0]) > MAX_ARG:
            abort(400, _("Choose one value for each filter."))
        raw = values[0]
        if key == "language":
            if raw not in ("de", "en"):
                abort(400, _("There is no such language in this programme."))
            chosen[key] = raw
            continue
        if not (raw.isascii() and raw.isdigit()):
            abort(400, _("This filter value is not one of the programme's."))
        number = int(raw)
        known = {"theme": {i for i, _n in programme.themes}, "audience": {i for i, _n in programme.audiences},
                 "format": {i for i, _n in programme.formats}, "venue": {v["id"] for v in programme.venues}}[key]
        if number not in known:
            abort(400, _("This filter value is not one of the programme's."))
        chosen[key] = number
    return chosen


def _check_args() -> None:
    if len(request.query_string) > 2000:
        abort(400, _("The address is too long."))
    lang = request.args.getlist("lang")
    if len(lang) > 1 or (lang and lang[0] not in current_app.config["LANGUAGES"]):
        abort(400, _("Choose German or English."))


@bp.get("/events/<slug>/programme/")
def programme(slug: str):
    event, header = _public(slug)

    def render(snap, released_at):
        p = _read(snap)
        chosen = _filters(p)
        return _page(event, "public/programme.html", snap, released_at, here="programme", chosen=chosen,
                     shown=p.matching(chosen), venue_options=[(v["id"], v["name"]) for v in p.venues],
                     language_options=[(code, LANGUAGE_LABELS[code]) for code in p.languages])
    return _serve(event, header, "programme", render, key=_args_key())


def _session_or_404(p: prog.Programme, session_id: int) -> prog.Item:
    item = p.session(session_id)
    if item is None:
        abort(404, _("This session is not in the programme."))
    return item


@bp.get("/events/<slug>/programme/sessions/<int:session_id>/")
def session_page(slug: str, session_id: int):
    event, header = _public(slug)

    def render(snap, released_at):
        p = _read(snap)
        return _page(event, "public/session.html", snap, released_at, item=_session_or_404(p, session_id))
    return _serve(event, header, f"session-{session_id}", render)


@bp.get("/events/<slug>/programme/speakers/<int:speaker_id>/")
def speaker_page(slug: str, speaker_id: int):
    event, header = _public(slug)

    def render(snap, released_at):
        p = _read(snap)
        if speaker_id not in p.speakers:
            abort(404, _("This speaker is not in the programme."))
        return _page(event, "public/speaker.html", snap, released_at, speaker=p.speakers[speaker_id])
    return _serve(event, header, f"speaker-{speaker_id}", render)


@bp.get("/events/<slug>/programme/venues/<int:venue_id>/")
def venue_page(slug: str, venue_id: int):
    event, header = _public(slug)

    def render(snap, released_at):
        venue = next((v for v in snap["venues"] if v["id"] == venue_id), None)
        if venue is None:
            abort(404, _("This venue is not in the programme."))
        travel = [(next((v["name"] for v in snap["venues"] if v["id"] == (b if a == venue_id else a)), ""), m)
                  for a, b, m in snap["travel"] if venue_id in (a, b)]
        return _page(event, "public/venue.html", snap, released_at, venue=venue, travel=travel)
    return _serve(event, header, f"venue-{venue_id}", render)


@bp.get("/events/<slug>/programme/now/")
def now(slug: str):
    """What runs now and next at each venue, for screens on site; the page's own script reloads it every minute
    unless the reader pauses it. Rendered afresh each minute."""
    event, header = _public(slug)
    moment = clock()
    minute = moment.replace(second=0, microsecond=0)

    def render(snap, released_at):
        p = _read(snap)
        local = moment.astimezone(p.tz)
        rows = []
        for venue in p.venues:
            here = [i for i in p.sessions + p.blocks if venue["id"] in i.venue_ids]
            running = [i for i in here if i.start <= local < i.end]
            upcoming = sorted((i for i in here if i.start > local and i.start.date() == local.date()),
                              key=lambda i: i.start)
            nxt = [i for i in upcoming if i.start == upcoming[0].start] if upcoming else []
            rows.append((venue, running, nxt))
        return _page(event, "public/now.html", snap, released_at, here="now", rows=rows, local=local)
    return _serve(event, header, f"now-{minute.isoformat()}", render, last_modified=max(minute, header[2]),
                  shared=False)


@bp.get("/events/<slug>/programme/changes/")
def changes(slug: str):
    event, header = _public(slug)

    def render(snap, released_at):
        from ..schedule.models import ScheduleVersion

        version = g.public_version
        before = None
        if version.number > 1:
            from sqlalchemy import select

            from ..db import db

            before = db.session.scalar(select(ScheduleVersion.snapshot).where(
                ScheduleVersion.event_id == event.id, ScheduleVersion.number == version.number - 1))
        names = {s["id"]: s["title"] for snap_ in (before or {}, snap) for s in
                 [*snap_.get("sessions", []), *snap_.get("cancelled", [])]}
        rooms = {r["id"]: f"{r['name']} ({v['name']})" for snap_ in (before or {}, snap)
                 for v in snap_.get("venues", []) for r in v["rooms"]}
        return _page(event, "public/changes.html", snap, released_at, here="changes", changes=version.changes,
                     comment=version.comment, names=names, rooms=rooms,
                     local=lambda raw: datetime.fromisoformat(raw))
    return _serve(event, header, "changes", render)


@bp.get("/events/<slug>/programme/print/<int:venue_id>/<day>/")
def print_page(slug: str, venue_id: int, day: str):
    event, header = _public(slug)

    def render(snap, released_at):
        if not any(v["id"] == venue_id for v in snap["venues"]) or day not in snap["event"]["days"]:
            abort(404, _("There is no such venue or day in the programme."))
        p = _read(snap)
        chosen_day = date.fromisoformat(day)
        venue = next(v for v in snap["venues"] if v["id"] == venue_id)
        return _page(event, "public/print.html", snap, released_at, venue=venue, day=chosen_day,
                     grid=p.grid(chosen_day, p.sessions, venue_id))
    return _serve(event, header, f"print-{venue_id}-{day}", render)


# --- feeds ------------------------------------------------------------------------------------------------------

FEEDS = ("schedule.xml", "schedule.json", "schedule.ics", "schedule.csv")


def _feed(event: Event, snap: dict, number: int | None, name: str) -> exports.Feed:
    feed_url = _absolute(url_for("public.feed", slug=event.slug, name=name) if number is None else
                         url_for("public.version_feed", slug=event.slug, number=number, name=name))
    return exports.Feed(
        snap, base_url=_absolute(url_for("public.programme", slug=event.slug)), lang=_lang(), feed_url=feed_url,
        url_for_session=lambda s: _absolute(url_for("public.session_page", slug=event.slug, session_id=s["id"])),
        url_for_speaker=lambda p: _absolute(url_for("public.speaker_page", slug=event.slug, speaker_id=p["id"])))


def _render_feed(event: Event, name: str, number: int | None):
    def render(snap, released_at):
        feed = _feed(event, snap, number, name)
        if name == "schedule.xml":
            return exports.schedule_xml(feed), "application/xml"
        if name == "schedule.json":
            return exports.schedule_json(feed), "application/json"
        if name == "schedule.ics":
            return exports.schedule_ics(feed, stamp=released_at), "text/calendar"
        return exports.schedule_csv(feed, [_("Date"), _("Start"), _("End"), _("Venue"), _("Room"), _("Title"),
                                           _("Speakers"), _("Theme"), _("Format"), _("Language"),
                                           _("Link")]), "text/csv"
    return render


@bp.get("/events/<slug>/<any(schedule.xml, schedule.json, schedule.ics, schedule.csv):name>")
def feed(slug: str, name: str):
    event, header = _public(slug)
    return _serve(event, header, name, _render_feed(event, name, None), cors=True)


@bp.get("/events/<slug>/schedule/v/<int:number>/<any(schedule.xml, schedule.json, schedule.ics, schedule.csv):name>")
def version_feed(slug: str, number: int, name: str):
    event, header = _public(slug, number)
    return _serve(event, header, f"v-{name}", _render_feed(event, name, number), cors=True)


@bp.get("/events/<slug>/programme/sessions/<int:session_id>/session.ics")
def session_ics(slug: str, session_id: int):
    event, header = _public(slug)

    def render(snap, released_at):
        found = [s for s in [*snap["sessions"], *snap.get("cancelled", [])] if s["id"] == session_id]
        if not found:
            abort(404, _("This session is not in the programme."))
        feed = _feed(event, snap, None, "schedule.ics")
        return exports.schedule_ics(feed, found, stamp=released_at, name=found[0]["title"]), "text/calendar"
    return _serve(event, header, f"session-ics-{session_id}", render, cors=True)


@bp.get("/events/<slug>/programme/speakers/<int:speaker_id>/speaker.ics")
def speaker_ics(slug: str, speaker_id: int):
    event, header = _public(slug)

    def render(snap, released_at):
        theirs = [s for s in snap["sessions"] if any(p["id"] == speaker_id for p in s["speakers"])]
        if not theirs:
            abort(404, _("This speaker is not in the programme."))
        feed = _feed(event, snap, None, "schedule.ics")
        name = next(p["name"] for p in theirs[0]["speakers"] if p["id"] == speaker_id)
        return exports.schedule_ics(feed, theirs, stamp=released_at, name=name), "text/calendar"
    return _serve(event, header, f"speaker-ics-{speaker_id}", render, cors=True)

