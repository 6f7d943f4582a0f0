"""Committee forms for the event and its configuration (shape only)."""
from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import available_timezones

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..forms import BaseForm, DayRows, DayRowsForm, MultiCheckboxField
from .models import ROLE_LABELS
from .permissions import ASSIGNABLE_ROLES

_ZONES = None


def _valid_zone(form, field):
    global _ZONES
    _ZONES = _ZONES or available_timezones()
    if field.data not in _ZONES:
        raise ValidationError(_l("Unknown time zone; use a name such as Europe/Berlin."))


def _plausible_year(form, field):
    """Dates far outside the present overflow date arithmetic (and are typing mistakes anyway)."""
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Enter a date between the years 2000 and 2100."))


# datetime-local inputs need "YYYY-MM-DDTHH:MM" as their value; the first format is the one rendered
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _colour_field(default: str, description=None, extra=()) -> StringField:
    return StringField(_l("Colour"), default=default, description=description, validators=[
        DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("A colour such as #005a9c.")), *extra],
        render_kw={"type": "color"})


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on `colour` ("#rrggbb"): 1 (white) to 21 (black)."""
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text


def _dark_enough(form, field):
    """The header's text is white on the event's colour: it must stay readable."""
    if field.data and re.fullmatch(r"#[0-9a-fA-F]{6}", field.data):
        ratio = contrast_with_white(field.data)
        if ratio < MIN_CONTRAST:
            raise ValidationError(_("%(field)s: white text on %(colour)s has a contrast of only %(ratio)s:1, at "
                                    "least 4.5:1 is needed. Choose a darker colour.", field=field.label.text,
                                    colour=field.data, ratio=format_decimal(ratio, "0.0", locale=str(get_locale()))))


class EventForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    motto_de = StringField(_l("Motto (German)"), validators=[Length(max=200)])
    motto_en = StringField(_l("Motto (English)"), validators=[Length(max=200)],
                           description=_l("Left empty, the German text is shown."))
    description_de = TextAreaField(_l("Description (German)"), validators=[Length(max=10000)],
                                   description=_l("Markdown is allowed."))
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=10000)],
                                   description=_l("Left empty, the German text is shown."))
    colour = _colour_field("#00527a", _l("The event's colour in the page header, behind white text: "
                                         "choose a dark one."), extra=[_dark_enough])
    starts_on = DateField(_l("First day"), validators=[InputRequired(), _plausible_year])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(), _plausible_year])
    timezone = StringField(_l("Time zone"), default="Europe/Berlin", validators=[DataRequired(), Length(max=60),
                                                                                 _valid_zone])
    cfp_opens_at = DateTimeLocalField(_l("Call for sessions opens"), format=LOCAL_FORMATS,
                                      validators=[InputRequired(), _plausible_year])
    cfp_closes_at = DateTimeLocalField(_l("Call for sessions closes"), format=LOCAL_FORMATS,
                                       validators=[InputRequired(), _plausible_year])
    review_opens_at = DateTimeLocalField(_l("Review period starts"), format=LOCAL_FORMATS,
                                         validators=[InputRequired(), _plausible_year])
    review_closes_at = DateTimeLocalField(_l("Review period ends"), format=LOCAL_FORMATS,
                                          validators=[InputRequired(), _plausible_year])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)

        def given(*fields) -> bool:  # the cross-field rules compare only what was sent and is valid by itself (a
            # field left out of the post keeps the stored, time-zone-aware value, which is not the form's local one)
            return all(f.data and not f.errors and f.raw_data for f in fields)

        pairs = [(self.starts_on, self.ends_on, False), (self.cfp_opens_at, self.cfp_closes_at, True),
                 (self.review_opens_at, self.review_closes_at, True)]
        for start, end, strict in pairs:
            if given(start, end) and (end.data <= start.data if strict else end.data < start.data):
                end.errors = [*end.errors, _l("Must be after the start.")]
                ok = False
        if given(self.starts_on, self.ends_on) and (self.ends_on.data - self.starts_on.data).days > 14:
            self.ends_on.errors = [*self.ends_on.errors, _l("An event lasts at most 15 days.")]
            ok = False
        # the review window lies inside [the call opens, the event starts]: proposals exist, and it ends in time
        if given(self.review_opens_at, self.cfp_opens_at) and self.review_opens_at.data < self.cfp_opens_at.data:
            self.review_opens_at.errors = [*self.review_opens_at.errors,
                                           _l("The review cannot start before the call for sessions opens.")]
            ok = False
        if (given(self.review_closes_at, self.starts_on)
                and self.review_closes_at.data > datetime.combine(self.starts_on.data, time.min)):
            self.review_closes_at.errors = [*self.review_closes_at.errors,
                                            _l("The review must end before the event starts (before its first day).")]
            ok = False
        return ok


class EventSettingsForm(EventForm):
    changeover_minutes = IntegerField(_l("Changeover time between two sessions in a room (minutes)"), default=10,
                                      validators=[Optional(), NumberRange(min=0, max=120)])
    carry_along = BooleanField(_l("Move what is planned along with the dates"),
                               description=_l("Room hours, the speakers' availability, blocks and placed sessions "
                                              "move by as many days as the first day moves, and keep their local "
                                              "times in a new time zone. Without this, a change that would leave "
                                              "any of them behind is refused."))


class NewEventForm(EventForm):
    slug = StringField(_l("Short name for addresses"), validators=[
        DataRequired(), Length(min=3, max=60),
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lower-case letters, digits and hyphens only."))])


class BilingualForm(BaseForm):
    name_de = StringField(_l("Name (German)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])


def _description_de() -> TextAreaField:
    """A description the public or the speakers read, in German (the English one follows it)."""
    return TextAreaField(_l("Description (German)"), validators=[Length(max=4000)])


def _description_en() -> TextAreaField:
    return TextAreaField(_l("Description (English)"), validators=[Length(max=4000)],
                         description=_l("Left empty, the German text is shown."))


class VenueForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Length(max=300)])
    description_de = _description_de()
    description_en = _description_en()
    audience_ids = MultiCheckboxField(_l("Audiences its programme is for"), coerce=int, validators=[Optional()],
                                      description=_l("The automatic schedule prefers sessions for these audiences "
                                                     "here. Tick none for any audience."))


class RoomForm(DayRowsForm):
    venue_id = SelectField(_l("Venue"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    capacity = IntegerField(_l("Capacity (people)"), validators=[InputRequired(), NumberRange(min=1, max=100000)])
    stands = IntegerField(_l("Stands at once"), validators=[Optional(), NumberRange(min=1, max=200)],
                          description=_l("For an exhibition space that holds several stands (hands-on demos) at "
                                         "the same time; empty for a room that holds one session at a time."))
    format_ids = MultiCheckboxField(_l("Formats this room suits"), coerce=int, validators=[Optional()])

    day_rows = DayRows("open", "opens", "closes", _l("Open"), _l("opens"), _l("closes"),
                       _l("Must be after the opening time."))
    break_fields: dict = {}  # day → the names of its break's two times (set per event by for_event)

    @classmethod
    def for_event(cls, event, **kwargs):
        days = event.days
        # a room may close for a while during the day (lunch): an optional break per day
        extra = {}
        for i, _day in enumerate(days):
            extra[f"day{i}_break_from"] = TimeField(_l("closed from"), validators=[Optional()])
            extra[f"day{i}_break_to"] = TimeField(_l("to"), validators=[Optional()])
        form = type(cls.__name__, (cls,), extra).with_days(days, **kwargs)
        form.break_fields = {day: (f"day{i}_break_from", f"day{i}_break_to") for i, day in enumerate(days)}
        form.venue_id.choices = [(v.id, v.name) for v in event.venues]
        form.format_ids.choices = [(f.id, f.name) for f in event.formats]
        return form

    @property
    def day_field_names(self) -> set[str]:
        return super().day_field_names | {name for pair in self.break_fields.values() for name in pair}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for day, toggle, opens, closes in self.day_fields:
            if day not in self.break_fields:
                continue
            start, end = self.break_fields[day]
            if not self[toggle].data or self[start].errors or self[end].errors:
                continue
            if (self[start].data is None) != (self[end].data is None):
                self[start].errors = [*self[start].errors, _l("Give both times of the break, or neither.")]
                ok = False
            elif self[start].data is not None and self[opens].data and self[closes].data and not (
                    self[opens].data < self[start].data < self[end].data < self[closes].data):
                self[start].errors = [*self[start].errors,
                                      _l("The break must lie within the opening hours and end after it starts.")]
                ok = False
        return ok

    def room_windows(self) -> dict:
        """day → the room's windows that day: the opening hours, split by the break if there is one."""
        result = {}
        for day, (opens, closes) in self.chosen_windows().items():
            start, end = (self[name].data for name in self.break_fields[day]) if day in self.break_fields else (
                None, None)
            result[day] = [(opens, start), (end, closes)] if start is not None else [(opens, closes)]
        return result

    def load_room_windows(self, by_day: dict) -> None:
        self.load_windows({day: (windows[0][0], windows[-1][1]) for day, windows in by_day.items()})
        for day, windows in by_day.items():
            if len(windows) > 1 and day in self.break_fields:
                start, end = self.break_fields[day]
                self[start].data, self[end].data = windows[0][1], windows[1][0]


class ThemeForm(BilingualForm):
    description_de = _description_de()
    description_en = _description_en()
    colour = _colour_field("#005a9c")
    position = IntegerField(_l("Position in lists"), default=0, validators=[Optional(), NumberRange(min=0, max=999)])


class AudienceForm(BilingualForm):
    pass


class FormatForm(BilingualForm):
    description_de = _description_de()
    description_en = _description_en()
    default_minutes = IntegerField(_l("Default length (minutes)"),
                                   validators=[InputRequired(), NumberRange(min=5, max=720)])
    expected_audience = IntegerField(_l("Expected audience (people)"),
                                     validators=[Optional(), NumberRange(min=1, max=100000)],
                                     description=_l("How many people a session of this format usually draws; the "
                                                    "committee can set another figure per session."))
    venue_ids = MultiCheckboxField(_l("Venues where it can run"), coerce=int, validators=[Optional()])


class CriterionForm(BilingualForm):
    description_de = _description_de()
    description_en = _description_en()
    weight = IntegerField(_l("Weight"), default=1, validators=[InputRequired(), NumberRange(min=1, max=10)])
    scale_min = IntegerField(_l("Lowest score"), default=1, validators=[InputRequired(), NumberRange(min=0, max=10)])
    scale_max = IntegerField(_l("Highest score"), default=5, validators=[InputRequired(), NumberRange(min=1, max=10)])
    position = IntegerField(_l("Position in lists"), default=0, validators=[Optional(), NumberRange(min=0, max=999)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.scale_max.data <= self.scale_min.data:
            self.scale_max.errors = [*self.scale_max.errors, _l("Must be higher than the lowest score.")]
            ok = False
        return ok


class TravelTimeForm(BaseForm):
    venue_a_id = SelectField(_l("From venue"), coerce=int, validators=[InputRequired()])
    venue_b_id = SelectField(_l("To venue"), coerce=int, validators=[InputRequired()])
    minutes = IntegerField(_l("Travel time (minutes)"), validators=[InputRequired(), NumberRange(min=0, max=600)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.venue_a_id.data == self.venue_b_id.data:
            self.venue_b_id.errors = [*self.venue_b_id.errors, _l("Choose two different venues.")]
            ok = False
        return ok


class RoleForm(BaseForm):
    email = EmailField(_l("Email address of an existing account"),
                       validators=[DataRequired(), Length(max=254), Email()])
    role = SelectField(_l("Role"), choices=[(r.value, ROLE_LABELS[r]) for r in ASSIGNABLE_ROLES])
