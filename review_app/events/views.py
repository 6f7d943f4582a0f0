"""Committee pages: the event's settings, its configuration objects, travel times and people."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import navigation
from ..accounts.services import find_user_by_email
from ..db import db
from ..errors import Conflict, DomainError, NotFound
from ..forms import ActionForm
from ..navigation import Landing, Link
from ..web import clock, form_page
from . import services
from .forms import EventSettingsForm, NewEventForm, RoleForm, TravelTimeForm
from .kinds import KINDS
from .models import ROLE_LABELS, Event, EventRole, Role, TravelTime
from .permissions import can_manage_event, can_revoke_role, events_where, is_admin

bp = Blueprint("manage", __name__)


@bp.context_processor
def _manage_context():
    return {"role_labels": ROLE_LABELS, "can_revoke_role": can_revoke_role}


@navigation.area_provider
def _admin_area(user):
    if is_admin(user):
        yield Link("site-admin", _("Site admin"), url_for("manage.admin_events"), order=40,
                   landing=Landing.site_admin, paths=("/manage/events/",))


@navigation.event_link_provider
def _committee_links(event):
    yield Link("overview", _("Overview"), url_for("manage.overview", slug=event.slug), order=10)
    yield Link("settings", _("Settings"), url_for("manage.settings", slug=event.slug), order=20)
    for i, kind in enumerate(KINDS.values()):
        yield Link(f"kind-{kind.slug}", kind.title, url_for("manage.items", slug=event.slug, kind_name=kind.slug),
                   order=30 + i)
    yield Link("travel-times", _("Travel times"), url_for("manage.travel_times", slug=event.slug), order=60)
    yield Link("people", _("People"), url_for("manage.people", slug=event.slug), order=70)


def load_event(slug: str) -> Event:
    # PostgreSQL refuses to compare text holding NUL (a 500); no slug can hold one, nor be this long
    if "\x00" in slug or len(slug) > 60:
        raise NotFound(_("This event does not exist."))
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(_("This event does not exist."))
    return event


def managed_event(slug: str) -> Event:
    """The event, for its committee (and site admins); to everyone else it does not exist."""
    event = load_event(slug)
    if not can_manage_event(current_user, event):
        raise NotFound(_("This page does not exist or is not visible to you."))
    return event


def _user():
    return current_user._get_current_object()


def _aware(event_tz, value: datetime) -> datetime:
    return value.replace(tzinfo=event_tz)


def _event_fields(form, tz) -> dict:
    return {
        "name": form.name.data, "colour": form.colour.data,
        **{name: form[name].data or "" for name in ("motto_de", "motto_en", "description_de", "description_en")},
        "starts_on": form.starts_on.data, "ends_on": form.ends_on.data, "timezone": form.timezone.data,
        "cfp_opens_at": _aware(tz, form.cfp_opens_at.data), "cfp_closes_at": _aware(tz, form.cfp_closes_at.data),
        "review_opens_at": _aware(tz, form.review_opens_at.data),
        "review_closes_at": _aware(tz, form.review_closes_at.data),
    }


@bp.get("/manage/")
@login_required
def my_events():
    """The events a committee member manages (where they land when they sit on several committees)."""
    return render_template("manage/events.html", events=events_where(current_user, Role.committee),
                           heading=_("Your events"), now=clock())


@bp.get("/admin/")
@login_required
def admin_events():
    """Every event, for site admins: where they create events and reach each one's management."""
    if not is_admin(current_user):
        abort(404)
    events = list(db.session.scalars(select(Event).order_by(Event.starts_on.desc(), Event.id.desc())))
    return render_template("manage/events.html", events=events, heading=_("Site admin"), now=clock(),
                           can_create=True)


@bp.route("/manage/events/new", methods=["GET", "POST"])
@login_required
def new_event():
    if not is_admin(current_user):
        abort(404)
    form = NewEventForm()
    if form.validate_on_submit():
        from zoneinfo import ZoneInfo

        try:
            event = services.create_event(actor=_user(), now=clock(), slug=form.slug.data,
                                          **_event_fields(form, ZoneInfo(form.timezone.data)))
            services.grant_role(event, _user(), Role.committee, actor=_user(), now=clock())
        except DomainError as err:
            db.session.rollback()
            form.slug.errors.append(err.message)
            return form_page("manage/event_form.html", form, status=err.status, event=None)
        db.session.commit()
        flash(_("The event is created."), "success")
        return redirect(url_for("manage.overview", slug=event.slug))
    return form_page("manage/event_form.html", form, event=None)


@bp.get("/events/<slug>/manage/")
@login_required
def overview(slug: str):
    event = managed_event(slug)
    return render_template("manage/overview.html", event=event, kinds=KINDS.values())


@bp.route("/events/<slug>/manage/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    event = managed_event(slug)
    form = EventSettingsForm(obj=event)
    if not form.is_submitted():
        for name in ("cfp_opens_at", "cfp_closes_at", "review_opens_at", "review_closes_at"):
            form[name].data = event.local(getattr(event, name)).replace(tzinfo=None)
    if form.validate_on_submit():
        from zoneinfo import ZoneInfo

        try:
            changeover = {} if form.changeover_minutes.data is None else {
                "changeover_minutes": form.changeover_minutes.data}
            services.update_event(event, actor=_user(), now=clock(), carry_along=form.carry_along.data,
                                  **changeover, **_event_fields(form, ZoneInfo(form.timezone.data)))
        except DomainError as err:
            db.session.rollback()
            form.starts_on.errors = [*form.starts_on.errors, err.message]
            return form_page("manage/event_form.html", form, status=err.status, event=event)
        db.session.commit()
        flash(_("The event settings are saved."), "success")
        return redirect(url_for("manage.overview", slug=slug))
    return form_page("manage/event_form.html", form, event=event)


def _kind(name: str):
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


@bp.get("/events/<slug>/manage/<kind_name>/")
@login_required
def items(slug: str, kind_name: str):
    event = managed_event(slug)
    kind = _kind(kind_name)
    stmt = select(kind.model).where(kind.model.event_id == event.id).order_by(kind.model.id)
    for rel in kind.related:
        stmt = stmt.options(selectinload(getattr(kind.model, rel)))
    return render_template("manage/items.html", event=event, kind=kind, items=list(db.session.scalars(stmt)))


def _load_item(event: Event, kind, item_id: int):
    item = db.session.get(kind.model, item_id)
    if item is None or item.event_id != event.id:
        raise NotFound(_("This page does not exist or is not visible to you."))
    return item


@bp.route("/events/<slug>/manage/<kind_name>/new", methods=["GET", "POST"])
@bp.route("/events/<slug>/manage/<kind_name>/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(slug: str, kind_name: str, item_id: int | None = None):
    event = managed_event(slug)
    kind = _kind(kind_name)
    item = _load_item(event, kind, item_id) if item_id is not None else None
    form = kind.build_form(event, obj=item)
    if item is not None and not form.is_submitted():
        kind.load_extra(form, item)
    if form.validate_on_submit():
        target = item if item is not None else kind.model()
        try:
            services.save_item(event, target, actor=_user(), now=clock(),
                               apply=lambda obj: kind.apply(form, obj, event))
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return form_page("manage/item_form.html", form, status=err.status, event=event, kind=kind, item=item)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("manage.items", slug=slug, kind_name=kind.slug))
    return form_page("manage/item_form.html", form, event=event, kind=kind, item=item)


@bp.route("/events/<slug>/manage/<kind_name>/<int:item_id>/delete", methods=["GET", "POST"])
@login_required
def delete_item(slug: str, kind_name: str, item_id: int):
    event = managed_event(slug)
    kind = _kind(kind_name)
    item = _load_item(event, kind, item_id)
    label = kind.columns[0][1](item)
    back = url_for("manage.items", slug=slug, kind_name=kind.slug)
    uses, status = services.uses_of(item), 200
    if request.method == "POST":
        try:
            services.delete_item(event, item, actor=_user(), now=clock())
        except Conflict as err:  # InUse names the uses; a race into a foreign key only says it is in use
            db.session.rollback()
            uses, status = getattr(err, "uses", [err.message]), err.status
        else:
            db.session.commit()
            flash(_("Deleted."), "success")
            return redirect(back)
    if uses:  # say what still uses it, and lead back to the list
        return render_template("confirm.html", heading=_("“%(name)s” cannot be deleted", name=label),
                               question=_("It is still in use. Change or delete what uses it first."),
                               details=uses, back_url=back, back_label=kind.title), status
    return render_template("confirm.html", heading=f"{kind.singular}: {label}",
                           question=_("Delete “%(name)s”? This cannot be undone.", name=label),
                           button=_("Yes, delete"), back_url=back, back_label=kind.title,
                           action_url=request.path, action_form=ActionForm())


@bp.route("/events/<slug>/manage/travel-times", methods=["GET", "POST"])
@login_required
def travel_times(slug: str):
    event = managed_event(slug)
    form = TravelTimeForm()
    form.venue_a_id.choices = form.venue_b_id.choices = [(v.id, v.name) for v in event.venues]
    if form.validate_on_submit():
        venues = {v.id: v for v in event.venues}
        services.set_travel_time(event, venues[form.venue_a_id.data], venues[form.venue_b_id.data],
                                 form.minutes.data, actor=_user(), now=clock())
        db.session.commit()
        flash(_("The travel time is saved."), "success")
        return redirect(url_for("manage.travel_times", slug=slug))
    rows = list(db.session.scalars(select(TravelTime).where(TravelTime.event_id == event.id)
                                   .options(selectinload(TravelTime.venue_a), selectinload(TravelTime.venue_b))))
    return form_page("manage/travel_times.html", form, event=event, rows=rows)


@bp.route("/events/<slug>/manage/people", methods=["GET", "POST"])
@login_required
def people(slug: str):
    event = managed_event(slug)
    form = RoleForm()
    status = None
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(_("No account uses this email address. Ask the person to register first."))
            status = 422
        else:
            services.grant_role(event, user, Role(form.role.data), actor=_user(), now=clock())
            db.session.commit()
            flash(_("%(name)s now has this role.", name=user.name), "success")
            return redirect(url_for("manage.people", slug=slug))
    rows = list(db.session.scalars(select(EventRole).where(EventRole.event_id == event.id)
                                   .options(selectinload(EventRole.user)).order_by(EventRole.role, EventRole.id)))
    return form_page("manage/people.html", form, status=status, event=event, rows=rows, action_form=ActionForm())


@bp.route("/events/<slug>/manage/people/<int:role_id>/remove", methods=["GET", "POST"])
@login_required
def remove_role(slug: str, role_id: int):
    """Asks first (GET), removes on the answer (POST)."""
    event = managed_event(slug)
    row = db.session.get(EventRole, role_id)
    if row is None or row.event_id != event.id:
        raise NotFound(_("This page does not exist or is not visible to you."))
    if request.method == "GET":
        services.check_revoke(_user(), event, row)
        role = ROLE_LABELS[row.role]
        return render_template("confirm.html", heading=_("Remove a role"),
                               question=_("Remove the role “%(role)s” from %(name)s? They can no longer do what "
                                          "the role allowed.", role=role, name=row.user.name),
                               button=_("Yes, remove the role"), back_url=url_for("manage.people", slug=slug),
                               back_label=_("People"), action_url=request.path, action_form=ActionForm())
    services.revoke_role(row, actor=_user(), now=clock())
    db.session.commit()
    flash(_("The role is removed."), "success")
    return redirect(url_for("manage.people", slug=slug))
