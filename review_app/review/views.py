"""The reviewing page: the events a person reviews and their review periods; assignments will join it."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import navigation
from ..events.models import Role
from ..events.permissions import events_where
from ..navigation import Landing, Link
from ..web import clock

bp = Blueprint("review", __name__)


@navigation.area_provider
def _reviewing_area(user):
    if events_where(user, Role.reviewer):
        yield Link("reviewing", _("Reviewing"), url_for("review.reviewing"), order=20, landing=Landing.reviewing)


@bp.get("/reviewing")
@login_required
def reviewing():
    return render_template("review/reviewing.html", events=events_where(current_user, Role.reviewer), now=clock())
