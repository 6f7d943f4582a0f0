"""Account forms: shape only; rules live in services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import BaseForm
from .models import ORGANISATION_TYPE_LABELS
from .passwords import is_common_password

LANGUAGE_CHOICES = [("de", "Deutsch"), ("en", "English")]


def organisation_type_choices():
    return [(k.value, v) for k, v in ORGANISATION_TYPE_LABELS.items()]


def not_common(form, field) -> None:
    if field.data and is_common_password(field.data):
        raise ValidationError(_l("This password is one of the most common ones, which are tried first when an account "
                                 "is attacked. Please choose another."))


def _password(label):
    """A new password: registration, reset and change all ask the same of it."""
    return PasswordField(label, validators=[DataRequired(), Length(min=10, max=200), not_common],
                         description=_l("At least 10 characters, and not one of the most common passwords."))


class RegisterForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254), Email()],
                       render_kw={"autocomplete": "email"})
    password = _password(_l("Password"))
    password_confirm = PasswordField(_l("Repeat the password"),
                                     validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)],
                               render_kw={"autocomplete": "organization"})
    organisation_type = SelectField(_l("Type of organisation"), choices=organisation_type_choices,
                                    validators=[DataRequired()])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    # the template links the privacy notice beside the box
    privacy_consent = BooleanField(_l("I have read the privacy notice and agree that my data are processed as it "
                                      "describes."),
                                   validators=[DataRequired(_l("Please agree to the privacy notice: without it we "
                                                               "cannot create your account."))])
    submit = SubmitField(_l("Create account"))


class LoginForm(BaseForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Log in"))


class EmailOnlyForm(BaseForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254), Email()],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send"))


class ResetPasswordForm(BaseForm):
    password = _password(_l("New password"))
    password_confirm = PasswordField(_l("Repeat the new password"),
                                     validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    password = _password(_l("New password"))
    password_confirm = PasswordField(_l("Repeat the new password"),
                                     validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])
    submit = SubmitField(_l("Change password"))


class ProfileForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    organisation_type = SelectField(_l("Type of organisation"), choices=organisation_type_choices)
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    bio = TextAreaField(_l("Short biography"), validators=[Length(max=2000)])
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save profile"))


class LogoutForm(BaseForm):
    submit = SubmitField(_l("Log out"))
