"""The proposal form, built for one event (its formats, themes, audiences and days)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..accounts.models import ORGANISATION_TYPE_LABELS
from ..events.models import Event
from ..forms import BaseForm, DayRows, DayRowsForm, MultiCheckboxField
from ..i18n import format_day, format_duration
from .models import LANGUAGE_LABELS, REQUIREMENT, STAGE_LABELS, STATE_LABELS

PLEASE_CHOOSE = _l("Please choose")


def _optional_int(value):
    """An id from a select; the empty "Please choose" option is None (a non-number raises ValueError)."""
    return None if value in ("", None) else int(value)


def required_choice(label, message) -> SelectField:
    """A required choice of ids that starts with "Please choose" (nothing is preselected); a missing, non-numeric
    or unknown id answers `message` at the field."""
    return SelectField(label, coerce=_optional_int, validators=[InputRequired(message)],
                       invalid_value_message=message, invalid_choice_message=message)


class FieldGroup(Field):
    """Not an input: the name, label and errors of a group of inputs (the availability rows), so that an error
    can be shown at the group and linked from the error summary like any field's."""

    def __call__(self, **kwargs):
        return ""

    def process_formdata(self, valuelist):
        pass


class ProposalForm(DayRowsForm):
    # the labels of what submitting requires come from its one definition (models.SUBMISSION_REQUIREMENTS)
    title = StringField(REQUIREMENT["title"].label, validators=[DataRequired(), Length(max=200)])
    abstract = TextAreaField(REQUIREMENT["abstract"].label, validators=[Length(max=600)],
                             description=_l("Two or three sentences for the programme (at most 600 characters)."))
    description = TextAreaField(REQUIREMENT["description"].label, validators=[Length(max=10000)],
                                description=_l("What the session covers and how it runs. Markdown is allowed."))
    format_id = required_choice(REQUIREMENT["format_id"].label, _l("Choose a session format."))
    main_theme_id = required_choice(REQUIREMENT["main_theme_id"].label, _l("Choose a main theme."))
    further_theme_ids = MultiCheckboxField(_l("Further themes"), coerce=int, validators=[Optional()],
                                           description=_l("Besides the main theme."))
    audience_ids = MultiCheckboxField(_l("Target audiences"), coerce=int, validators=[Optional()])
    language = SelectField(REQUIREMENT["language"].label, choices=list(LANGUAGE_LABELS.items()))
    project_organisation = StringField(_l("Organisation behind the project"), validators=[Length(max=200)])
    project_city = StringField(_l("City of the project"), validators=[Length(max=120)])
    project_partners = TextAreaField(_l("Partners"), validators=[Length(max=2000)])
    project_stage = SelectField(_l("Stage of the project"), choices=[(k.value, v) for k, v in STAGE_LABELS.items()])
    project_results = TextAreaField(_l("Results so far"), validators=[Length(max=4000)])
    project_transfer = TextAreaField(_l("What other cities can reuse"), validators=[Length(max=4000)])
    notes_for_committee = TextAreaField(_l("Notes for the programme committee"), validators=[Length(max=2000)],
                                        description=_l("Only the committee sees these."))
    availability = FieldGroup(REQUIREMENT["availability"].label)
    version = HiddenField()

    day_rows = DayRows("available", "from", "to", _l("Available"), _l("from"), _l("to"),
                       _l("The end must be after the start."))

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> ProposalForm:
        """The form for one event: its formats, themes and audiences, one availability row per event day."""
        form = cls.with_days(event.days, **kwargs)
        form.format_id.choices = [("", PLEASE_CHOOSE), *((f.id, f"{f.name} ({format_duration(f.default_minutes)})")
                                                         for f in event.formats)]
        form.main_theme_id.choices = [("", PLEASE_CHOOSE), *((t.id, t.name) for t in event.themes)]
        # the saved main theme is not offered again (the service drops it from the further themes anyway)
        saved_main = getattr(kwargs.get("obj"), "main_theme_id", None)
        form.further_theme_ids.choices = [(t.id, t.name) for t in event.themes if t.id != saved_main]
        form.audience_ids.choices = [(a.id, a.name) for a in event.audiences]
        form.event = event
        return form

    def day_label(self, day) -> str:
        return format_day(day, "full")

    def windows(self):
        """The chosen availability as (start, end) moments in the event's zone."""
        return [(self.event.at(day, start), self.event.at(day, end))
                for day, (start, end) in self.chosen_windows().items()]

    def load_availability(self, by_day) -> None:
        """The person's windows (day → [(start, end)]); the form asks for one a day, the first."""
        self.load_windows({day: windows[0] for day, windows in by_day.items() if windows})

    def mark_missing(self, missing) -> bool:
        """Name each missing requirement for submitting at its field; True if any was missing."""
        for requirement in missing:
            self[requirement.name].errors.append(_("Needed to submit: please add %(what)s.", what=requirement.ask))
        return bool(missing)


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Reason for the cancellation"), validators=[DataRequired(), Length(max=1000)],
                           description=_l("The speakers and the committee read it; the public programme only shows "
                                          "that the session is cancelled."))


class InviteForm(BaseForm):
    email = EmailField(_l("Email address of the co-speaker"), validators=[DataRequired(), Length(max=254), Email()])


def _id_or_none(value):
    return int(value) if value not in (None, "") else None


class ProposalListForm(BaseForm):
    """The committee's search, filters and order; read from the address (a GET form), so a list can be linked."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)],
                    description=_l("Title, abstract, speaker or organisation"))
    state = SelectField(_l("State"), choices=[("", _l("All states"))] + [(s.value, label) for s, label in
                                                                          STATE_LABELS.items()], default="")
    theme = SelectField(_l("Theme"), coerce=_id_or_none)
    format = SelectField(_l("Format"), coerce=_id_or_none)
    language = SelectField(_l("Language"), choices=[("", _l("All languages")), *LANGUAGE_LABELS.items()], default="")
    org_type = SelectField(_l("Submitted by"), choices=[("", _l("All kinds of organisation")),
                                                       *((t.value, label) for t, label in
                                                         ORGANISATION_TYPE_LABELS.items())], default="")
    city = SelectField(_l("City of the project"), default="")
    sort = SelectField(_l("Sort by"), choices=[("submitted", _l("Date submitted")), ("title", _l("Title")),
                                               ("state", _l("State")), ("format", _l("Format")),
                                               ("theme", _l("Main theme"))], default="submitted")
    dir = SelectField(_l("Order"), choices=[("asc", _l("ascending")), ("desc", _l("descending"))], default="asc")

    @classmethod
    def for_event(cls, event: Event, cities: list[str], formdata):
        form = cls(formdata=formdata)
        form.theme.choices = [("", _l("All themes")), *((t.id, t.name) for t in event.themes)]
        form.format.choices = [("", _l("All formats")), *((f.id, f.name) for f in event.formats)]
        asked = (formdata or {}).get("city", "")
        if asked and asked not in cities and len(asked) <= 120:
            cities = [*cities, asked]  # a city no proposal names (any more) just finds nothing
        form.city.choices = [("", _l("All cities")), *((c, c) for c in cities)]
        return form

