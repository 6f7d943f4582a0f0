"""Privacy pages: "My data" (the JSON download), deleting one's account, the site admin's audit log; and the
`flask retention` command."""
from __future__ import annotations

import json

import click
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from .. import navigation
from ..db import db
from ..errors import DomainError
from ..events.permissions import is_admin
from ..extensions import limiter
from ..forms import ActionForm
from ..web import clock, form_page
from . import audit_log, services
from .forms import AuditFilterForm, DeleteAccountForm

bp = Blueprint("privacy", __name__, cli_group=None)


@navigation.admin_link_provider
def _admin_audit_link():
    yield navigation.Link("audit", _("Audit log"), url_for("privacy.audit"), order=60)


def _user():
    return current_user._get_current_object()


def _delete_page(form, allowed: bool, status: int | None = None):
    return form_page("privacy/delete_account.html", form, status=status, allowed=allowed,
                     deleted_name=services.DELETED_NAME)


@bp.get("/profile/data")
@login_required
def my_data():
    return render_template("privacy/my_data.html", form=ActionForm())


@bp.post("/profile/data")
@login_required
def download_data():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    user = _user()
    data = services.export_personal_data(user, actor=user, now=clock())
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    stamp = clock().strftime("%Y-%m-%d")
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="my-data-{stamp}.json"'})


def _password_limit() -> str:
    return current_app.config["RATELIMIT_PER_ACCOUNT"]


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(_password_limit, methods=["POST"])  # a borrowed session must not try passwords without end
def delete_account():
    user = _user()
    allowed = services.can_delete_account(user)
    form = DeleteAccountForm()
    if allowed and form.validate_on_submit():
        try:
            services.delete_account(user, form.password.data, actor=user, now=clock())
        except DomainError as err:
            db.session.rollback()
            form.password.errors.append(err.message)
            return _delete_page(form, allowed, err.status)
        db.session.commit()  # the released versions it revised are rendered afresh by every worker (revised_at)
        logout_user()
        session.clear()
        flash(_("Your account is deleted. We have sent a last mail to confirm it."), "success")
        return redirect(url_for("public.index"))
    if request.method == "POST" and not allowed:
        return _delete_page(form, allowed, 409)
    return _delete_page(form, allowed)


@bp.get("/admin/audit")
@login_required
def audit():
    """The audit log for the site admin: newest first, 50 a page, filters in the address; others get a 404."""
    if not is_admin(current_user):
        abort(404)
    navigation.set_current_area("site-admin")
    all_events = audit_log.events()
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [("", _("All actions")), *((a, a) for a in audit_log.actions())]
    form.object_type.choices = [("", _("All kinds")), *((t, t) for t in audit_log.object_types())]
    form.event.choices = [("", _("All events")), *((e.id, e.name) for e in all_events)]
    status = 200
    if not form.validate():
        status = 400
        for field in form:
            if field.errors:
                field.data = field.default
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 0
    if not 0 < page < 100_000:
        status, page = 400, 1
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    f = audit_log.AuditFilter(action=form.action.data or "", actor=form.actor.data or "",
                              event_id=form.event.data, object_type=form.object_type.data or "",
                              date_from=form.date_from.data, date_to=form.date_to.data, zone=zone)
    rows, total = audit_log.entries(f, page)
    pages = max(1, -(-total // audit_log.PER_PAGE))
    args = {k: v for k, v in (("action", f.action), ("actor", f.actor), ("event", f.event_id),
                              ("object_type", f.object_type),
                              ("date_from", f.date_from.isoformat() if f.date_from else None),
                              ("date_to", f.date_to.isoformat() if f.date_to else None)) if v}
    return render_template("privacy/audit.html", form=form, rows=rows, total=total, page=page, pages=pages,
                           args=args, zone=zone, event_names={e.id: e.name for e in all_events},
                           bad_page=status == 400 and not form.errors), status


@bp.cli.command("retention")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Days after an event's end (default: the RETENTION_DAYS setting, 180).")
@click.option("--dry-run", is_flag=True, help="Only list what would be anonymised.")
def retention_command(days: int | None, dry_run: bool) -> None:
    """Anonymise rejected, withdrawn and declined proposals of events that ended more than N days ago."""
    if days is None:
        days = int(current_app.config["RETENTION_DAYS"])
    done = services.apply_retention(days=days, now=clock(), dry_run=dry_run)
    verb = "Would anonymise" if dry_run else "Anonymised"
    for item in done:
        click.echo(f"{verb} proposal {item.proposal_id} ({item.event_slug}, {item.state}"
                   f"{f', {item.co_speakers} co-speaker link(s) removed' if item.co_speakers and not dry_run else ''})")
    if dry_run:
        db.session.rollback()
        click.echo(f"{len(done)} proposal(s) would be anonymised (events ended more than {days} days ago); "
                   "nothing was changed.")
    else:
        db.session.commit()
        click.echo(f"{len(done)} proposal(s) anonymised (events ended more than {days} days ago).")
