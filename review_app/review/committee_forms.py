"""Forms of the committee's reviewing pages and of the reviewer's preferences (shape only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..cfp.models import LANGUAGE_LABELS
from ..forms import BaseForm, MultiCheckboxField


class InviteReviewerForm(BaseForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254), Email()],
                       description=_l("An existing account becomes a reviewer at once; any other address gets a "
                                      "mail with a link to register."))
    language = SelectField(_l("Language of the invitation mail"),
                           choices=[(code, label) for code, label in LANGUAGE_LABELS.items()])


class ReviewerLimitsForm(BaseForm):
    limited_theme_ids = MultiCheckboxField(_l("Reviews only these themes"), coerce=int,
                                           description=_l("Tick none for any theme."))
    max_load = IntegerField(_l("Load cap"), validators=[Optional(), NumberRange(min=0, max=500)],
                            description=_l("The most proposals this person reviews; empty for the event's default."))


class PreferencesForm(BaseForm):
    expert_theme_ids = MultiCheckboxField(_l("Themes you know well"), coerce=int)
    languages = MultiCheckboxField(_l("Languages you review in"),
                                   choices=[(code, label) for code, label in LANGUAGE_LABELS.items()])


class OverrideForm(BaseForm):
    user_id = HiddenField()  # a missing or foreign id answers 404 in the view
    proposal_id = HiddenField()
    reason = TextAreaField(_l("Reason for lifting the conflict"), validators=[DataRequired(), Length(max=1000)])


class AliasForm(BaseForm):
    name_a = StringField(_l("One spelling"), validators=[DataRequired(), Length(max=200)])
    name_b = StringField(_l("Another spelling of the same organisation"), validators=[DataRequired(), Length(max=200)])


class AssignForm(BaseForm):
    reviewer_id = IntegerField(_l("Reviewer"), validators=[InputRequired()])
