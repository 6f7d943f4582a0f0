"""Who may do what in an event; one predicate per rule, used by views, templates and services."""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from ..db import db
from .models import Event, EventRole, Role


def roles_of(user, event: Event) -> frozenset[Role]:
    """The user's roles in the event, loaded once per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("_event_roles", {}) if _has_g() else {}
    key = (user.id, event.id)
    if key not in cache:
        cache[key] = frozenset(db.session.scalars(
            select(EventRole.role).where(EventRole.event_id == event.id, EventRole.user_id == user.id)))
    return cache[key]


def events_with_roles(user) -> list[tuple[Event, frozenset[Role]]]:
    """Every event in which the user has a role, with those roles (newest event first); one query per request,
    however many events the person has."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cache = g.setdefault("_events_with_roles", {}) if _has_g() else {}
    if user.id not in cache:
        rows = db.session.execute(select(Event, EventRole.role).join(EventRole, EventRole.event_id == Event.id)
                                  .where(EventRole.user_id == user.id)
                                  .order_by(Event.starts_on.desc(), Event.id.desc(), EventRole.role)).all()
        grouped: dict[int, tuple[Event, set[Role]]] = {}
        for event, role in rows:
            grouped.setdefault(event.id, (event, set()))[1].add(role)
        cache[user.id] = [(event, frozenset(roles)) for event, roles in grouped.values()]
    return cache[user.id]


def events_where(user, role: Role) -> list[Event]:
    return [event for event, roles in events_with_roles(user) if role in roles]


def _has_g() -> bool:
    from flask import has_app_context
    return has_app_context()


def forget_roles() -> None:
    if _has_g():
        g.pop("_event_roles", None)
        g.pop("_events_with_roles", None)
        g.pop("_nav_areas", None)  # the header's areas follow from the roles (review_app.navigation)


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_admin", False))


def can_manage_event(user, event: Event) -> bool:
    return is_admin(user) or Role.committee in roles_of(user, event)


# Roles the committee hands out; "speaker" follows from owning a proposal and is never granted or taken by hand.
ASSIGNABLE_ROLES = (Role.reviewer, Role.committee)


def can_revoke_role(user, event: Event, row: EventRole) -> bool:
    """Committee members remove reviewer and committee roles, but not their own committee seat."""
    return (can_manage_event(user, event) and row.role in ASSIGNABLE_ROLES
            and not (row.role is Role.committee and row.user_id == getattr(user, "id", None)))
