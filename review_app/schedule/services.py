"""Changes to the draft programme: placing, moving, un-placing and pinning confirmed sessions, a session's length and
expected audience, the blocks, and the solver's weights. Each change checks its rule, writes an audit row and
flushes; the caller commits. A stale change (the session was changed meanwhile) answers 409 saying what changed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.models import record
from ..cfp.models import Proposal, ProposalState
from ..cfp.services import CANCEL_HOOKS
from ..db import db
from ..errors import Conflict, DomainError, NotFound, PermissionDenied, is_race
from ..events.models import Event, Room, Venue
from ..events.permissions import can_manage_event
from ..events.services import TIME_DEPENDENTS, TimeDependent
from ..i18n import format_in_zone
from . import checks
from .models import WEIGHTS, BlockKind, ScheduleBlock, ScheduleEntry
from .queries import Draft, event_window, load, settings_of


def can_edit_schedule(user, event: Event) -> bool:
    return can_manage_event(user, event)


def check_committee(actor: User, event: Event) -> None:
    if not can_edit_schedule(actor, event):
        raise PermissionDenied(_("Only the programme committee may do this."))


class StaleChange(Conflict):
    """Someone changed the session since the form was loaded; the message says how it stands now."""


def _describe(event: Event, entry: ScheduleEntry | None) -> str:
    if entry is None:
        return _("It is not placed now.")
    who = entry.updated_by.name if entry.updated_by is not None else _("someone")
    return _("It is now in %(room)s at %(time)s (changed by %(who)s at %(when)s).", room=entry.room.name,
             time=format_in_zone(entry.starts_at, event.timezone), who=who,
             when=format_in_zone(entry.updated_at, event.timezone))


def _check_version(event: Event, entry: ScheduleEntry | None, expected: int | None) -> None:
    """`expected`: the entry's version the form was made from, 0 for "not placed then", None for "do not check"."""
    if expected is None:
        return
    current = entry.version if entry is not None else 0
    if current != expected:
        raise StaleChange(_("Someone else changed this session in the meantime; your change was not saved.") + " "
                          + _describe(event, entry))


def _session(event: Event, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.event_id != event.id:
        raise NotFound(_("This session does not exist."))
    if proposal.state is not ProposalState.confirmed:
        raise DomainError(_("Only confirmed sessions can be placed; this one is “%(state)s”.",
                            state=proposal.state_label), 409)
    return proposal


def _room(event: Event, room_id: int) -> Room:
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        raise DomainError(_("Choose one of this event's rooms."), 422)
    return room


def _flush_entry() -> None:
    try:
        db.session.flush()
    except IntegrityError as err:  # a concurrent placement took the room (the database's overlap guard)
        if not is_race(err):
            raise
        db.session.rollback()
        raise Conflict(_("Someone placed another session in this room at this time in the meantime. Reload the "
                         "schedule and try again.")) from err


def place(event: Event, proposal_id: int, room_id: int, start: datetime, *, actor: User, now: datetime,
          expected_version: int | None = None, draft: Draft | None = None) -> ScheduleEntry:
    """Place a confirmed session in a room at `start` (its length from the session), or move it there. Refused:
    outside the event days (422); a room or stand that holds another session then, with the changeover, or a
    block (409); a stale form (409). Other problems (a speaker elsewhere, availability, capacity …) are allowed
    and shown by the checks. Side effects: audit row."""
    check_committee(actor, event)
    proposal = _session(event, proposal_id)
    room = _room(event, room_id)
    entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == proposal.id))
    _check_version(event, entry, expected_version)
    if start.tzinfo is None:
        raise DomainError(_("Give a time."), 422)
    end = start + timedelta(minutes=proposal.minutes)
    first, last = event_window(event)
    if not (first <= start and end <= last):
        raise DomainError(_("This is outside the event's days."), 422)
    draft = draft or load(event)
    lane = checks.free_lane(draft.plan, room.id, start, end, ignore=proposal.id)
    if lane is None:
        taken = [draft.sessions[p.session_id].title  # in the room's order: by time, then stand
                 for p in sorted(draft.plan.placements, key=lambda p: (p.start, p.lane, p.session_id))
                 if p.room_id == room.id and p.session_id != proposal.id
                 and p.start < end + timedelta(minutes=event.changeover_minutes)
                 and start < p.end + timedelta(minutes=event.changeover_minutes)]
        raise Conflict(_("%(room)s holds another session then (%(taken)s), with %(minutes)d minutes to change over "
                         "in between.", room=room.name, taken="; ".join(taken), minutes=event.changeover_minutes))
    for block in draft.plan.blocks:
        if room.id in block.room_ids and block.start < end and start < block.end:
            raise Conflict(_("%(room)s is taken by “%(block)s” then.", room=room.name, block=block.title))
    before = (entry.room_id, entry.starts_at) if entry is not None else None
    if entry is None:
        entry = ScheduleEntry(event_id=event.id, proposal_id=proposal.id, room_id=room.id, lane=lane, starts_at=start,
                              ends_at=end, pinned=False, updated_at=now, updated_by_id=actor.id)
        db.session.add(entry)
    else:
        entry.room_id, entry.lane, entry.starts_at, entry.ends_at = room.id, lane, start, end
        entry.updated_at, entry.updated_by_id = now, actor.id
    _flush_entry()
    record(actor=actor, action="schedule.move" if before else "schedule.place", obj=entry, now=now,
           event_id=event.id, proposal_id=proposal.id, room_id=room.id, starts_at=start.isoformat(),
           from_room_id=before[0] if before else None, from_starts_at=before[1].isoformat() if before else None)
    return entry


def _entry(event: Event, proposal_id: int) -> ScheduleEntry | None:
    entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == proposal_id))
    if entry is not None and entry.event_id != event.id:
        raise NotFound(_("This session does not exist."))
    return entry


def unplace(event: Event, proposal_id: int, *, actor: User, now: datetime,
            expected_version: int | None = None) -> None:
    """Take a session out of the draft (back to the unplaced ones). Side effects: audit row."""
    check_committee(actor, event)
    entry = _entry(event, proposal_id)
    if entry is None and expected_version in (None, 0):
        raise DomainError(_("This session is not placed."), 409)
    _check_version(event, entry, expected_version)
    record(actor=actor, action="schedule.unplace", obj=entry, now=now, event_id=event.id, proposal_id=proposal_id,
           room_id=entry.room_id, starts_at=entry.starts_at.isoformat())
    db.session.delete(entry)
    db.session.flush()


def pin(event: Event, proposal_id: int, pinned: bool, *, actor: User, now: datetime,
        expected_version: int | None = None) -> ScheduleEntry:
    """Pin a placed session (the automatic scheduler leaves it where it is) or release the pin. Side effects: audit."""
    check_committee(actor, event)
    entry = _entry(event, proposal_id)
    if entry is None:
        raise DomainError(_("Only a placed session can be pinned."), 409)
    _check_version(event, entry, expected_version)
    entry.pinned = bool(pinned)
    entry.updated_at, entry.updated_by_id = now, actor.id
    db.session.flush()
    record(actor=actor, action="schedule.pin" if pinned else "schedule.unpin", obj=entry, now=now,
           event_id=event.id, proposal_id=proposal_id)
    return entry


def set_session(event: Event, proposal_id: int, *, minutes: int | None, audience: int | None, actor: User,
                now: datetime) -> Proposal:
    """The committee's length and expected audience of a session (None: the format's). A placed session keeps its
    start; a longer one must still fit its room (409 otherwise). Side effects: audit row."""
    check_committee(actor, event)
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.event_id != event.id or proposal.state is not ProposalState.confirmed:
        raise NotFound(_("This session does not exist."))
    if minutes is not None and not 5 <= minutes <= 1440:
        raise DomainError(_("A session lasts from 5 minutes to a whole day."), 422)
    if audience is not None and not 1 <= audience <= 100000:
        raise DomainError(_("Give an expected audience from 1 to 100,000 people."), 422)
    before = (proposal.duration_minutes, proposal.expected_audience)
    proposal.duration_minutes, proposal.expected_audience = minutes, audience
    entry = _entry(event, proposal.id)
    if entry is not None and entry.ends_at != entry.starts_at + timedelta(minutes=proposal.minutes):
        end = entry.starts_at + timedelta(minutes=proposal.minutes)
        draft = load(event)
        if end > event_window(event)[1]:
            raise DomainError(_("At this length the session would end after the event's last day. Move it "
                                "first."), 422)
        if checks.free_lane(draft.plan, entry.room_id, entry.starts_at, end, ignore=proposal.id) is None:
            raise Conflict(_("At this length the session would run into the next one in %(room)s. Move one of them "
                             "first.", room=entry.room.name))
        for block in draft.plan.blocks:
            if entry.room_id in block.room_ids and block.start < end and entry.starts_at < block.end:
                raise Conflict(_("At this length the session would run into “%(block)s” in %(room)s. Move it "
                                 "first.", block=block.title, room=entry.room.name))
        entry.ends_at, entry.updated_at, entry.updated_by_id = end, now, actor.id
    db.session.flush()
    record(actor=actor, action="schedule.session", obj=proposal, now=now, event_id=event.id,
           duration_minutes=minutes, expected_audience=audience, before=list(before))
    return proposal


# --- blocks ---------------------------------------------------------------------------------------------------

@dataclass
class BlockData:
    kind: str
    title_de: str
    title_en: str
    starts_at: datetime
    ends_at: datetime
    venue_id: int | None
    room_ids: list[int]
    public: bool = True


def save_block(event: Event, data: BlockData, *, actor: User, now: datetime,
               block: ScheduleBlock | None = None) -> ScheduleBlock:
    """Create or change a block; it must lie within the event days and end after it starts; a placed session
    where the block is refuses it (409: move the session first). Side effects: audit row."""
    check_committee(actor, event)
    try:
        kind = BlockKind(data.kind)
    except ValueError as err:
        raise DomainError(_("Choose one of the kinds of block."), 422) from err
    first, last = event_window(event)
    if not (first <= data.starts_at < data.ends_at <= last):
        raise DomainError(_("A block lies within the event's days and ends after it starts."), 422)
    venue = None
    if data.venue_id is not None:
        venue = db.session.get(Venue, data.venue_id)
        if venue is None or venue.event_id != event.id:
            raise DomainError(_("Choose one of this event's venues."), 422)
    rooms = list(db.session.scalars(select(Room).where(Room.id.in_(data.room_ids), Room.event_id == event.id)))
    if len(rooms) != len(set(data.room_ids)) or (venue is not None and any(r.venue_id != venue.id for r in rooms)):
        raise DomainError(_("Choose rooms of this event (and of the block's venue)."), 422)
    created = block is None
    block = block or ScheduleBlock(event_id=event.id)
    block.kind, block.title_de, block.title_en = kind, data.title_de, data.title_en
    block.starts_at, block.ends_at, block.venue_id, block.public = data.starts_at, data.ends_at, data.venue_id, \
        data.public
    block.rooms = rooms
    if created:
        db.session.add(block)
    db.session.flush()
    draft = load(event)
    occupied = next(b for b in draft.plan.blocks if b.id == block.id).room_ids
    clash = [draft.sessions[p.session_id].title for p in draft.plan.placements
             if p.room_id in occupied and p.start < block.ends_at and block.starts_at < p.end]
    if clash:
        raise Conflict(_("Sessions are placed there then: %(titles)s. Move them first.", titles="; ".join(clash)))
    record(actor=actor, action="schedule.block.create" if created else "schedule.block.edit", obj=block, now=now,
           event_id=event.id, kind=kind.value, starts_at=block.starts_at.isoformat(), ends_at=block.ends_at.isoformat())
    return block


def delete_block(event: Event, block: ScheduleBlock, *, actor: User, now: datetime) -> None:
    check_committee(actor, event)
    record(actor=actor, action="schedule.block.delete", obj=block, now=now, event_id=event.id, title=block.title_de)
    db.session.delete(block)
    db.session.flush()


def save_weights(event: Event, weights: dict[str, int], time_limit: int, *, actor: User, now: datetime) -> None:
    """The committee's weights of the solver's soft goals (0–100 each) and its time limit (1–600 s)."""
    check_committee(actor, event)
    if set(weights) - set(WEIGHTS) or any(not 0 <= int(v) <= 100 for v in weights.values()):
        raise DomainError(_("Each weight is a whole number from 0 to 100."), 422)
    if not 1 <= int(time_limit) <= 600:
        raise DomainError(_("The time limit is from 1 to 600 seconds."), 422)
    settings = settings_of(event)
    settings.weights = {k: int(v) for k, v in weights.items()}
    settings.time_limit = int(time_limit)
    db.session.flush()
    record(actor=actor, action="schedule.weights", obj=event, now=now, event_id=event.id, weights=settings.weights,
           time_limit=settings.time_limit)


# --- what the schedule does when others change ----------------------------------------------------------------

def _free_slot(proposal: Proposal, *, actor: User, now: datetime) -> None:
    """A cancelled session leaves the draft (cfp.services.cancel); the next release shows it as cancelled."""
    entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == proposal.id))
    if entry is not None:
        record(actor=actor, action="schedule.unplace", obj=entry, now=now, event_id=proposal.event_id,
               proposal_id=proposal.id, room_id=entry.room_id, starts_at=entry.starts_at.isoformat(),
               reason="cancelled")
        db.session.delete(entry)
        db.session.flush()


CANCEL_HOOKS.append(_free_slot)


def _planned_days(event: Event) -> list:
    rows = db.session.execute(select(ScheduleEntry.starts_at).where(ScheduleEntry.event_id == event.id)).all()
    rows += db.session.execute(select(ScheduleBlock.starts_at).where(ScheduleBlock.event_id == event.id)).all()
    return [event.local(moment).date() for (moment,) in rows]


def _shift_planned(event: Event, days: int, old_zone: str) -> None:
    """Keep each entry's and block's local wall-clock time, `days` later, in the event's (new) zone."""
    from zoneinfo import ZoneInfo

    old = ZoneInfo(old_zone)

    def moved(moment: datetime) -> datetime:
        return (moment.astimezone(old).replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=event.tz)

    entries = list(db.session.scalars(select(ScheduleEntry).where(ScheduleEntry.event_id == event.id)))
    later = bool(entries) and moved(entries[0].starts_at) > entries[0].starts_at
    # one row at a time, the last first when moving later (the first first when earlier): the overlap guard
    # checks each row as it is written, and every row moves by the same span
    for row in sorted(entries, key=lambda e: e.starts_at, reverse=later):
        row.starts_at, row.ends_at = moved(row.starts_at), moved(row.ends_at)
        db.session.flush()
    for block in db.session.scalars(select(ScheduleBlock).where(ScheduleBlock.event_id == event.id)):
        block.starts_at, block.ends_at = moved(block.starts_at), moved(block.ends_at)


def _describe_planned(n: int) -> str:
    from flask_babel import ngettext

    return ngettext("%(num)d placed session or block", "%(num)d placed sessions and blocks", n)


TIME_DEPENDENTS.append(TimeDependent(_planned_days, _describe_planned, _shift_planned, zone_bound=True))
