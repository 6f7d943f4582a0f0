"""Account pages: register, confirm, log in and out, reset and change the password, profile, one's login
sessions; the site admin's list of people, where accounts are deactivated and reactivated."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import navigation
from ..db import db
from ..errors import DomainError
from ..extensions import limiter
from ..forms import ActionForm
from ..navigation import Link, landing_url
from ..web import clock, form_page, safe_next, user_agent
from . import services
from .forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from .models import User
from .permissions import can_deactivate, can_reactivate, can_see_people

bp = Blueprint("accounts", __name__)


def _account_limit() -> str:
    return current_app.config["RATELIMIT_ACCOUNT_FORMS"]


def _per_account_limit() -> str:
    return current_app.config["RATELIMIT_PER_ACCOUNT"]


def _email_key() -> str:
    """Guessing one account's password from many addresses is limited by the address it targets."""
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


rate_limited = limiter.limit(_account_limit, methods=["POST"])
per_account = limiter.limit(_per_account_limit, key_func=_email_key, methods=["POST"])


@navigation.admin_link_provider
def _admin_links():
    yield Link("people", _("People"), url_for("accounts.admin_people"), order=20)


def _settle_login_session():
    """Before anything else in the request, CSRFProtect's check included: a cookie whose login session has ended
    (logged out elsewhere, ended from the sessions page, the account deactivated, expired) is emptied, so that
    the CSRF token it carries dies with the login; a live one's last_seen_at (set by the loader at most once a
    minute) is saved."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    if not current_user.is_authenticated:
        keep_lang = session.get("lang")
        session.clear()
        if keep_lang:
            session["lang"] = keep_lang
        flash(_("Your login has ended. Please log in again."), "info")
    elif db.session.dirty:  # nothing else has happened in this request yet
        db.session.commit()


@bp.record_once
def _run_first(state):
    state.app.before_request_funcs.setdefault(None, []).insert(0, _settle_login_session)


def _log_in_with_fresh_session(user) -> None:
    """Start the cookie session afresh (no fixation), keeping only the chosen language."""
    keep_lang = session.get("lang")
    session.clear()
    if keep_lang:
        session["lang"] = keep_lang
    login_user(user)  # stores the new login-session token


@bp.route("/register", methods=["GET", "POST"])
@rate_limited
def register():
    # a page to return to (an invitation, say) travels in the address, through the form, into the confirmation link
    next_page = safe_next(request.args.get("next"), "") or None
    if current_user.is_authenticated:
        return redirect(next_page or url_for("cfp.dashboard"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = str(get_locale() or "de")  # the page's language: switch, else the browser's
        form.email.data = request.args.get("email", "")[:254]  # an invitation's address, for instance
    if form.validate_on_submit():
        # the same answer whether or not the address has an account (its owner gets a mail instead)
        services.register(name=form.name.data, email=form.email.data, password=form.password.data,
                          organisation=form.organisation.data, organisation_type=form.organisation_type.data,
                          city=form.city.data, language=form.language.data,
                          privacy_consented=form.privacy_consent.data, now=clock(), next_page=next_page)
        db.session.commit()
        flash(_("Almost done: we have sent you a mail. Follow the link in it to confirm your address."), "success")
        return redirect(url_for("accounts.login", next=next_page))
    return form_page("accounts/register.html", form)


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    services.confirm_email(token, now=clock())
    db.session.commit()
    flash(_("Your email address is confirmed. You can log in now."), "success")
    next_page = safe_next(request.args.get("next"), "")
    if next_page:  # the page the person registered from; it asks for the login itself where it needs one
        return redirect(next_page)
    return redirect(url_for("cfp.dashboard") if current_user.is_authenticated else url_for("accounts.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@rate_limited
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.is_active and not user.email_confirmed:
            services.send_confirmation(user, now=clock())
            db.session.commit()
        flash(_("If an unconfirmed account exists for this address, a new confirmation mail is on its way."),
              "success")
        return redirect(url_for("accounts.login"))
    return form_page("accounts/resend_confirmation.html", form)


@bp.route("/login", methods=["GET", "POST"])
@rate_limited
@per_account
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), landing_url(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, now=clock(),
                                         user_agent=user_agent(request))
        except DomainError as err:
            db.session.rollback()
            if err.status == 401:  # a wrong address or password: the attempt is audited
                services.record_failed_login(form.email.data, now=clock())
                db.session.commit()
            form.password.errors.append(err.message)
            return form_page("accounts/login.html", form, status=err.status)
        db.session.commit()
        _log_in_with_fresh_session(user)
        # an explicit (safe) next page wins; otherwise each person lands where their work is
        return redirect(safe_next(request.args.get("next"), landing_url(user)))
    return form_page("accounts/login.html", form)


@bp.post("/logout")
@login_required
def logout():
    services.end_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@rate_limited
@per_account
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, now=clock())
        db.session.commit()
        flash(_("If an account exists for this address, we have sent a link to set a new password."), "success")
        return redirect(url_for("accounts.login"))
    return form_page("accounts/forgot_password.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@rate_limited
def reset_password(token: str):
    services.check_reset_token(token, now=clock())
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data, now=clock())
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Your password is changed. Please log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return form_page("accounts/reset_password.html", form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if request.method == "GET":
        form.organisation_type.data = user.organisation_type.value
    if form.validate_on_submit():
        services.update_profile(user, name=form.name.data, organisation=form.organisation.data,
                                organisation_type=form.organisation_type.data, city=form.city.data,
                                bio=form.bio.data or "", language=form.language.data, now=clock())
        db.session.commit()
        session["lang"] = form.language.data
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return form_page("accounts/profile.html", form)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.password.data, now=clock(),
                                     user_agent=user_agent(request))
        except DomainError as err:
            db.session.rollback()
            form.current_password.errors.append(err.message)
            return form_page("accounts/change_password.html", form, status=err.status)
        db.session.commit()
        _log_in_with_fresh_session(user)
        flash(_("Your password is changed. You were logged out everywhere else."), "success")
        return redirect(url_for("accounts.profile"))
    return form_page("accounts/change_password.html", form)


@bp.get("/account/sessions")
@login_required
def sessions():
    """The person's live logins: when each started and was last used, from which browser, which one is this."""
    user = current_user._get_current_object()
    rows = services.active_sessions(user, now=clock())
    return render_template("accounts/sessions.html", rows=rows, is_current=lambda row: services.is_current_session(
        user, row), action_form=ActionForm())


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    services.end_other_session(current_user._get_current_object(), session_id, now=clock())
    db.session.commit()
    flash(_("The login session is ended: that browser is logged out."), "success")
    return redirect(url_for("accounts.sessions"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    ended = services.end_other_sessions(current_user._get_current_object(), now=clock())
    db.session.commit()
    flash(_("Every other login session is ended (%(num)d).", num=ended), "success")
    return redirect(url_for("accounts.sessions"))


def _people_page() -> int:
    page = request.args.get("page", 1, type=int)
    return page if page and 0 < page <= 100_000 else 1


@bp.get("/admin/people")
@login_required
def admin_people():
    """Every account, for the site admin: search by name or address, deactivate and reactivate."""
    if not can_see_people(current_user):
        abort(404)
    query = request.args.get("q", "")[:100]
    page = _people_page()
    people, total = services.find_people(query, page=page)
    pages = max(1, -(-total // services.PEOPLE_PER_PAGE))
    return render_template("accounts/admin_people.html", people=people, total=total, query=query, page=page,
                           pages=pages, can_deactivate=can_deactivate, can_reactivate=can_reactivate,
                           action_form=ActionForm())


def _person(user_id: int) -> User:
    if not can_see_people(current_user):
        abort(404)
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    return person


def _back_to_people():
    query, page = request.args.get("q", "")[:100], _people_page()
    return redirect(url_for("accounts.admin_people", q=query or None, page=page if page > 1 else None))


@bp.post("/admin/people/<int:user_id>/deactivate")
@login_required
def deactivate_user(user_id: int):
    person = _person(user_id)
    services.deactivate_user(person, actor=current_user._get_current_object(), now=clock())
    db.session.commit()
    flash(_("%(name)s is deactivated: every login of the account has ended, and it cannot log in.",
            name=person.name), "success")
    return _back_to_people()


@bp.post("/admin/people/<int:user_id>/reactivate")
@login_required
def reactivate_user(user_id: int):
    person = _person(user_id)
    services.reactivate_user(person, actor=current_user._get_current_object(), now=clock())
    db.session.commit()
    flash(_("%(name)s is active again and can log in.", name=person.name), "success")
    return _back_to_people()
