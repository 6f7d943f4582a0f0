"""The committee's schedule editor: per day and venue, the rooms side by side with their sessions, blocks and free
time, the unplaced sessions beside them, and the checks; placing, moving, un-placing and pinning with plain forms
(the page's own script adds drag and drop on top)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import navigation
from ..db import db
from ..errors import DomainError
from ..events.views import managed_event
from ..forms import ActionForm
from ..navigation import Link
from ..web import clock, coerce_id
from . import checks, services
from .models import BLOCK_LABELS, ScheduleEntry
from .queries import Draft, load
from .words import problem_text

bp = Blueprint("schedule", __name__)


@navigation.event_link_provider
def _links(event):
    yield Link("schedule", _("Schedule"), url_for("schedule.editor", slug=event.slug), order=90,
               paths=(f"/events/{event.slug}/manage/schedule/",))


def _user():
    return current_user._get_current_object()


@dataclass
class Item:
    """One line of a room's column: a session, a block or free time, with its local times."""

    kind: str  # "session", "block", "free"
    start: datetime
    end: datetime
    entry: ScheduleEntry | None = None
    title: str = ""
    problems: tuple[tuple[str, str], ...] = ()  # (level, text)


def _day(event, raw: str | None) -> date:
    for day in event.days:
        if raw == day.isoformat():
            return day
    if raw:
        raise DomainError(_("This day is not one of the event's days."), 404)
    return event.days[0]


def _venue(draft: Draft, raw: str | None):
    if raw:
        for venue in draft.venues:
            if raw == str(venue.id):
                return venue
        raise DomainError(_("This venue is not one of the event's venues."), 404)
    return draft.venues[0] if draft.venues else None


def columns(draft: Draft, day: date, venue, problems_of: dict[int, list[tuple[str, str]]]) -> list[tuple]:
    """(room, items) for each room of the venue on the day: sessions and blocks in time order, free time between."""
    event = draft.event
    day_start, day_end = event.window(day, datetime.min.time(), datetime.min.time())
    out = []
    for room in (r for r in draft.rooms.values() if venue is not None and r.venue_id == venue.id):
        items: list[Item] = []
        for entry in draft.entries.values():
            pid = entry.proposal_id
            if entry.room_id == room.id and day_start <= entry.starts_at < day_end and pid in draft.sessions:
                items.append(Item("session", entry.starts_at, entry.ends_at, entry, draft.sessions[pid].title,
                                  tuple(problems_of.get(pid, ()))))
        for block in draft.plan.blocks:
            if room.id in block.room_ids and day_start <= block.start < day_end:
                items.append(Item("block", block.start, block.end, title=block.title))
        items.sort(key=lambda i: (i.start, i.kind))
        free = []
        for w_start, w_end in draft.plan.rooms[room.id].windows:
            if not (day_start <= w_start < day_end):
                continue
            cursor = w_start
            for item in items:
                if item.end <= cursor or item.start >= w_end:
                    continue
                if item.start - cursor >= timedelta(minutes=5) and room.parallel == 1:
                    free.append(Item("free", cursor, item.start))
                cursor = max(cursor, item.end)
            if w_end - cursor >= timedelta(minutes=5):
                free.append(Item("free", cursor, w_end))
        out.append((room, sorted(items + free, key=lambda i: (i.start, i.kind != "free"))))
    return out


def _editor(slug: str, *, status: int = 200, error: str | None = None, day_raw=None, venue_raw=None):
    event = managed_event(slug)
    draft = load(event)
    day = _day(event, day_raw if day_raw is not None else request.args.get("day"))
    venue = _venue(draft, venue_raw if venue_raw is not None else request.args.get("venue"))
    found = checks.check(draft.plan)
    problems_of: dict[int, list[tuple[str, str]]] = {}
    texts = []
    for problem in found:
        text = problem_text(problem, draft)
        texts.append((problem, text))
        for sid in problem.session_ids:
            problems_of.setdefault(sid, []).append((problem.level, text))
    rooms_by_venue = [(v, [r for r in draft.rooms.values() if r.venue_id == v.id]) for v in draft.venues]
    return render_template(
        "schedule/editor.html", event=event, draft=draft, day=day, venue=venue, columns=columns(draft, day, venue,
                                                                                                problems_of),
        problems=texts, errors=sum(1 for p in found if p.level == "error"), rooms_by_venue=rooms_by_venue,
        action_form=ActionForm(), error=error, block_labels=BLOCK_LABELS,
        local_input=lambda moment: event.local(moment).strftime("%Y-%m-%dT%H:%M")), status


@bp.get("/events/<slug>/manage/schedule/")
@login_required
def editor(slug: str):
    return _editor(slug)


def _back(slug: str):
    anchor = request.form.get("proposal_id", "")
    return redirect(url_for("schedule.editor", slug=slug, day=request.form.get("day") or None,
                            venue=request.form.get("venue") or None) + (f"#session-{anchor}" if anchor.isdigit()
                                                                         else ""))


def _id(name: str) -> int:
    try:
        return coerce_id(request.form.get(name))
    except (TypeError, ValueError) as err:
        raise DomainError(_("Choose a session and a room from the lists."), 422) from err


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


def _moment(event, raw: str) -> datetime:
    try:
        local = datetime.strptime((raw or "").strip()[:16], "%Y-%m-%dT%H:%M")
    except ValueError as err:
        raise DomainError(_("Give the start as a date and a time (YYYY-MM-DD HH:MM)."), 422) from err
    return local.replace(tzinfo=event.tz)


def _act(slug: str, action) -> object:
    """Run a change from one of the editor's forms: committed and back to the editor, or the editor again with the
    refusal (4xx), nothing saved."""
    event = managed_event(slug)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    try:
        message = action(event)
    except DomainError as err:
        db.session.rollback()
        return _editor(slug, status=err.status, error=err.message, day_raw=request.form.get("day") or None,
                       venue_raw=request.form.get("venue") or None)
    db.session.commit()
    flash(message, "success")
    return _back(slug)


@bp.post("/events/<slug>/manage/schedule/place")
@login_required
def place(slug: str):
    def action(event):
        entry = services.place(event, _id("proposal_id"),
                               _id("room_id"), _moment(event, request.form.get("start")),
                               actor=_user(), now=clock(), expected_version=_version())
        return _("“%(title)s” is placed in %(room)s.", title=entry.proposal.title, room=entry.room.name)
    return _act(slug, action)


@bp.post("/events/<slug>/manage/schedule/unplace")
@login_required
def unplace(slug: str):
    def action(event):
        services.unplace(event, _id("proposal_id"), actor=_user(), now=clock(),
                         expected_version=_version())
        return _("The session is back among the unplaced ones.")
    return _act(slug, action)


@bp.post("/events/<slug>/manage/schedule/pin")
@login_required
def pin(slug: str):
    def action(event):
        pinned = request.form.get("pinned") == "1"
        services.pin(event, _id("proposal_id"), pinned, actor=_user(), now=clock(),
                     expected_version=_version())
        return _("The session is pinned.") if pinned else _("The session is no longer pinned.")
    return _act(slug, action)


from . import release_views as _release_views  # noqa: E402,F401 - its routes belong to this blueprint
