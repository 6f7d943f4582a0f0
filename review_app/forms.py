"""The base form every form uses: strips text and refuses control characters in any text field."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField, StringField, TextAreaField
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


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
