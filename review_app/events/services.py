"""Changes to an event and its configuration; every change is audited, the caller commits."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.models import record
from ..db import Base, db
from ..errors import Conflict, DomainError, PermissionDenied
from .models import Event, EventRole, Role, TravelTime, Venue
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


def update_event(event: Event, *, actor: User, now: datetime, **fields: Any) -> Event:
    check_manage(actor, event)
    for key, value in fields.items():
        setattr(event, key, value)
    _flush_or_conflict()
    record(actor=actor, action="event.update", obj=event, now=now, event_id=event.id)
    return event


def grant_role(event: Event, user: User, role: Role, *, actor: User | None, now: datetime) -> EventRole:
    """Give `user` a role in the event (idempotent). Reviewer and committee roles are granted by the committee or
    admins; the speaker role comes with a proposal (actor=None, from the cfp services)."""
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
    return row


def revoke_role(row: EventRole, *, actor: User, now: datetime) -> None:
    event = db.session.get(Event, row.event_id)
    check_manage(actor, event)
    if not can_revoke_role(actor, event, row):
        raise DomainError(_("This role cannot be removed here: a speaker stays one while owning a proposal, and "
                            "nobody removes their own committee seat."), 409)
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
    with db.session.no_autoflush:  # the object is complete only after apply()
        apply(item)
        if is_new:
            item.event_id = event.id
            db.session.add(item)
    _flush_or_conflict()
    record(actor=actor, action=f"{item.__tablename__}.{'create' if is_new else 'update'}", obj=item, now=now,
           event_id=event.id)
    return item


def delete_item(event: Event, item: Base, *, actor: User, now: datetime) -> None:
    check_manage(actor, event)
    record(actor=actor, action=f"{item.__tablename__}.delete", obj=item, now=now, event_id=event.id)
    db.session.delete(item)
    try:
        db.session.flush()
    except IntegrityError as err:
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
        raise Conflict(_("This name is already used in this event.")) from err
