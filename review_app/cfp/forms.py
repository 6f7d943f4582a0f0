"""The proposal form, built for one event (its formats, themes, audiences and days)."""
from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import TimeField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..events.models import Event
from ..forms import BaseForm, MultiCheckboxField
from ..i18n import format_day
from .models import LANGUAGE_LABELS, STAGE_LABELS

DAY_START, DAY_END = time(9, 0), time(18, 0)


class ProposalForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    abstract = TextAreaField(_l("Short abstract"), validators=[Length(max=600)],
                             description=_l("Two or three sentences for the programme (at most 600 characters)."))
    description = TextAreaField(_l("Description"), validators=[Length(max=10000)],
                                description=_l("What the session covers and how it runs. Markdown is allowed."))
    format_id = SelectField(_l("Session format"), coerce=int, validators=[InputRequired()])
    main_theme_id = SelectField(_l("Main theme"), coerce=int, validators=[InputRequired()])
    further_theme_ids = MultiCheckboxField(_l("Further themes"), coerce=int, validators=[Optional()])
    audience_ids = MultiCheckboxField(_l("Target audiences"), coerce=int, validators=[Optional()])
    language = SelectField(_l("Language of the session"), choices=list(LANGUAGE_LABELS.items()))
    project_organisation = StringField(_l("Organisation behind the project"), validators=[Length(max=200)])
    project_city = StringField(_l("City of the project"), validators=[Length(max=120)])
    project_partners = TextAreaField(_l("Partners"), validators=[Length(max=2000)])
    project_stage = SelectField(_l("Stage of the project"), choices=[(k.value, v) for k, v in STAGE_LABELS.items()])
    project_results = TextAreaField(_l("Results so far"), validators=[Length(max=4000)])
    project_transfer = TextAreaField(_l("What other cities can reuse"), validators=[Length(max=4000)])
    notes_for_committee = TextAreaField(_l("Notes for the programme committee"), validators=[Length(max=2000)],
                                        description=_l("Only the committee sees these."))
    version = HiddenField()

    day_fields: list[tuple[object, str, str, str]]

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> ProposalForm:
        """A form class with one availability row per event day."""
        attrs = {}
        for i, _day in enumerate(event.days):
            attrs[f"day{i}_available"] = BooleanField(_l("Available"), default=True)
            attrs[f"day{i}_from"] = TimeField(_l("from"), default=DAY_START, validators=[Optional()])
            attrs[f"day{i}_to"] = TimeField(_l("to"), default=DAY_END, validators=[Optional()])
        form_class = type("EventProposalForm", (cls,), attrs)
        form = form_class(**kwargs)
        form.format_id.choices = [(f.id, f"{f.name} ({f.default_minutes} min)") for f in event.formats]
        form.main_theme_id.choices = [(t.id, t.name) for t in event.themes]
        form.further_theme_ids.choices = [(t.id, t.name) for t in event.themes]
        form.audience_ids.choices = [(a.id, a.name) for a in event.audiences]
        form.day_fields = [(day, f"day{i}_available", f"day{i}_from", f"day{i}_to")
                           for i, day in enumerate(event.days)]
        form.event = event
        return form

    def day_label(self, day) -> str:
        return format_day(day, "full")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for _day, available, start, end in self.day_fields:
            if self[available].data:
                if self[start].data is None or self[end].data is None:
                    self[start].errors = [*self[start].errors, _l("Give both times.")]
                    ok = False
                elif self[end].data <= self[start].data:
                    self[end].errors = [*self[end].errors, _l("The end must be after the start.")]
                    ok = False
        return ok

    def availability(self):
        windows = []
        for day, available, start, end in self.day_fields:
            if self[available].data:
                windows.append((self.event.at(day, self[start].data), self.event.at(day, self[end].data)))
        return windows

    def load_availability(self, proposal) -> None:
        by_day = {}
        for window in proposal.availability:
            local_start, local_end = self.event.local(window.starts_at), self.event.local(window.ends_at)
            by_day[local_start.date()] = (local_start.time(), local_end.time())
        for day, available, start, end in self.day_fields:
            self[available].data = day in by_day
            if day in by_day:
                self[start].data, self[end].data = by_day[day]


class InviteForm(BaseForm):
    email = EmailField(_l("Email address of the co-speaker"), validators=[DataRequired(), Length(max=254), Email()])


class ActionForm(BaseForm):
    """A button that posts an action; carries the CSRF token."""


