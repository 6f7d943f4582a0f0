"""The checks of a schedule, as pure rules over plain data: what makes a placement impossible or unwise, each problem
naming the sessions, people and room involved. The editor, the release page and the tests ask these; the solver
keeps the hard ones as constraints.

Hard (level "error"):
  room_overlap    two sessions on one lane of a room overlap, or follow each other closer than the changeover;
  block           a session overlaps a block (opening, lunch …) that occupies its room;
  speaker_overlap a person speaks in two sessions at once;
  travel          a person moves between two venues with less time than the travel time between them;
  availability    a session lies outside the windows all its speakers share;
  room_window     a session lies outside its room's opening windows;
  event_days      a session lies outside the event's days;
  capacity        the expected audience exceeds the room's capacity;
  format_room     the session's format does not suit the room or its venue.
Soft (level "warning"):
  theme_parallel  two sessions of the same theme run at the same time.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations

Interval = tuple[datetime, datetime]

HARD = ("room_overlap", "block", "speaker_overlap", "travel", "availability", "room_window", "event_days",
        "capacity", "format_room")
SOFT = ("theme_parallel",)


@dataclass(frozen=True)
class Session:
    id: int
    title: str
    minutes: int
    speakers: tuple[int, ...]
    theme_id: int
    format_id: int
    audience: int | None = None
    availability: tuple[Interval, ...] | None = None  # the windows its speakers share; None: no one stated any


@dataclass(frozen=True)
class Room:
    id: int
    venue_id: int
    name: str
    capacity: int
    windows: tuple[Interval, ...]
    parallel: int = 1  # how many sessions at once (the stands of an exhibition space)
    formats: frozenset[int] | None = None  # the formats that suit the room and its venue; None: any


@dataclass(frozen=True)
class Placement:
    session_id: int
    room_id: int
    start: datetime
    end: datetime
    lane: int = 0


@dataclass(frozen=True)
class Block:
    id: int
    title: str
    start: datetime
    end: datetime
    room_ids: frozenset[int]  # the rooms it occupies


@dataclass
class Plan:
    sessions: dict[int, Session]
    rooms: dict[int, Room]
    placements: list[Placement]
    blocks: list[Block] = field(default_factory=list)
    travel: dict[tuple[int, int], int] = field(default_factory=dict)  # minutes, both orders of each venue pair
    changeover: int = 0
    event_window: Interval | None = None

    def travel_minutes(self, venue_a: int, venue_b: int) -> int:
        return 0 if venue_a == venue_b else self.travel.get((venue_a, venue_b), 0)


@dataclass(frozen=True)
class Problem:
    kind: str
    session_ids: tuple[int, ...]
    person_ids: tuple[int, ...] = ()
    room_id: int | None = None
    minutes: int | None = None  # the gap that was needed (changeover, travel) or the audience over capacity
    block_id: int | None = None

    @property
    def level(self) -> str:
        return "error" if self.kind in HARD else "warning"


def _overlap(a: Placement, b: Placement) -> bool:
    return a.start < b.end and b.start < a.end


def _within(start: datetime, end: datetime, windows: Iterable[Interval]) -> bool:
    return any(ws <= start and end <= we for ws, we in windows)


def check(plan: Plan) -> list[Problem]:
    """Every problem of the plan, hard ones first, each once."""
    problems: list[Problem] = []
    gap = timedelta(minutes=plan.changeover)

    lanes: dict[tuple[int, int], list[Placement]] = defaultdict(list)
    for p in plan.placements:  # a lane the room no longer has (its stands were reduced) counts as its last one
        lanes[p.room_id, min(p.lane, plan.rooms[p.room_id].parallel - 1)].append(p)
    for (room_id, _lane), placed in lanes.items():
        placed.sort(key=lambda p: (p.start, p.session_id))
        for a, b in combinations(placed, 2):
            if a.start < b.end + gap and b.start < a.end + gap:
                problems.append(Problem("room_overlap", (a.session_id, b.session_id), room_id=room_id,
                                        minutes=plan.changeover if not _overlap(a, b) else None))

    for p in plan.placements:
        for block in plan.blocks:
            if p.room_id in block.room_ids and block.start < p.end and p.start < block.end:
                problems.append(Problem("block", (p.session_id,), room_id=p.room_id, block_id=block.id))

    by_person: dict[int, list[Placement]] = defaultdict(list)
    for p in plan.placements:
        for person in plan.sessions[p.session_id].speakers:
            by_person[person].append(p)
    for person, placed in sorted(by_person.items()):
        placed.sort(key=lambda p: (p.start, p.session_id))
        for a, b in combinations(placed, 2):
            ids = (a.session_id, b.session_id)
            if _overlap(a, b):
                problems.append(Problem("speaker_overlap", ids, (person,)))
                continue
            venue_a, venue_b = plan.rooms[a.room_id].venue_id, plan.rooms[b.room_id].venue_id
            need = plan.travel_minutes(venue_a, venue_b)
            first, second = (a, b) if a.start <= b.start else (b, a)
            if need and second.start - first.end < timedelta(minutes=need):
                problems.append(Problem("travel", ids, (person,), minutes=need))

    for p in plan.placements:
        session, room = plan.sessions[p.session_id], plan.rooms[p.room_id]
        if plan.event_window is not None and not _within(p.start, p.end, [plan.event_window]):
            problems.append(Problem("event_days", (p.session_id,), room_id=p.room_id))
        if session.availability is not None and not _within(p.start, p.end, session.availability):
            problems.append(Problem("availability", (p.session_id,), session.speakers))
        if not _within(p.start, p.end, room.windows):
            problems.append(Problem("room_window", (p.session_id,), room_id=p.room_id))
        if session.audience and session.audience > room.capacity:
            problems.append(Problem("capacity", (p.session_id,), room_id=p.room_id,
                                    minutes=session.audience - room.capacity))
        if room.formats is not None and session.format_id not in room.formats:
            problems.append(Problem("format_room", (p.session_id,), room_id=p.room_id))

    by_theme: dict[int, list[Placement]] = defaultdict(list)
    for p in plan.placements:
        by_theme[plan.sessions[p.session_id].theme_id].append(p)
    for placed in by_theme.values():
        placed.sort(key=lambda p: (p.start, p.session_id))
        for a, b in combinations(placed, 2):
            if _overlap(a, b):
                problems.append(Problem("theme_parallel", (a.session_id, b.session_id)))
    order = {kind: i for i, kind in enumerate(HARD + SOFT)}
    return sorted(problems, key=lambda pr: (order[pr.kind], pr.session_ids))


def free_lane(plan: Plan, room_id: int, start: datetime, end: datetime, ignore: int | None = None) -> int | None:
    """The first lane of the room free over [start, end) with the changeover kept, or None (the room is full)."""
    gap = timedelta(minutes=plan.changeover)
    room = plan.rooms[room_id]
    taken = {p.lane for p in plan.placements if p.room_id == room_id and p.session_id != ignore
             and p.start < end + gap and start < p.end + gap}
    return next((lane for lane in range(room.parallel) if lane not in taken), None)
