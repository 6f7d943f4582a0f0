"""When people can present: a person's windows per event day (wall-clock, in the event's zone), given once for all
their proposals, and the windows a session's speakers share."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..db import db
from ..errors import DomainError
from ..events.models import Event
from ..events.services import TIME_DEPENDENTS, TimeDependent
from .models import Availability

Window = tuple[time, time]


def windows_of(event: Event, user_ids: Iterable[int]) -> dict[int, dict[date, list[Window]]]:
    """user id → day → that person's windows, for the given people (one query); people who gave none are absent."""
    ids = sorted(set(user_ids))
    result: dict[int, dict[date, list[Window]]] = defaultdict(lambda: defaultdict(list))
    if not ids:
        return {}
    for row in db.session.scalars(select(Availability).where(Availability.event_id == event.id,
                                                             Availability.user_id.in_(ids))
                                  .order_by(Availability.day, Availability.starts)):
        result[row.user_id][row.day].append((row.starts, row.ends))
    return {uid: dict(days) for uid, days in result.items()}


def shared(windows: dict[int, dict[date, list[Window]]], user_ids: Iterable[int],
           days: Iterable[date]) -> dict[date, list[Window]] | None:
    """The windows all the given people share, per day; None when none of them stated any (no constraint). A person
    who stated nothing does not restrict the others."""
    stated = [windows[uid] for uid in user_ids if uid in windows]
    if not stated:
        return None
    result = {}
    for day in days:
        common: list[Window] = [(time.min, time.max)]
        for person in stated:
            common = _intersect(common, person.get(day, []))
        if common:
            result[day] = common
    return result


def _intersect(a: list[Window], b: list[Window]) -> list[Window]:
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            start, end = max(s1, s2), min(e1, e2)
            if start < end:
                out.append((start, end))
    return sorted(out)


def set_availability(event: Event, user_id: int, moments: list[tuple[datetime, datetime]]) -> None:
    """Replace a person's windows for the event by `moments` (aware start and end on one event day each); the
    caller audits. Refuses (422) a window outside the event days or that does not end after it starts."""
    rows = []
    for start, end in moments:
        local_start, local_end = event.local(start), event.local(end)
        if (local_start.date() not in event.days or local_end.date() != local_start.date()
                or local_end <= local_start):
            raise DomainError(_("Availability must lie within the event days, and end after it starts."), 422)
        rows.append((local_start.date(), local_start.time(), local_end.time()))
    existing = list(db.session.scalars(select(Availability).where(Availability.event_id == event.id,
                                                                  Availability.user_id == user_id)))
    if sorted((r.day, r.starts, r.ends) for r in existing) == sorted(rows):
        return
    for row in existing:
        db.session.delete(row)
    db.session.flush()
    db.session.add_all(Availability(event_id=event.id, user_id=user_id, day=day, starts=starts, ends=ends)
                       for day, starts, ends in rows)


def _days(event: Event) -> list[date]:
    return list(db.session.scalars(select(Availability.day).where(Availability.event_id == event.id)))


def _shift(event: Event, days: int, _old_zone: str) -> None:
    """Every window `days` later: written anew, since moving the rows one by one would put a day's window on the
    next day's before that one has moved (one window per person, day and start)."""
    rows = list(db.session.scalars(select(Availability).where(Availability.event_id == event.id)))
    moved = [(r.user_id, r.day + timedelta(days=days), r.starts, r.ends) for r in rows]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    db.session.add_all(Availability(event_id=event.id, user_id=uid, day=day, starts=starts, ends=ends)
                       for uid, day, starts, ends in moved)


# a change of the event's dates must not leave availability behind (events.services.update_event)
TIME_DEPENDENTS.append(TimeDependent(
    _days, lambda n: ngettext("%(num)d window of a speaker's availability", "%(num)d windows of speakers' "
                              "availability", n), _shift))
