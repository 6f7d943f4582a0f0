"""The proposal form, built for one event (its formats, themes, audiences and days)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..events.models import Event
from ..forms import BaseForm, DayRows, DayRowsForm, MultiCheckboxField
from ..i18n import format_day
from .models import LANGUAGE_LABELS, STAGE_LABELS


class ProposalForm(DayRowsForm):
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

    day_rows = DayRows("available", "from", "to", _l("Available"), _l("from"), _l("to"),
                       _l("The end must be after the start."))

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> ProposalForm:
        """The form for one event: its formats, themes and audiences, one availability row per event day."""
        form = cls.with_days(event.days, **kwargs)
        form.format_id.choices = [(f.id, f"{f.name} ({f.default_minutes} min)") for f in event.formats]
        form.main_theme_id.choices = [(t.id, t.name) for t in event.themes]
        form.further_theme_ids.choices = [(t.id, t.name) for t in event.themes]
        form.audience_ids.choices = [(a.id, a.name) for a in event.audiences]
        form.event = event
        return form

    def day_label(self, day) -> str:
        return format_day(day, "full")

    def availability(self):
        return [(self.event.at(day, start), self.event.at(day, end))
                for day, (start, end) in self.chosen_windows().items()]

    def load_availability(self, proposal) -> None:
        by_day = {}
        for window in proposal.availability:
            local_start, local_end = self.event.local(window.starts_at), self.event.local(window.ends_at)
            by_day[local_start.date()] = (local_start.time(), local_end.time())
        self.load_windows(by_day)


class InviteForm(BaseForm):
    email = EmailField(_l("Email address of the co-speaker"), validators=[DataRequired(), Length(max=254), Email()])


