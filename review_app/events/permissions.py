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


def _has_g() -> bool:
    from flask import has_app_context
    return has_app_context()


def forget_roles() -> None:
    if _has_g():
        g.pop("_event_roles", None)


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
