"""Releasing the programme: the draft frozen as an immutable version (v1, v2 …) with a comment, the change log against
the version before (new, moved, cancelled, removed), and mails to the speakers whose sessions are new or changed,
each with the session as an .ics file. The public reads only released versions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..audit.models import record
from ..cfp.models import Proposal, ProposalState
from ..db import db
from ..errors import Conflict, DomainError
from ..events.models import Event
from ..mail.services import absolute_url, queue_mail
from . import ics
from .models import ScheduleVersion
from .queries import Draft, load
from .services import check_committee


def latest(event: Event) -> ScheduleVersion | None:
    return db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.event_id == event.id)
                             .order_by(ScheduleVersion.number.desc()).limit(1))


def versions(event: Event) -> list[ScheduleVersion]:
    return list(db.session.scalars(select(ScheduleVersion).where(ScheduleVersion.event_id == event.id)
                                   .order_by(ScheduleVersion.number.desc())))


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _session(p: Proposal, entry, rooms) -> dict:
    room = rooms[entry.room_id]
    return {
        "id": p.id, "title": p.title, "abstract": p.abstract, "description": p.description, "language": p.language,
        "format": {"id": p.format.id, "name_de": p.format.name_de, "name_en": p.format.name_en},
        "theme": {"id": p.main_theme.id, "name_de": p.main_theme.name_de, "name_en": p.main_theme.name_en,
                  "colour": p.main_theme.colour},
        "audiences": [{"id": a.id, "name_de": a.name_de, "name_en": a.name_en} for a in p.audiences],
        "speakers": [{"id": s.user.id, "name": s.user.name, "organisation": s.user.organisation,
                      "city": s.user.city, "bio": s.user.bio} for s in p.speakers],
        "room_id": room.id, "venue_id": room.venue_id, "lane": entry.lane,
        "start": _iso(entry.starts_at), "end": _iso(entry.ends_at),
        "minutes": round((entry.ends_at - entry.starts_at).total_seconds() / 60),
    }


def snapshot(draft: Draft, previous: dict | None, number: int) -> dict:
    """Everything the public sees of the draft as version `number`: the event, its venues and rooms, the placed
    sessions, the public blocks, and the sessions released before that are cancelled now."""
    event = draft.event
    rooms = draft.rooms
    sessions = [_session(draft.sessions[pid], entry, rooms) for pid, entry in draft.entries.items()
                if pid in draft.sessions]
    sessions.sort(key=lambda s: (s["start"], s["room_id"], s["id"]))
    before = {s["id"]: s for s in (previous or {}).get("sessions", [])}
    before.update({s["id"]: s for s in (previous or {}).get("cancelled", [])})
    cancelled_ids = set(db.session.scalars(select(Proposal.id).where(
        Proposal.event_id == event.id, Proposal.state == ProposalState.cancelled, Proposal.id.in_(list(before)))))
    cancelled = [{**before[pid], "cancelled": True} for pid in sorted(cancelled_ids)]
    travel = sorted({(min(a, b), max(a, b), m) for (a, b), m in draft.plan.travel.items()})
    return {
        "number": number,
        "event": {"id": event.id, "slug": event.slug, "name": event.name, "timezone": event.timezone,
                  "starts_on": event.starts_on.isoformat(), "ends_on": event.ends_on.isoformat(),
                  "days": [d.isoformat() for d in event.days], "motto_de": event.motto_de, "motto_en": event.motto_en,
                  "description_de": event.description_de, "description_en": event.description_en},
        "venues": [{"id": v.id, "name": v.name, "address": v.address, "description_de": v.description_de,
                    "description_en": v.description_en,
                    "rooms": [{"id": r.id, "name": r.name, "capacity": r.capacity, "stands": r.stands}
                              for r in rooms.values() if r.venue_id == v.id]} for v in draft.venues],
        "travel": [list(t) for t in travel],
        "sessions": sessions,
        "cancelled": cancelled,
        "blocks": [{"id": b.id, "kind": b.kind.value, "title_de": b.title_de, "title_en": b.title_en,
                    "start": _iso(b.starts_at), "end": _iso(b.ends_at), "venue_id": b.venue_id,
                    "room_ids": sorted(draft.plan.blocks[i].room_ids)}
                   for i, b in enumerate(draft.blocks) if b.public],
    }


def changes(previous: dict | None, current: dict) -> dict:
    """What changed from `previous` to `current`: sessions new, moved (another room or time), cancelled, or removed
    (no longer scheduled but not cancelled); and whether the blocks changed."""
    before = {s["id"]: s for s in (previous or {}).get("sessions", [])}
    now = {s["id"]: s for s in current["sessions"]}
    was_cancelled = {s["id"] for s in (previous or {}).get("cancelled", [])}
    cancelled = sorted(s["id"] for s in current["cancelled"] if s["id"] not in was_cancelled)
    def where(s: dict) -> dict:
        return {k: s[k] for k in ("room_id", "start", "end")}

    moved = [{"id": pid, "from": where(before[pid]), "to": where(s)} for pid, s in sorted(now.items())
             if pid in before and where(before[pid]) != where(s)]
    changed = sorted(pid for pid, s in now.items() if pid in before and pid not in {m["id"] for m in moved}
                     and _content(before[pid]) != _content(s))
    return {
        "new": sorted(pid for pid in now if pid not in before),
        "moved": moved,
        "changed": changed,
        "cancelled": cancelled,
        "removed": sorted(pid for pid in before if pid not in now and pid not in cancelled),
        "blocks": (previous or {}).get("blocks", []) != current["blocks"],
    }


def _content(session: dict) -> tuple:
    return (session["title"], session["abstract"], session["description"], session["speakers"], session["language"])


def is_empty(change: dict) -> bool:
    return not any(change[key] for key in ("new", "moved", "changed", "cancelled", "removed", "blocks"))


@dataclass
class Plan:
    """What releasing would do: the version's number, its changes and how many mails go out."""

    number: int
    changes: dict
    snapshot: dict
    mails: int


def plan_release(event: Event, *, actor: User) -> Plan:
    check_committee(actor, event)
    before = latest(event)
    number = (before.number if before else 0) + 1
    snap = snapshot(load(event), before.snapshot if before else None, number)
    change = changes(before.snapshot if before else None, snap)
    speakers = _speakers_to_tell(snap, change)
    return Plan(number, change, snap, sum(len(v) for v in speakers.values()))


def _speakers_to_tell(snap: dict, change: dict) -> dict[int, list[int]]:
    """session id → its speakers' ids, for the sessions new or moved in this release."""
    ids = set(change["new"]) | {m["id"] for m in change["moved"]}
    return {s["id"]: [p["id"] for p in s["speakers"]] for s in snap["sessions"] if s["id"] in ids}


def release(event: Event, comment: str, *, actor: User, now: datetime) -> ScheduleVersion:
    """Freeze the draft as the next version. Refused (409) when nothing changed since the last one. Side effects:
    the version row (never changed afterwards), one mail per speaker of a new or moved session with its time,
    room, venue and address and an .ics file, audit row."""
    plan = plan_release(event, actor=actor)
    if plan.number > 1 and is_empty(plan.changes):
        raise Conflict(_("Nothing has changed since version %(num)d: there is nothing to release.",
                         num=plan.number - 1))
    if not plan.snapshot["sessions"] and plan.number == 1:
        raise DomainError(_("No session is placed yet: place sessions before releasing the programme."), 409)
    comment = " ".join((comment or "").split())[:2000]
    version = ScheduleVersion(event_id=event.id, number=plan.number, comment=comment, released_at=now,
                              released_by_id=actor.id, snapshot=plan.snapshot, changes=plan.changes)
    db.session.add(version)
    db.session.flush()
    _mail(event, version, _speakers_to_tell(plan.snapshot, plan.changes), now=now)
    record(actor=actor, action="schedule.release", obj=version, now=now, event_id=event.id, number=version.number,
           new=len(plan.changes["new"]), moved=len(plan.changes["moved"]),
           cancelled=len(plan.changes["cancelled"]), removed=len(plan.changes["removed"]))
    return version


def host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).netloc or "localhost"


def _mail(event: Event, version: ScheduleVersion, to_tell: dict[int, list[int]], *, now: datetime) -> None:
    snap = version.snapshot
    by_id = {s["id"]: s for s in snap["sessions"]}
    rooms = {r["id"]: (r, v) for v in snap["venues"] for r in v["rooms"]}
    moved = {m["id"]: m for m in version.changes["moved"]}
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(sorted({uid for ids in to_tell.values() for uid in ids}))))}
    for session_id, speaker_ids in sorted(to_tell.items()):
        session = by_id[session_id]
        room, venue = rooms[session["room_id"]]
        attachment = {"filename": f"session-{session_id}.ics", "content_type": "text/calendar",
                      "content": ics.calendar(snap, [session], host=host(), stamp=now, name=session["title"])
                      .decode("utf-8")}
        link = absolute_url("cfp.proposal", slug=event.slug, proposal_id=session_id)
        for uid in speaker_ids:
            user = users[uid]
            queue_mail(template="session_scheduled", recipient=user.email, language=user.language, now=now,
                       event_id=event.id, user=user, event=event, session=session, room=room, venue=venue,
                       moved=moved.get(session_id), number=version.number, link=link,
                       starts_at=datetime.fromisoformat(session["start"]),
                       ends_at=datetime.fromisoformat(session["end"]), attachments=[attachment])
