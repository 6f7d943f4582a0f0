"""The base form every form uses: strips text and refuses control characters in any text field."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import TimeField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

# C0 controls except tab/newline/carriage return, DEL, C1 controls, lone surrogates, and the bidi
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make text read other than it is
_SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                options["filters"] = (*options.get("filters", ()), strip_filter)
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
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
            if self[toggle].data:
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
