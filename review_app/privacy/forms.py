"""Forms of the privacy pages: shape only; rules live in services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import BaseForm


class DeleteAccountForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    understood = BooleanField(_l("I understand that my account is deleted for good and cannot be restored."),
                              validators=[DataRequired()])


def _id_or_none(value):
    if value in (None, ""):
        return None
    number = int(value)
    if not 0 < number < 2**31:
        raise ValueError("not an id")
    return number


class AuditFilterForm(BaseForm):
    """The audit log's filters, read from the address (a GET form), so a view of the log can be linked."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), default="")
    actor = StringField(_l("Done by (email address)"), validators=[Optional(), Length(max=254)])
    event = SelectField(_l("Event"), coerce=_id_or_none, default=None)
    object_type = SelectField(_l("Kind of object"), default="")
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.date_from.data and self.date_to.data and self.date_to.data < self.date_from.data:
            self.date_to.errors = [*self.date_to.errors, _l("The end of the range is before its start.")]
            ok = False
        return ok
