"""Where each person's work is: the areas of the header's navigation, the event's committee links and the page
a person lands on after login — fed by every package through registered providers, decided here."""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, g, has_request_context, request


class Landing(enum.IntEnum):
    """After login a person lands on the area of theirs that ranks highest; the order is written once, here."""

    never = 0
    anyone = 1  # "My proposals", for everyone without more specific work
    reviewing = 2  # someone who is only a reviewer
    own_proposals = 3  # a reviewer with proposals of their own goes to those first
    site_admin = 4  # a site admin with no committee seat
    committee = 5  # a committee member: their event's proposals, or the list of their events


@dataclass(frozen=True)
class Link:
    """One entry of a navigation: `paths` are the path prefixes that belong to it (besides its own url);
    `key` lets a page name its area when the path alone cannot tell (a proposal read by its committee)."""

    key: str
    label: str
    url: str
    order: int
    landing: Landing = Landing.never
    paths: tuple[str, ...] = field(default=())

    def match(self, path: str) -> int:
        """How specifically the path belongs to this entry (the length of the longest matching prefix; 0: not)."""
        return max((len(p) for p in (self.url.split("?")[0], *self.paths) if path == p or
                    (p.endswith("/") and path.startswith(p))), default=0)


AreaProvider = Callable[[object], Iterable[Link]]  # (user) -> the areas of the user's roles
EventLinkProvider = Callable[[object], Iterable[Link]]  # (event) -> links of the event's committee pages
AdminLinkProvider = Callable[[], Iterable[Link]]  # () -> links of the site admin's pages

_areas: list[AreaProvider] = []
_event_links: list[EventLinkProvider] = []
_admin_links: list[AdminLinkProvider] = []


def area_provider(fn: AreaProvider) -> AreaProvider:
    """Register a function giving the header's areas for a logged-in user (called once per request)."""
    _areas.append(fn)
    return fn


def event_link_provider(fn: EventLinkProvider) -> EventLinkProvider:
    """Register a function giving links of an event's committee pages (its sub-navigation)."""
    _event_links.append(fn)
    return fn


def admin_link_provider(fn: AdminLinkProvider) -> AdminLinkProvider:
    """Register a function giving links of the site admin's pages (the sub-navigation of the site admin area)."""
    _admin_links.append(fn)
    return fn


def areas_of(user) -> list[Link]:
    """The user's areas, in navigation order; computed once per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cache = g.setdefault("_nav_areas", {})
    if user.id not in cache:
        cache[user.id] = sorted((link for fn in _areas for link in fn(user)), key=lambda link: link.order)
    return cache[user.id]


def landing_url(user) -> str:
    """Where the person's work is: the url of their highest-ranking area."""
    areas = [a for a in areas_of(user) if a.landing is not Landing.never]
    return max(areas, key=lambda a: a.landing).url


def set_current_area(key: str) -> None:
    """A page whose path does not tell its area names it (a proposal page read by the committee)."""
    g._nav_current = key


def current_link(links: list[Link], path: str | None = None, *, named: str | None = None) -> Link | None:
    """The entry the page belongs to: the one named, else the one whose path matches most specifically."""
    if named:
        return next((link for link in links if link.key == named), None)
    path = path if path is not None else (request.path if has_request_context() else "")
    best = max(links, key=lambda link: link.match(path), default=None)
    return best if best is not None and best.match(path) else None


def event_links(event) -> list[Link]:
    return sorted((link for fn in _event_links for link in fn(event)), key=lambda link: link.order)


def admin_links() -> list[Link]:
    return sorted((link for fn in _admin_links for link in fn()), key=lambda link: link.order)


def _header_areas() -> tuple[list[Link], Link | None]:
    from flask_login import current_user
    from sqlalchemy.exc import SQLAlchemyError

    from .db import db

    try:
        areas = areas_of(current_user)
    except SQLAlchemyError:  # the error page of a broken database still renders, without the areas
        db.session.rollback()
        return [], None
    return areas, current_link(areas, named=g.get("_nav_current"))


def init_app(app: Flask) -> None:
    @app.context_processor
    def _navigation():
        # callables: only the page layout asks, so that mail templates rendered mid-request query nothing
        return {"header_areas": _header_areas, "event_links": event_links, "current_link": current_link,
                "admin_links": admin_links}
