"""Reading an event's programme from the database into the plain data of `checks` and `solver`, in a fixed number of
queries whatever the number of sessions: the rooms with their windows, the confirmed sessions with their speakers
and shared availability, the placed entries, the blocks and the travel times."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..cfp.availability import shared, windows_of
from ..cfp.models import Proposal, ProposalSpeaker, ProposalState
from ..db import db
from ..events.models import Event, Room, SessionFormat, TravelTime, Venue
from . import checks
from .models import ScheduleBlock, ScheduleEntry, ScheduleSettings


@dataclass
class Draft:
    """The event's programme as the committee edits it."""

    event: Event
    venues: list[Venue]
    rooms: dict[int, Room]
    sessions: dict[int, Proposal]  # the confirmed proposals, by id
    entries: dict[int, ScheduleEntry]  # by proposal id
    blocks: list[ScheduleBlock]
    plan: checks.Plan
    venue_audiences: dict[int, frozenset[int]] = field(default_factory=dict)

    @property
    def unplaced(self) -> list[Proposal]:
        return [p for pid, p in sorted(self.sessions.items()) if pid not in self.entries]


def settings_of(event: Event) -> ScheduleSettings:
    row = db.session.get(ScheduleSettings, event.id)
    if row is None:
        row = ScheduleSettings(event_id=event.id, weights={}, time_limit=20)
        db.session.add(row)
    return row


def event_window(event: Event) -> tuple[datetime, datetime]:
    return event.at(event.starts_on, time.min), event.at(event.ends_on + timedelta(days=1), time.min)


def room_windows(event: Event, room: Room) -> tuple[tuple[datetime, datetime], ...]:
    """A room's opening windows as instants; a room without any is open all day on every event day."""
    if not room.openings:  # from midnight to midnight
        return tuple(event.window(day, time.min, time.min) for day in event.days)
    return tuple(event.window(o.day, o.opens, o.closes) for o in room.openings if o.day in event.days)


def block_rooms(block: ScheduleBlock, rooms: dict[int, Room]) -> frozenset[int]:
    """The rooms a block occupies: those it names, else every room of its venue, else every room of the event."""
    if block.rooms:
        return frozenset(r.id for r in block.rooms)
    return frozenset(r.id for r in rooms.values() if block.venue_id is None or r.venue_id == block.venue_id)


def _fitting_formats(room: Room, formats: list[SessionFormat]) -> frozenset[int] | None:
    """The formats that suit a room: those it lists (if it lists any) whose venues (if they name any) include its
    venue; None when no room or format restricts anything."""
    if not room.formats and not any(f.venues for f in formats):
        return None
    listed = {f.id for f in room.formats}
    return frozenset(f.id for f in formats if (not listed or f.id in listed)
                     and (not f.venues or any(v.id == room.venue_id for v in f.venues)))


def load(event: Event) -> Draft:
    """The draft programme and the plan the checks read (a fixed number of queries)."""
    venues = list(db.session.scalars(select(Venue).where(Venue.event_id == event.id)
                                     .options(selectinload(Venue.audiences)).order_by(Venue.name)))
    rooms = {r.id: r for r in db.session.scalars(
        select(Room).where(Room.event_id == event.id)
        .options(selectinload(Room.openings), selectinload(Room.formats), selectinload(Room.venue))
        .order_by(Room.venue_id, Room.name))}
    formats = list(db.session.scalars(select(SessionFormat).where(SessionFormat.event_id == event.id)
                                      .options(selectinload(SessionFormat.venues))))
    sessions = {p.id: p for p in db.session.scalars(
        select(Proposal).where(Proposal.event_id == event.id, Proposal.state == ProposalState.confirmed)
        .options(selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user), selectinload(Proposal.format),
                 selectinload(Proposal.main_theme), selectinload(Proposal.audiences))
        .order_by(Proposal.id))}
    entries = {e.proposal_id: e for e in db.session.scalars(
        select(ScheduleEntry).where(ScheduleEntry.event_id == event.id)
        .options(selectinload(ScheduleEntry.updated_by), selectinload(ScheduleEntry.room))
        .order_by(ScheduleEntry.starts_at, ScheduleEntry.room_id, ScheduleEntry.lane, ScheduleEntry.id))}
    blocks = list(db.session.scalars(select(ScheduleBlock).where(ScheduleBlock.event_id == event.id)
                                     .options(selectinload(ScheduleBlock.rooms)).order_by(ScheduleBlock.starts_at)))
    travel = {}
    for row in db.session.scalars(select(TravelTime).where(TravelTime.event_id == event.id)):
        travel[row.venue_a_id, row.venue_b_id] = travel[row.venue_b_id, row.venue_a_id] = row.minutes
    windows = windows_of(event, {s.user_id for p in sessions.values() for s in p.speakers})
    plan_sessions = {}
    for p in sessions.values():
        ids = tuple(s.user_id for s in p.speakers)
        common = shared(windows, ids, event.days)
        spans = None if common is None else tuple(
            event.window(day, start, end) for day, ws in sorted(common.items()) for start, end in ws)
        plan_sessions[p.id] = checks.Session(p.id, p.title, p.minutes, ids, p.main_theme_id, p.format_id,
                                             p.audience_size, spans)
    plan_rooms = {r.id: checks.Room(r.id, r.venue_id, r.name, r.capacity, room_windows(event, r), r.parallel,
                                    _fitting_formats(r, formats)) for r in rooms.values()}
    placements = [checks.Placement(e.proposal_id, e.room_id, e.starts_at, e.ends_at, e.lane)
                  for e in entries.values() if e.proposal_id in sessions]
    plan_blocks = [checks.Block(b.id, b.title, b.starts_at, b.ends_at, block_rooms(b, rooms)) for b in blocks]
    plan = checks.Plan(plan_sessions, plan_rooms, placements, plan_blocks, travel, event.changeover_minutes,
                       event_window(event))
    return Draft(event, venues, rooms, sessions, entries, blocks, plan,
                 {v.id: frozenset(a.id for a in v.audiences) for v in venues})
