"""Pages anyone can read."""
from __future__ import annotations

import hashlib
import re

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..cfp.permissions import event_ends_at
from ..db import db
from ..events.models import Event, SessionFormat
from ..events.permissions import can_manage_event, is_admin
from ..events.views import load_event
from ..extensions import limiter
from ..web import clock, safe_next

bp = Blueprint("public", __name__)
# no limit applies to what anyone can read (there are no default limits); exempt, the check is not even run
limiter.exempt(bp)


@bp.get("/")
def index():
    events = list(db.session.scalars(select(Event).order_by(Event.starts_on.desc())))
    return render_template("public/index.html", events=events, now=clock(), is_admin=is_admin(current_user))


@bp.get("/events/<slug>/")
def event(slug: str):
    ev = load_event(slug)
    formats = list(db.session.scalars(select(SessionFormat).where(SessionFormat.event_id == ev.id)
                                      .options(selectinload(SessionFormat.venues)).order_by(SessionFormat.id)))
    now = clock()
    is_over = now >= event_ends_at(ev)
    # a past edition's page points to the calls open now
    open_calls = list(db.session.scalars(select(Event).where(Event.cfp_opens_at <= now, Event.cfp_closes_at > now,
                                                             Event.id != ev.id).order_by(Event.cfp_closes_at))
                      ) if is_over else []
    from .programme import latest_header

    return render_template("public/event.html", event=ev, formats=formats, now=now, is_over=is_over,
                           open_calls=open_calls, can_manage=can_manage_event(current_user, ev),
                           programme=latest_header(ev))


# the header's background behind white text; the form refuses lighter ones, this guards rows made elsewhere
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@bp.get("/events/<slug>/theme.css")
def theme_css(slug: str):
    """The event's colour as a stylesheet (the CSP allows no inline styles). base.html links it with the colour
    in the address, so a changed colour is a new address and the old one may be cached."""
    ev = load_event(slug)
    colour = ev.colour if _COLOUR.fullmatch(ev.colour or "") else "#00527a"
    css = f"/* {slug}: the event's colour */\n.site-header {{ background-color: {colour}; }}\n"
    response = make_response(css)
    response.mimetype = "text/css"
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.set_etag(hashlib.sha256(css.encode()).hexdigest()[:32])
    return response.make_conditional(request)


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        abort(422)  # not a silent no-op: the error page says the input was not valid
    session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("public.index")))
