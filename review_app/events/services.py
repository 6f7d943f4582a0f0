"""Changes to an event and its configuration; every change is audited, the caller commits."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.models import record
from ..db import Base, db
from ..errors import Conflict, DomainError, PermissionDenied, is_race
from ..mail.services import absolute_url, queue_mail
from .models import ROLE_LABELS, Event, EventRole, Role, Room, RoomOpening, TravelTime, Venue
from .permissions import ASSIGNABLE_ROLES, can_manage_event, can_revoke_role, forget_roles, is_admin


def check_manage(actor: User, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the programme committee may change this event."))


def create_event(*, actor: User | None, now: datetime, **fields: Any) -> Event:
    """Create an edition; only site administrators (or the CLI, actor=None) may."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only site administrators may create events."))
    if db.session.scalar(select(Event.id).where(Event.slug == fields["slug"])) is not None:
        raise Conflict(_("An event with this short name already exists."))
    event = Event(created_at=now, **fields)
    db.session.add(event)
    _flush_or_conflict()
    record(actor=actor, action="event.create", obj=event, now=now, event_id=event.id)
    return event


@dataclass(frozen=True)
class TimeDependent:
    """Something planned on the event's days: `days(event)` the local days it uses, `describe(n)` names n of them
    for a refusal, `shift(event, days, old_zone)` moves them by whole days keeping their local times (called after
    the event's new dates and zone are set; `old_zone` is the zone they were planned in)."""

    days: Callable[[Event], list[date]]
    describe: Callable[[int], str]
    shift: Callable[[Event, int, str], None]
    zone_bound: bool = False  # kept as instants: a new zone moves their local times unless carried along


# the packages register what they plan on the event's days (rooms' hours here, availability in cfp, the schedule)
TIME_DEPENDENTS: list[TimeDependent] = []


def update_event(event: Event, *, actor: User, now: datetime, carry_along: bool = False, **fields: Any) -> Event:
    """Change the event's settings. A change of its dates or zone that would leave room hours, availability,
    blocks or placed sessions outside the event days (or, for the schedule, shift their local times) is refused
    with what it would strand (409), unless `carry_along`: then they move by the days the first day moves and keep
    their local times. Side effects: audit row."""
    check_manage(actor, event)
    old_start, old_zone = event.starts_on, event.timezone
    new_start, new_end = fields.get("starts_on", event.starts_on), fields.get("ends_on", event.ends_on)
    new_zone = fields.get("timezone", event.timezone)
    shift = (new_start - old_start).days if carry_along else 0
    if (new_start, new_end, new_zone) != (event.starts_on, event.ends_on, event.timezone):
        problems = []
        for dependent in TIME_DEPENDENTS:
            days = dependent.days(event)
            stranded = sum(1 for d in days if not new_start <= d + timedelta(days=shift) <= new_end)
            if not stranded and dependent.zone_bound and new_zone != old_zone and not carry_along:
                stranded = len(days)
            if stranded:
                problems.append(dependent.describe(stranded))
        if problems:
            raise Conflict(_("These dates or this time zone would leave behind what is already planned: %(what)s. "
                             "Change them back, or tick “Move what is planned along with the dates”.",
                             what="; ".join(problems)))
    for key, value in fields.items():
        setattr(event, key, value)
    _flush_or_conflict()
    if carry_along and (shift or new_zone != old_zone):
        for dependent in TIME_DEPENDENTS:
            dependent.shift(event, shift, old_zone)
        db.session.flush()
    record(actor=actor, action="event.update", obj=event, now=now, event_id=event.id,
           moved_days=shift if carry_along else None, old_zone=old_zone if new_zone != old_zone else None)
    return event


def _opening_days(event: Event) -> list[date]:
    return list(db.session.scalars(select(RoomOpening.day).join(Room, Room.id == RoomOpening.room_id)
                                   .where(Room.event_id == event.id)))


def _shift_openings(event: Event, days: int, _old_zone: str) -> None:
    for opening in db.session.scalars(select(RoomOpening).join(Room, Room.id == RoomOpening.room_id)
                                      .where(Room.event_id == event.id)):
        opening.day += timedelta(days=days)


TIME_DEPENDENTS.append(TimeDependent(
    _opening_days, lambda n: ngettext("%(num)d opening window of a room", "%(num)d opening windows of rooms", n),
    _shift_openings))


def grant_role(event: Event, user: User, role: Role, *, actor: User | None, now: datetime) -> EventRole:
    """Give `user` a role in the event (idempotent). Reviewer and committee roles are granted by the committee or
    admins; the speaker role comes with a proposal (actor=None, from the cfp services).

    Side effects of a new role: audit row; given by a person (actor), a mail telling `user` in their language."""
    if actor is not None:
        check_manage(actor, event)
        if role not in ASSIGNABLE_ROLES:
            raise DomainError(_("This role cannot be given by hand."), 422)
    existing = db.session.scalar(select(EventRole).where(EventRole.event_id == event.id,
                                                         EventRole.user_id == user.id, EventRole.role == role))
    if existing is not None:
        return existing
    row = EventRole(event_id=event.id, user_id=user.id, role=role, created_at=now)
    db.session.add(row)
    db.session.flush()
    forget_roles()
    record(actor=actor, action="event.grant_role", obj=row, now=now, event_id=event.id, role=role.value,
           user_id=user.id)
    if actor is not None and actor.id != user.id:  # not to an admin who joins the committee of a new event
        link = absolute_url("manage.overview" if role is Role.committee else "public.event", slug=event.slug)
        queue_mail(template="role_granted", recipient=user.email, language=user.language, now=now,
                   event_id=event.id, user=user, actor=actor, event=event, role=role.value,
                   role_label=ROLE_LABELS[role], link=link)
    return row


def check_revoke(actor: User, event: Event, row: EventRole) -> None:
    """Refuse removing a role that cannot be removed (asked before the confirmation page, and again on removing)."""
    check_manage(actor, event)
    if not can_revoke_role(actor, event, row):
        raise DomainError(_("This role cannot be removed here: a speaker stays one while owning a proposal, and "
                            "nobody removes their own committee seat."), 409)


def revoke_role(row: EventRole, *, actor: User, now: datetime) -> None:
    event = db.session.get(Event, row.event_id)
    check_revoke(actor, event, row)
    record(actor=actor, action="event.revoke_role", obj=row, now=now, event_id=row.event_id,
           role=row.role.value, user_id=row.user_id)
    db.session.delete(row)
    db.session.flush()
    forget_roles()


def save_item(event: Event, item: Base, *, actor: User, now: datetime, apply) -> Base:
    """Create or update one configuration object (venue, room, theme …) of the event.

    `apply(item)` copies the validated form values onto the object.
    """
    check_manage(actor, event)
    is_new = getattr(item, "id", None) is None
    if not is_new:
        check_unlocked(item)
    with db.session.no_autoflush:  # the object is complete only after apply()
        apply(item)
        if is_new:
            item.event_id = event.id
            check_unlocked(item)  # a new criterion would change what the submitted reviews mean, too
            db.session.add(item)
    _flush_or_conflict()
    record(actor=actor, action=f"{item.__tablename__}.{'create' if is_new else 'update'}", obj=item, now=now,
           event_id=event.id)
    return item


# What still uses one of an event's configuration objects, each as a sentence ("Used by 3 proposals: …").
# A package whose rows refer to these objects adds a finder here: events may not import it (the dependencies
# point the other way), yet the committee must learn what stops a deletion.
USE_FINDERS: list[Callable[[Base], list[str]]] = []


class InUse(Conflict):
    """The object is still used by others; `uses` says by what."""

    def __init__(self, uses: list[str]):
        super().__init__(_("This is still in use and cannot be deleted."))
        self.uses = uses


def name_list(names: list[str], limit: int = 5) -> str:
    """“A”, “B”, “C” and 2 more — a few names of a longer list."""
    shown = ", ".join(_("“%(name)s”", name=name) for name in names[:limit])
    if len(names) > limit:
        return _("%(names)s and %(num)d more", names=shown, num=len(names) - limit)
    return shown


# Why an object may no longer be changed or deleted at all, as a sentence, or None: criteria once the first
# review is submitted. Registered by the packages that know (review); consulted by save_item and delete_item.
EDIT_LOCKS: list[Callable[[Base], str | None]] = []


def edit_lock(item: Base) -> str | None:
    return next((reason for lock in EDIT_LOCKS if (reason := lock(item))), None)


def check_unlocked(item: Base) -> None:
    reason = edit_lock(item)
    if reason:
        raise Conflict(reason)


def uses_of(item: Base) -> list[str]:
    return [sentence for find in USE_FINDERS for sentence in find(item)]


def _rooms_of_venue(item: Base) -> list[str]:
    if not isinstance(item, Venue) or not item.rooms:
        return []
    names = [room.name for room in item.rooms]
    return [ngettext("This venue still has %(num)d room: %(names)s.", "This venue still has %(num)d rooms: %(names)s.",
                     len(names), names=name_list(names))]


USE_FINDERS.append(_rooms_of_venue)


def delete_item(event: Event, item: Base, *, actor: User, now: datetime) -> None:
    """Delete one configuration object of the event. Raises InUse (409), deleting nothing, while something still
    uses it (proposals a theme, rooms a venue …)."""
    check_manage(actor, event)
    check_unlocked(item)
    uses = uses_of(item)
    if uses:
        raise InUse(uses)
    record(actor=actor, action=f"{item.__tablename__}.delete", obj=item, now=now, event_id=event.id)
    db.session.delete(item)
    try:
        db.session.flush()
    except IntegrityError as err:  # a proposal (say) took it up between the check above and now: a race
        raise Conflict(_("This is still in use (for example by a proposal) and cannot be deleted.")) from err


def set_travel_time(event: Event, a: Venue, b: Venue, minutes: int, *, actor: User, now: datetime) -> TravelTime:
    check_manage(actor, event)
    if a.id == b.id or a.event_id != event.id or b.event_id != event.id:
        raise DomainError(_("Choose two different venues of this event."), 422)
    first, second = sorted((a.id, b.id))
    row = db.session.scalar(select(TravelTime).where(TravelTime.venue_a_id == first,
                                                     TravelTime.venue_b_id == second))
    if row is None:
        row = TravelTime(event_id=event.id, venue_a_id=first, venue_b_id=second, minutes=minutes)
        db.session.add(row)
    row.minutes = minutes
    db.session.flush()
    record(actor=actor, action="travel_time.set", obj=row, now=now, event_id=event.id, minutes=minutes)
    return row


def _flush_or_conflict() -> None:
    try:
        db.session.flush()
    except IntegrityError as err:  # the caller rolls back; the whole change is refused
        if not is_race(err):
            raise
        raise Conflict(_("This name is already used in this event.")) from err
