"""The schedule's other committee pages: the automatic draft and its report, the solver's weights, the sessions'
lengths and audiences, the blocks, and releasing versions with their change logs."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..db import db
from ..errors import DomainError
from ..events.views import managed_event
from ..forms import ActionForm, BaseForm, MultiCheckboxField
from ..web import clock, coerce_id, form_page
from . import autoschedule, checks, releases, services
from .models import BLOCK_LABELS, WEIGHTS, BlockKind, ScheduleBlock
from .queries import load, settings_of
from .views import _user, bp
from .words import problem_text

LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


# --- the automatic draft --------------------------------------------------------------------------------------

class AutoForm(BaseForm):
    keep_placed = BooleanField(_l("Keep the sessions already placed where they are"), default=True,
                               description=_l("Without this, the scheduler may move placed sessions that are not "
                                              "pinned (as few as it can); pinned ones always stay."))


@bp.route("/events/<slug>/manage/schedule/automatic", methods=["GET", "POST"])
@login_required
def automatic(slug: str):
    event = managed_event(slug)
    form = AutoForm()
    if request.method == "GET":
        draft = load(event)
        return render_template("schedule/automatic.html", event=event, form=form, report=None, draft=draft,
                               settings=settings_of(event))
    if not form.validate_on_submit():
        return form_page("schedule/automatic.html", form, status=422, event=event, report=None, draft=load(event),
                         settings=settings_of(event))
    try:
        report = autoschedule.draft_schedule(event, keep_placed=form.keep_placed.data, actor=_user(), now=clock())
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return form_page("schedule/automatic.html", form, status=err.status, event=event, report=None,
                         draft=load(event), settings=settings_of(event))
    db.session.commit()
    draft = load(event)
    return render_template("schedule/automatic.html", event=event, form=form, report=report, draft=draft,
                           settings=settings_of(event), reasons=autoschedule.REASONS,
                           problems=[problem_text(p, draft) for p in report.problems])


class WeightsForm(BaseForm):
    time_limit = IntegerField(_l("Time limit (seconds)"), default=20, validators=[InputRequired(),
                                                                                   NumberRange(min=1, max=600)])


def _weights_form(event, **kwargs):
    fields = {key: IntegerField(label, default=default, validators=[InputRequired(), NumberRange(min=0, max=100)])
              for key, (label, default) in WEIGHTS.items()}
    form = type("WeightsForm", (WeightsForm,), fields)(**kwargs)
    if request.method == "GET":
        settings = settings_of(event)
        for key in WEIGHTS:
            form[key].data = settings.weight(key)
        form.time_limit.data = settings.time_limit
    return form


@bp.route("/events/<slug>/manage/schedule/settings", methods=["GET", "POST"])
@login_required
def weights(slug: str):
    event = managed_event(slug)
    form = _weights_form(event)
    if form.validate_on_submit():
        try:
            services.save_weights(event, {key: form[key].data for key in WEIGHTS}, form.time_limit.data,
                                  actor=_user(), now=clock())
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return form_page("schedule/settings.html", form, status=err.status, event=event, keys=list(WEIGHTS))
        db.session.commit()
        flash(_("The scheduler's settings are saved."), "success")
        return redirect(url_for("schedule.weights", slug=slug))
    return form_page("schedule/settings.html", form, event=event, keys=list(WEIGHTS))


# --- the sessions' lengths and audiences ----------------------------------------------------------------------

@bp.route("/events/<slug>/manage/schedule/sessions", methods=["GET", "POST"])
@login_required
def sessions(slug: str):
    """Every confirmed session with its length and expected audience; one form per session."""
    event = managed_event(slug)
    status, error_for = 200, None
    if request.method == "POST":
        request.form  # noqa: B018 - read the body first
        try:
            pid = coerce_id(request.form.get("proposal_id", ""))
            minutes = _optional_int(request.form.get("minutes"), _("Length"))
            audience = _optional_int(request.form.get("audience"), _("Expected audience"))
            services.set_session(event, pid, minutes=minutes, audience=audience, actor=_user(), now=clock())
        except (TypeError, ValueError):
            db.session.rollback()
            abort(404)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status, error_for = err.status, request.form.get("proposal_id")
        else:
            db.session.commit()
            flash(_("The session is saved."), "success")
            return redirect(url_for("schedule.sessions", slug=slug) + f"#session-{pid}")
    draft = load(event)
    return render_template("schedule/sessions.html", event=event, draft=draft, action_form=ActionForm(),
                           error_for=error_for), status


def _optional_int(raw: str | None, label: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 6:
        raise DomainError(_("%(field)s: please enter a whole number.", field=label), 422)
    return int(raw)


# --- blocks ---------------------------------------------------------------------------------------------------

class BlockForm(BaseForm):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    title_de = StringField(_l("Title (German)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)],
                           description=_l("Left empty, the German text is shown."))
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL, validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL, validators=[InputRequired()])
    venue_id = SelectField(_l("Venue"), validators=[Optional()])
    room_ids = MultiCheckboxField(_l("Rooms"), coerce=int, validators=[Optional()],
                                  description=_l("None ticked: every room of the venue (or of the event)."))
    public = BooleanField(_l("Shown in the public programme"), default=True)

    @classmethod
    def for_event(cls, event, **kwargs):
        form = cls(**kwargs)
        form.kind.choices = [(k.value, str(label)) for k, label in BLOCK_LABELS.items()]
        form.venue_id.choices = [("", _("Every venue")), *((str(v.id), v.name) for v in event.venues)]
        form.room_ids.choices = [(r.id, f"{r.name} ({v.name})") for v in event.venues for r in v.rooms]
        return form

    def data_for(self, event) -> services.BlockData:
        return services.BlockData(
            kind=self.kind.data, title_de=self.title_de.data.strip(), title_en=(self.title_en.data or "").strip(),
            starts_at=self.starts_at.data.replace(tzinfo=event.tz), ends_at=self.ends_at.data.replace(tzinfo=event.tz),
            venue_id=int(self.venue_id.data) if self.venue_id.data else None, room_ids=self.room_ids.data or [],
            public=self.public.data)


def _block(event, block_id: int) -> ScheduleBlock:
    block = db.session.get(ScheduleBlock, block_id)
    if block is None or block.event_id != event.id:
        abort(404)
    return block


def _blocks_page(event, form, status=200, editing=None):
    blocks = load(event).blocks
    return form_page("schedule/blocks.html", form, status=status, event=event, blocks=blocks, editing=editing,
                     block_labels=BLOCK_LABELS, action_form=ActionForm())


def _save_block(event, form, block=None):
    if not form.validate_on_submit():
        return _blocks_page(event, form, 422, block) if request.method == "POST" else _blocks_page(event, form,
                                                                                                  editing=block)
    try:
        services.save_block(event, form.data_for(event), actor=_user(), now=clock(), block=block)
    except DomainError as err:
        db.session.rollback()
        form.starts_at.errors = [*form.starts_at.errors, err.message]
        return _blocks_page(event, form, err.status, block)
    db.session.commit()
    flash(_("The block is saved."), "success")
    return redirect(url_for("schedule.blocks", slug=event.slug))


@bp.route("/events/<slug>/manage/schedule/blocks", methods=["GET", "POST"])
@login_required
def blocks(slug: str):
    event = managed_event(slug)
    form = BlockForm.for_event(event)
    if request.method == "GET":
        form.kind.data = BlockKind.pause.value
    return _save_block(event, form)


@bp.route("/events/<slug>/manage/schedule/blocks/<int:block_id>", methods=["GET", "POST"])
@login_required
def edit_block(slug: str, block_id: int):
    event = managed_event(slug)
    block = _block(event, block_id)
    form = BlockForm.for_event(event, obj=block)
    if request.method == "GET":
        form.kind.data = block.kind.value
        form.venue_id.data = str(block.venue_id) if block.venue_id else ""
        form.room_ids.data = [r.id for r in block.rooms]
        form.starts_at.data = event.local(block.starts_at).replace(tzinfo=None)
        form.ends_at.data = event.local(block.ends_at).replace(tzinfo=None)
    return _save_block(event, form, block)


@bp.post("/events/<slug>/manage/schedule/blocks/<int:block_id>/delete")
@login_required
def delete_block(slug: str, block_id: int):
    event = managed_event(slug)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything else
    block = _block(event, block_id)
    services.delete_block(event, block, actor=_user(), now=clock())
    db.session.commit()
    flash(_("The block is deleted."), "success")
    return redirect(url_for("schedule.blocks", slug=slug))


# --- releases -------------------------------------------------------------------------------------------------

class ReleaseForm(BaseForm):
    comment = TextAreaField(_l("What changed (shown with the version)"), validators=[Length(max=2000)])
    despite_conflicts = BooleanField(_l("Release although the schedule has conflicts"))


def _release_page(event, form, status=200):
    plan = releases.plan_release(event, actor=_user())
    draft = load(event)
    found = checks.check(draft.plan)
    return form_page("schedule/release.html", form, status=status, event=event, plan=plan, draft=draft,
                     problems=[(p, problem_text(p, draft)) for p in found],
                     errors=sum(1 for p in found if p.level == "error"), previous=releases.latest(event),
                     names=_names(plan.snapshot, releases.latest(event)),
                     local=lambda raw: event.local(datetime.fromisoformat(raw)))


def _names(snapshot: dict, previous) -> dict:
    """Session and room names of this snapshot and the one before, for the change log."""
    names = {"sessions": {}, "rooms": {}}
    for snap in (previous.snapshot if previous else None, snapshot):
        if not snap:
            continue
        for s in [*snap["sessions"], *snap["cancelled"]]:
            names["sessions"][s["id"]] = s["title"]
        for v in snap["venues"]:
            for r in v["rooms"]:
                names["rooms"][r["id"]] = f"{r['name']} ({v['name']})"
    return names


@bp.route("/events/<slug>/manage/schedule/release", methods=["GET", "POST"])
@login_required
def release(slug: str):
    event = managed_event(slug)
    form = ReleaseForm()
    if form.validate_on_submit():
        draft = load(event)
        hard = [p for p in checks.check(draft.plan) if p.level == "error"]
        if hard and not form.despite_conflicts.data:
            form.despite_conflicts.errors = [*form.despite_conflicts.errors, _(
                "The schedule has conflicts. Solve them first, or tick this box to release it as it is.")]
            return _release_page(event, form, 422)
        try:
            version = releases.release(event, form.comment.data, actor=_user(), now=clock())
        except DomainError as err:
            db.session.rollback()
            form.comment.errors = [*form.comment.errors, err.message]
            return _release_page(event, form, err.status)
        db.session.commit()
        flash(_("Version %(num)d of the programme is released.", num=version.number), "success")
        return redirect(url_for("schedule.versions", slug=slug))
    return _release_page(event, form, 422 if request.method == "POST" else 200)


@bp.get("/events/<slug>/manage/schedule/versions")
@login_required
def versions(slug: str):
    event = managed_event(slug)
    rows = releases.versions(event)
    names = {}
    for i, version in enumerate(rows):
        before = rows[i + 1] if i + 1 < len(rows) else None
        names[version.number] = _names(version.snapshot, before)
    return render_template("schedule/versions.html", event=event, versions=rows, names=names,
                           local=lambda raw: event.local(datetime.fromisoformat(raw)))
