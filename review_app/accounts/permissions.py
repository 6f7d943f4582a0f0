"""Who may do what with accounts: the site admin's rules, asked by the views, the templates and the services."""
from __future__ import annotations


def is_site_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_admin", False))


def can_see_people(user) -> bool:
    """The list of every account (the admin's people page)."""
    return is_site_admin(user)


def can_deactivate(actor, user) -> bool:
    """A site admin switches off an active account other than their own."""
    return (is_site_admin(actor) and user.id != actor.id and user.deactivated_at is None
            and user.deleted_at is None)


def can_reactivate(actor, user) -> bool:
    return is_site_admin(actor) and user.deactivated_at is not None and user.deleted_at is None
