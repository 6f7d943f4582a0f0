"""Speaker pages: the dashboard, writing, submitting and withdrawing proposals, co-speaker invitations."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..db import db
from ..errors import DomainError, NotFound
from ..events.views import load_event, managed_event
from ..extensions import limiter
from ..forms import ActionForm
from ..web import clock, form_page
from . import permissions, services
from .forms import InviteForm, ProposalForm
from .models import ProposalState
from .queries import get_event_proposal, proposals_of_event, proposals_of_speaker

bp = Blueprint("cfp", __name__)


@bp.context_processor
def _rules():
    # templates ask the same rules as the services: {% if can(current_user, proposal, 'submit', now) %}
    return {"can": permissions.can, "now": clock()}


def _data(form: ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data, abstract=form.abstract.data or "", description=form.description.data or "",
        format_id=form.format_id.data, main_theme_id=form.main_theme_id.data, language=form.language.data,
        further_theme_ids=form.further_theme_ids.data or [], audience_ids=form.audience_ids.data or [],
        project_organisation=form.project_organisation.data or "", project_city=form.project_city.data or "",
        project_partners=form.project_partners.data or "", project_stage=form.project_stage.data,
        project_results=form.project_results.data or "", project_transfer=form.project_transfer.data or "",
        notes_for_committee=form.notes_for_committee.data or "", availability=form.availability(),
    )


def _user():
    return current_user._get_current_object()


def _load(slug: str, proposal_id: int):
    event = load_event(slug)
    return event, permissions.check_visible(_user(), get_event_proposal(event, proposal_id))


@bp.get("/dashboard")
@login_required
def dashboard():
    proposals = proposals_of_speaker(current_user.id)
    events = []
    for proposal in proposals:
        if not events or events[-1][0].id != proposal.event_id:
            events.append((proposal.event, []))
        events[-1][1].append(proposal)
    return render_template("cfp/dashboard.html", groups=events, now=clock())


@bp.route("/events/<slug>/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal(slug: str):
    event = load_event(slug)
    now = clock()
    permissions.check_can_propose(event, now)
    form = ProposalForm.for_event(event)
    if request.method == "GET" and not form.is_submitted():
        form.project_organisation.data = current_user.organisation
        form.project_city.data = current_user.city
        form.language.data = current_user.language
    if form.validate_on_submit():
        try:
            proposal = services.create_proposal(event, _data(form), actor=_user(), now=now)
            if request.form.get("action") == "submit":
                services.submit(proposal, actor=_user(), now=now)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return form_page("cfp/edit.html", form, status=err.status, event=event, proposal=None)
        db.session.commit()
        flash(_("Your proposal is submitted.") if proposal.state is ProposalState.submitted
              else _("Your draft is saved."), "success")
        return redirect(url_for("cfp.proposal", slug=slug, proposal_id=proposal.id))
    return form_page("cfp/edit.html", form, event=event, proposal=None)


@bp.get("/events/<slug>/proposals/<int:proposal_id>")
@login_required
def proposal(slug: str, proposal_id: int):
    event, prop = _load(slug, proposal_id)
    return render_template("cfp/proposal.html", event=event, proposal=prop,
                           action_form=ActionForm(), invite_form=InviteForm(),
                           missing=services.missing_for_submission(prop))


@bp.route("/events/<slug>/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, proposal_id: int):
    event, prop = _load(slug, proposal_id)
    now = clock()
    permissions.check_action(_user(), prop, "edit", now)
    form = ProposalForm.for_event(event, obj=prop)
    if not form.is_submitted():
        form.further_theme_ids.data = [t.id for t in prop.further_themes]
        form.audience_ids.data = [a.id for a in prop.audiences]
        form.project_stage.data = prop.project_stage.value
        form.version.data = str(prop.version)
        form.load_availability(prop)
    if form.validate_on_submit():
        try:
            expected = int(form.version.data) if (form.version.data or "").isdecimal() else -1  # not "²"
            services.update_proposal(prop, _data(form), actor=_user(), now=now, expected_version=expected)
            if request.form.get("action") == "submit":
                services.submit(prop, actor=_user(), now=now)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return form_page("cfp/edit.html", form, status=err.status, event=event, proposal=prop)
        db.session.commit()
        flash(_("Your proposal is submitted.") if request.form.get("action") == "submit"
              else _("Your changes are saved."), "success")
        return redirect(url_for("cfp.proposal", slug=slug, proposal_id=prop.id))
    return form_page("cfp/edit.html", form, event=event, proposal=prop)


def _simple_action(slug: str, proposal_id: int, action, message: str):
    _event, prop = _load(slug, proposal_id)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    action(prop, actor=_user(), now=clock())
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("cfp.proposal", slug=slug, proposal_id=prop.id))


@bp.post("/events/<slug>/proposals/<int:proposal_id>/submit")
@login_required
def submit(slug: str, proposal_id: int):
    return _simple_action(slug, proposal_id, services.submit, _("Your proposal is submitted."))


def _confirm_first(slug: str, proposal_id: int, action: str, question: str, button: str):
    """The page asking before an action that cannot be undone (works without JavaScript)."""
    event, prop = _load(slug, proposal_id)
    permissions.check_action(_user(), prop, action, clock())
    back = url_for("cfp.proposal", slug=slug, proposal_id=proposal_id)
    return render_template("confirm.html", heading=prop.title, question=question, button=button,
                           action_url=url_for(f"cfp.{action}", slug=slug, proposal_id=proposal_id),
                           back_url=back, back_label=prop.title, action_form=ActionForm())


@bp.route("/events/<slug>/proposals/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str, proposal_id: int):
    if request.method == "GET":
        return _confirm_first(slug, proposal_id, "withdraw",
                              _("Do you really want to withdraw this proposal? This cannot be undone."),
                              _("Yes, withdraw"))
    return _simple_action(slug, proposal_id, services.withdraw, _("Your proposal is withdrawn."))


@bp.post("/events/<slug>/proposals/<int:proposal_id>/confirm")
@login_required
def confirm(slug: str, proposal_id: int):
    return _simple_action(slug, proposal_id, services.confirm, _("Thank you: your session is confirmed."))


@bp.route("/events/<slug>/proposals/<int:proposal_id>/decline", methods=["GET", "POST"])
@login_required
def decline(slug: str, proposal_id: int):
    if request.method == "GET":
        return _confirm_first(slug, proposal_id, "decline",
                              _("Do you really want to decline? The committee will give the slot to someone else."),
                              _("Yes, decline"))
    return _simple_action(slug, proposal_id, services.decline, _("You have declined the session."))


def _invitation_limit() -> str:
    return current_app.config["RATELIMIT_INVITATIONS"]


def _inviter_key() -> str:
    return f"inviter:{current_user.id}" if current_user.is_authenticated else "inviter:anonymous"


@bp.post("/events/<slug>/proposals/<int:proposal_id>/invite")
@login_required
@limiter.limit(_invitation_limit, key_func=_inviter_key)
def invite(slug: str, proposal_id: int):
    event, prop = _load(slug, proposal_id)
    form = InviteForm()
    now = clock()
    status = 422
    if form.validate_on_submit():
        try:
            services.invite_co_speaker(prop, form.email.data, actor=_user(), now=now)
        except DomainError as err:
            db.session.rollback()
            form.email.errors.append(err.message)
            status = err.status
        else:
            db.session.commit()
            flash(_("The invitation is on its way to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("cfp.proposal", slug=slug, proposal_id=prop.id))
    return render_template("cfp/proposal.html", event=event, proposal=prop,
                           action_form=ActionForm(), invite_form=form,
                           missing=services.missing_for_submission(prop)), status


@bp.post("/events/<slug>/proposals/<int:proposal_id>/invitations/<int:invitation_id>/cancel")
@login_required
def cancel_invitation(slug: str, proposal_id: int, invitation_id: int):
    _event, prop = _load(slug, proposal_id)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    invitation = next((i for i in prop.invitations if i.id == invitation_id), None)
    if invitation is None:
        raise NotFound(_("This invitation does not exist."))
    email = invitation.email
    services.cancel_invitation(invitation, actor=_user(), now=clock())
    db.session.commit()
    flash(_("The invitation to %(email)s is cancelled; its link no longer works.", email=email), "success")
    return redirect(url_for("cfp.proposal", slug=slug, proposal_id=prop.id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    now = clock()
    inv = services.check_invitation(services.find_invitation(token), now=now)
    form = ActionForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        prop = services.accept_invitation(token, actor=_user(), now=now)
        db.session.commit()
        flash(_("You are now a speaker of “%(title)s”.", title=prop.title), "success")
        return redirect(url_for("cfp.proposal", slug=prop.event.slug, proposal_id=prop.id))
    return render_template("cfp/invitation.html", invitation=inv, proposal=inv.proposal, event=inv.proposal.event,
                           form=form)


@bp.get("/events/<slug>/manage/proposals")
@login_required
def committee_proposals(slug: str):
    event = managed_event(slug)
    return render_template("manage/proposals.html", event=event, proposals=proposals_of_event(event))
