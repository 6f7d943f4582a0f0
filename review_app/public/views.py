"""Pages anyone can read."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import db
from ..events.models import Event, SessionFormat
from ..events.permissions import can_manage_event, is_admin
from ..events.views import load_event
from ..web import clock, safe_next

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    events = list(db.session.scalars(select(Event).order_by(Event.starts_on.desc())))
    return render_template("public/index.html", events=events, now=clock(), is_admin=is_admin(current_user))


@bp.get("/events/<slug>/")
def event(slug: str):
    ev = load_event(slug)
    formats = list(db.session.scalars(select(SessionFormat).where(SessionFormat.event_id == ev.id)
                                      .options(selectinload(SessionFormat.venues)).order_by(SessionFormat.id)))
    return render_template("public/event.html", event=ev, formats=formats, now=clock(),
                           can_manage=can_manage_event(current_user, ev))


@bp.post("/language")
def set_language():
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        abort(422)  # not a silent no-op: the error page says the input was not valid
    session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("public.index")))
