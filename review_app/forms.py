"""The base form every form uses: strips text, refuses control characters in any text field, and speaks
the app's own words instead of WTForms' stock messages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any, ClassVar

from flask import request
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from wtforms import BooleanField, Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import TimeField
from wtforms.validators import Email, Optional
from wtforms.widgets import CheckboxInput, ListWidget

# C0 controls except tab/newline/carriage return, DEL, C1 controls, lone surrogates, and the bidi
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make text read other than it is
_SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class _StockText(str):
    """A WTForms default message, kept with its msgid and values so that BaseForm can put its own words in."""

    msgid: str
    values: dict

    def __new__(cls, msgid: str, values: dict | None = None):
        text = super().__new__(cls, msgid % values if values else msgid)
        text.msgid, text.values = msgid, values or {}
        return text

    def __mod__(self, values):
        return _StockText(self.msgid, values)


class _StockTranslations:
    """WTForms asks this for its default messages (and default labels); they stay recognisable."""

    def gettext(self, string):
        return _StockText(string)

    def ngettext(self, singular, plural, n):
        return _StockText(singular if n == 1 else plural)


class FieldError(str):
    """An error that names its field ("Titel: höchstens 200 Zeichen."); `detail` is the part after the name,
    for the summary above the form, which names the field itself."""

    detail: str

    def __new__(cls, label: str, detail: str):
        text = super().__new__(cls, f"{label}: {detail}")
        text.detail = detail
        return text


def _required(field: Field) -> str:
    if isinstance(field, BooleanField):
        return gettext("please tick this box.")
    if isinstance(field, (SelectField, SelectMultipleField, RadioField)):
        return gettext("please choose one.")
    return gettext("please fill this in.")


def _choice(field: Field, v: dict) -> str:
    return gettext("please choose one of the options offered.")


def _length(which: str):
    def message(field: Field, v: dict) -> str:
        side = which
        if side == "between":  # name the bound that was missed
            side = "min" if v.get("length", 0) < v.get("min", 0) else "max"
        if side == "min":
            return ngettext("at least %(num)d character.", "at least %(num)d characters.", v.get("min", 0))
        if side == "max":
            return ngettext("at most %(num)d character.", "at most %(num)d characters.", v.get("max", 0))
        return ngettext("exactly %(num)d character.", "exactly %(num)d characters.", v.get("max", 0))
    return message


# WTForms' stock msgids (singular and plural) → the app's words for the part after the field's name
_OWN_WORDS = {
    "This field is required.": lambda f, v: _required(f),
    "Field must be at least %(min)d character long.": _length("min"),
    "Field must be at least %(min)d characters long.": _length("min"),
    "Field cannot be longer than %(max)d character.": _length("max"),
    "Field cannot be longer than %(max)d characters.": _length("max"),
    "Field must be exactly %(max)d character long.": _length("exact"),
    "Field must be exactly %(max)d characters long.": _length("exact"),
    "Field must be between %(min)d and %(max)d characters long.": _length("between"),
    "Number must be at least %(min)s.": lambda f, v: gettext("at least %(min)s.", min=v.get("min")),
    "Number must be at most %(max)s.": lambda f, v: gettext("at most %(max)s.", max=v.get("max")),
    "Number must be between %(min)s and %(max)s.":
        lambda f, v: gettext("a number from %(min)s to %(max)s.", min=v.get("min"), max=v.get("max")),
    "Not a valid integer value.": lambda f, v: gettext("please enter a whole number."),
    "Not a valid decimal value.": lambda f, v: gettext("please enter a number."),
    "Not a valid float value.": lambda f, v: gettext("please enter a number."),
    "Not a valid date value.": lambda f, v: gettext("please enter a date (YYYY-MM-DD)."),
    "Not a valid datetime value.": lambda f, v: gettext("please enter a date and a time (YYYY-MM-DD HH:MM)."),
    "Not a valid time value.": lambda f, v: gettext("please enter a time (HH:MM)."),
    "Not a valid choice.": _choice,
    "Invalid Choice: could not coerce.": _choice,
    "Invalid choice(s): one or more data inputs could not be coerced.": _choice,
    "'%(value)s' is not a valid choice for this field.": _choice,
    "'%(value)s' are not valid choices for this field.": _choice,
    "Invalid email address.": lambda f, v: gettext("please enter a valid email address."),
    "Invalid URL.": lambda f, v: gettext("please enter a valid web address."),
}


def own_words(field: Field, error):
    """The app's message for one of WTForms' stock errors, naming the field; other errors stay as they are."""
    if not isinstance(error, _StockText):
        return error
    words = _OWN_WORDS.get(error.msgid)
    if words is not None:
        detail = words(field, error.values)
    elif any(isinstance(v, Email) for v in field.validators):  # email_validator's own English explanations
        detail = gettext("please enter a valid email address.")
    else:
        detail = gettext("please check this entry.")
    label = str(field.label.text)
    return FieldError(label[:1].upper() + label[1:], detail)


def _worth_saying(field: Field) -> list:
    """A value that could not be read ("zehn" for a number) is one error: the validators that then found no
    value ("a number from 1 to 10") add nothing."""
    if not field.process_errors:
        return field.errors
    kept = [e for e in field.errors if not isinstance(e, _StockText) or e in field.process_errors]
    return kept or list(field.process_errors)  # DataRequired empties the errors before it adds its own


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                options["filters"] = (*options.get("filters", ()), strip_filter)
            return unbound_field.bind(form=form, **options)

        def wrap_formdata(self, form, formdata):
            # text fields only: Flask-WTF would also read uploaded files and JSON bodies, whose values (a file,
            # a number, a list, an object) no validator expects; a file posted as a name answered 500
            if formdata is _Auto:
                return request.form if _is_submitted() and request.form else None
            return formdata

        def get_translations(self, form):
            return _StockTranslations()

        def render_field(self, field, render_kw):
            # every input, select, textarea and checkbox with an error says so to screen readers
            if field.errors:
                render_kw = {**render_kw, "aria-invalid": "true"}
            if field.type == "CSRFTokenField":  # a page with several forms would repeat id="csrf_token"
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if field.errors:
                field.errors = list(dict.fromkeys(own_words(field, e) for e in _worth_saying(field)))
            if _has_control_characters(field):
                field.errors = [*field.errors, _l("Contains characters that are not allowed.")]
                ok = False
        return ok


def _has_control_characters(field: Field) -> bool:
    pattern = _MULTI_LINE_BAD if isinstance(field, TextAreaField) else _SINGLE_LINE_BAD
    values = field.data if isinstance(field.data, list) else [field.data]
    raw = getattr(field, "raw_data", None) or []
    return any(isinstance(v, str) and pattern.search(v) for v in [*values, *raw])


class ActionForm(BaseForm):
    """A button that posts an action; carries the CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@dataclass(frozen=True)
class DayRows:
    """How a form asks for one time window per event day (a speaker's availability, a room's hours)."""

    toggle: str
    start: str
    end: str
    toggle_label: Any
    start_label: Any
    end_label: Any
    end_error: Any
    start_default: time = time(9, 0)
    end_default: time = time(18, 0)


class DayRowsForm(BaseForm):
    """A form with a checkbox and a from–to pair of times for each event day; the rows are added per event."""

    day_rows: ClassVar[DayRows]
    day_fields: list[tuple[date, str, str, str]]

    @classmethod
    def with_days(cls, days: list[date], **kwargs):
        r = cls.day_rows
        attrs = {}
        for i, _day in enumerate(days):
            attrs[f"day{i}_{r.toggle}"] = BooleanField(r.toggle_label, default=True)
            attrs[f"day{i}_{r.start}"] = TimeField(r.start_label, default=r.start_default, validators=[Optional()])
            attrs[f"day{i}_{r.end}"] = TimeField(r.end_label, default=r.end_default, validators=[Optional()])
        form = type(cls.__name__, (cls,), attrs)(**kwargs)
        form.day_fields = [(day, f"day{i}_{r.toggle}", f"day{i}_{r.start}", f"day{i}_{r.end}")
                           for i, day in enumerate(days)]
        return form

    @property
    def day_field_names(self) -> set[str]:
        return {name for _day, *names in self.day_fields for name in names}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for _day, toggle, start, end in self.day_fields:
            if self[toggle].data and not (self[start].errors or self[end].errors):
                if self[start].data is None or self[end].data is None:
                    self[start].errors = [*self[start].errors, _l("Give both times.")]
                    ok = False
                elif self[end].data <= self[start].data:
                    self[end].errors = [*self[end].errors, self.day_rows.end_error]
                    ok = False
        return ok

    def chosen_windows(self) -> dict[date, tuple[time, time]]:
        """The ticked days with their (start, end) wall-clock times."""
        return {day: (self[start].data, self[end].data)
                for day, toggle, start, end in self.day_fields if self[toggle].data}

    def load_windows(self, by_day: dict[date, tuple[time, time]]) -> None:
        for day, toggle, start, end in self.day_fields:
            self[toggle].data = day in by_day
            if day in by_day:
                self[start].data, self[end].data = by_day[day]
