"""The configuration objects the committee manages through one set of list/edit/delete pages."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import db
from ..i18n import format_duration
from . import forms
from .models import Audience, Event, ReviewCriterion, Room, RoomOpening, SessionFormat, Theme, Venue


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type
    form: type
    title: Any
    singular: Any
    columns: list[tuple[Any, Callable[[Any], Any]]]
    fields: list[str]  # copied from form to object as they are
    add_label: Any  # the button on the list: "Add a room"
    new_title: Any  # the heading of the empty form: "New room"
    edit_title: Any  # the heading of the filled form, "%(name)s" the object's name: "Edit room: %(name)s"
    make_form: Callable[..., Any] | None = None  # (event, **kwargs) -> form
    load_extra: Callable[[Any, Any], None] = lambda form, item: None
    apply_extra: Callable[[Any, Any, Event], None] = lambda form, item, event: None
    related: list[str] = field(default_factory=list)

    def build_form(self, event: Event, **kwargs):
        return self.make_form(event, **kwargs) if self.make_form else self.form(**kwargs)

    def apply(self, form, item, event: Event) -> None:
        for name in self.fields:
            setattr(item, name, form[name].data if form[name].data is not None else getattr(item, name, None))
        self.apply_extra(form, item, event)


def _of_event(model, event: Event, ids):
    return list(db.session.scalars(select(model).where(model.event_id == event.id, model.id.in_(ids or []))))


# rooms -----------------------------------------------------------------
def _room_form(event, **kwargs):
    return forms.RoomForm.for_event(event, **kwargs)


def _room_load(form, room: Room):
    form.format_ids.data = [f.id for f in room.formats]
    by_day: dict = {}
    for o in room.openings:
        by_day.setdefault(o.day, []).append((o.opens, o.closes))
    form.load_room_windows(by_day)


def _room_apply(form, room: Room, event: Event):
    venue = db.session.get(Venue, form.venue_id.data)
    if venue is None or venue.event_id != event.id:
        from ..errors import DomainError

        raise DomainError(_l("Choose one of this event's venues."), 422)
    room.venue = venue
    room.event_id = event.id
    room.formats = _of_event(SessionFormat, event, form.format_ids.data)
    room.stands = form.stands.data  # empty: one session at a time
    wanted = [(day, o, c) for day, windows in sorted(form.room_windows().items()) for o, c in windows]
    if sorted((w.day, w.opens, w.closes) for w in room.openings) != wanted:
        room.openings = [RoomOpening(day=day, opens=o, closes=c) for day, o, c in wanted]


# venues -----------------------------------------------------------------
def _venue_form(event, **kwargs):
    form = forms.VenueForm(**kwargs)
    form.audience_ids.choices = [(a.id, a.name) for a in event.audiences]
    return form


def _venue_load(form, venue: Venue):
    form.audience_ids.data = [a.id for a in venue.audiences]


def _venue_apply(form, venue: Venue, event: Event):
    venue.audiences = _of_event(Audience, event, form.audience_ids.data)


# formats -----------------------------------------------------------------
def _format_form(event, **kwargs):
    form = forms.FormatForm(**kwargs)
    form.venue_ids.choices = [(v.id, v.name) for v in event.venues]
    return form


def _format_load(form, fmt: SessionFormat):
    form.venue_ids.data = [v.id for v in fmt.venues]


def _format_apply(form, fmt: SessionFormat, event: Event):
    fmt.venues = _of_event(Venue, event, form.venue_ids.data)
    fmt.expected_audience = form.expected_audience.data  # empty: no default


def _minutes(fmt):
    return format_duration(fmt.default_minutes)


KINDS: dict[str, Kind] = {k.slug: k for k in [
    Kind("venues", Venue, forms.VenueForm, _l("Venues"), _l("Venue"),
         [(_l("Name"), lambda v: v.name), (_l("Address"), lambda v: v.address)],
         ["name", "address", "description_de", "description_en"],
         add_label=_l("Add a venue"), new_title=_l("New venue"), edit_title=_l("Edit venue: %(name)s"),
         make_form=_venue_form, load_extra=_venue_load, apply_extra=_venue_apply, related=["audiences"]),
    Kind("rooms", Room, forms.RoomForm, _l("Rooms"), _l("Room"),
         [(_l("Name"), lambda r: r.name), (_l("Venue"), lambda r: r.venue.name),
          (_l("Capacity"), lambda r: r.capacity), (_l("Formats"), lambda r: ", ".join(f.name for f in r.formats))],
         ["name", "capacity"], add_label=_l("Add a room"), new_title=_l("New room"),
         edit_title=_l("Edit room: %(name)s"), make_form=_room_form, load_extra=_room_load, apply_extra=_room_apply,
         related=["venue", "formats", "openings"]),
    Kind("themes", Theme, forms.ThemeForm, _l("Themes"), _l("Theme"),
         [(_l("Name (German)"), lambda t: t.name_de), (_l("Name (English)"), lambda t: t.name_en),
          (_l("Colour"), lambda t: t.colour)],
         ["name_de", "name_en", "description_de", "description_en", "colour", "position"],
         add_label=_l("Add a theme"), new_title=_l("New theme"), edit_title=_l("Edit theme: %(name)s")),
    Kind("audiences", Audience, forms.AudienceForm, _l("Audiences"), _l("Audience"),
         [(_l("Name (German)"), lambda a: a.name_de), (_l("Name (English)"), lambda a: a.name_en)],
         ["name_de", "name_en"],
         add_label=_l("Add an audience"), new_title=_l("New audience"), edit_title=_l("Edit audience: %(name)s")),
    Kind("formats", SessionFormat, forms.FormatForm, _l("Session formats"), _l("Session format"),
         [(_l("Name"), lambda f: f.name), (_l("Default length"), _minutes),
          (_l("Venues"), lambda f: ", ".join(v.name for v in f.venues))],
         ["name_de", "name_en", "description_de", "description_en", "default_minutes"],
         add_label=_l("Add a session format"), new_title=_l("New session format"),
         edit_title=_l("Edit session format: %(name)s"), make_form=_format_form,
         load_extra=_format_load, apply_extra=_format_apply, related=["venues"]),
    Kind("criteria", ReviewCriterion, forms.CriterionForm, _l("Review criteria"), _l("Review criterion"),
         [(_l("Name"), lambda c: c.name), (_l("Weight"), lambda c: c.weight),
          (_l("Scale"), lambda c: f"{c.scale_min}–{c.scale_max}")],
         ["name_de", "name_en", "description_de", "description_en", "weight", "scale_min", "scale_max", "position"],
         add_label=_l("Add a review criterion"), new_title=_l("New review criterion"),
         edit_title=_l("Edit review criterion: %(name)s")),
]}
