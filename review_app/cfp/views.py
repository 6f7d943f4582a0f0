"""Speaker pages: the dashboard, writing, submitting and withdrawing proposals, co-speaker invitations."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import navigation
from ..accounts.models import OrganisationType
from ..accounts.services import normalise_email
from ..db import db
from ..errors import DomainError, NotFound
from ..events.models import Role
from ..events.permissions import can_manage_event, events_with_roles, roles_of
from ..events.views import load_event, managed_event
from ..extensions import limiter
from ..forms import ActionForm
from ..navigation import Landing, Link
from ..web import clock, form_page, safe_next
from . import permissions, services
from .availability import windows_of
from .forms import CancelForm, InviteForm, ProposalForm, ProposalListForm
from .models import STAGE_LABELS, STATE_LABELS, SUBMISSION_REQUIREMENTS, Invitation, ProposalState
from .queries import (
    ProposalFilter,
    get_event_proposal,
    hidden_from_committee,
    project_cities,
    proposals_of_event,
    proposals_of_speaker,
    state_counts,
)

bp = Blueprint("cfp", __name__)
# what submitting requires, for the form's marks and the call page's list "What a proposal needs"
bp.add_app_template_global(SUBMISSION_REQUIREMENTS, "submission_requirements")


@bp.context_processor
def _rules():
    # templates ask the same rules as the services: {% if can(current_user, proposal, 'submit', now) %}
    return {"can": permissions.can, "now": clock(), "stage_labels": STAGE_LABELS}


def _data(form: ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data, abstract=form.abstract.data or "", description=form.description.data or "",
        format_id=form.format_id.data, main_theme_id=form.main_theme_id.data, language=form.language.data,
        further_theme_ids=form.further_theme_ids.data or [], audience_ids=form.audience_ids.data or [],
        project_organisation=form.project_organisation.data or "", project_city=form.project_city.data or "",
        project_partners=form.project_partners.data or "", project_stage=form.project_stage.data,
        project_results=form.project_results.data or "", project_transfer=form.project_transfer.data or "",
        notes_for_committee=form.notes_for_committee.data or "", availability=form.windows(),
    )


def _user():
    return current_user._get_current_object()


def _load(slug: str, proposal_id: int):
    event = load_event(slug)
    return event, permissions.check_visible(_user(), get_event_proposal(event, proposal_id))


@bp.get("/dashboard")
@login_required
def dashboard():
    now = clock()
    proposals = proposals_of_speaker(current_user.id)
    events = []
    for proposal in proposals:
        if not events or events[-1][0].id != proposal.event_id:
            events.append((proposal.event, []))
        events[-1][1].append(proposal)
    return render_template("cfp/dashboard.html", groups=events, now=now, action_form=ActionForm(),
                           invitations=services.pending_invitations_for(_user(), now=now),
                           open_calls=services.open_calls(now))


def _save_and_maybe_submit(form: ProposalForm, save, submitted_already: bool = False) -> tuple[object | None, bool]:
    """Save the proposal with `save(data)`; on "Save and submit" (or for a proposal submitted already), first name
    each missing requirement at its field: nothing is saved then ("Save draft" works without them).
    Returns (proposal or None, submitted now)."""
    data = _data(form)
    submitting = request.form.get("action") == "submit"
    if (submitting or submitted_already) and form.mark_missing(services.missing_for_submission(data)):
        return None, False
    proposal = save(data)
    if submitting:
        services.submit(proposal, actor=_user(), now=clock())
    return proposal, submitting


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
        given = windows_of(event, [current_user.id]).get(current_user.id)
        if given:  # the person's availability, given once; without it the days start ticked
            form.load_availability(given)
    if form.validate_on_submit():
        try:
            proposal, submitted = _save_and_maybe_submit(
                form, lambda data: services.create_proposal(event, data, actor=_user(), now=now))
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return form_page("cfp/edit.html", form, status=err.status, event=event, proposal=None)
        if proposal is None:
            return form_page("cfp/edit.html", form, event=event, proposal=None)
        db.session.commit()
        flash(_("Your proposal is submitted.") if submitted else _("Your draft is saved."), "success")
        return redirect(url_for("cfp.proposal", slug=slug, proposal_id=proposal.id))
    return form_page("cfp/edit.html", form, event=event, proposal=None)


@bp.get("/events/<slug>/proposals/<int:proposal_id>")
@login_required
def proposal(slug: str, proposal_id: int):
    event, prop = _load(slug, proposal_id)
    windows = windows_of(event, prop.speaker_ids())
    speaker_windows = [(s.user, [event.window(day, start, end) for day, ws in sorted(windows.get(s.user_id, {}).items())
                                 for start, end in ws]) for s in prop.speakers]
    return render_template("cfp/proposal.html", event=event, proposal=prop, speaker_windows=speaker_windows,
                           action_form=ActionForm(), invite_form=InviteForm(),
                           missing=services.missing_for_submission(prop), **_reader_context(event, prop))


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
        form.load_availability(windows_of(event, [current_user.id]).get(current_user.id, {}))
    if form.validate_on_submit():
        try:
            expected = int(form.version.data) if (form.version.data or "").isdecimal() else -1  # not "²"
            saved, submitted = _save_and_maybe_submit(
                form, lambda data: services.update_proposal(prop, data, actor=_user(), now=now,
                                                            expected_version=expected),
                submitted_already=prop.state is not ProposalState.draft)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return form_page("cfp/edit.html", form, status=err.status, event=event, proposal=prop)
        if saved is None:
            return form_page("cfp/edit.html", form, event=event, proposal=prop)
        db.session.commit()
        flash(_("Your proposal is submitted.") if submitted else _("Your changes are saved."), "success")
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


@bp.route("/events/<slug>/proposals/<int:proposal_id>/delete", methods=["GET", "POST"])
@login_required
def delete(slug: str, proposal_id: int):
    if request.method == "GET":
        return _confirm_first(slug, proposal_id, "delete",
                              _("Do you really want to delete this draft? It is gone for good, for every speaker "
                                "of it, and its open invitations stop working."), _("Yes, delete the draft"))
    _event, prop = _load(slug, proposal_id)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    title = prop.title
    services.delete_draft(prop, actor=_user(), now=clock())
    db.session.commit()
    flash(_("Your draft “%(title)s” is deleted.", title=title), "success")
    return redirect(url_for("cfp.dashboard"))


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


@bp.route("/events/<slug>/proposals/<int:proposal_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(slug: str, proposal_id: int):
    """A confirmed session called off, with a reason (asks first, on a page of its own)."""
    event, prop = _load(slug, proposal_id)
    now = clock()
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    permissions.check_action(_user(), prop, "cancel", now)
    form = CancelForm()
    status = None
    if form.validate_on_submit():
        try:
            services.cancel(prop, form.reason.data, actor=_user(), now=now)
        except DomainError as err:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, err.message]
            status = err.status
        else:
            db.session.commit()
            flash(_("The session “%(title)s” is cancelled.", title=prop.title), "success")
            return redirect(url_for("cfp.proposal", slug=slug, proposal_id=prop.id))
    return form_page("cfp/cancel.html", form, status=status, event=event, proposal=prop)


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
                           missing=services.missing_for_submission(prop), **_reader_context(event, prop)), status


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
        return _accepted(services.accept(inv, actor=_user(), now=now))
    return render_template("cfp/invitation.html", invitation=inv, proposal=inv.proposal, event=inv.proposal.event,
                           form=form, token=token)


@bp.post("/invitations/<token>/decline")
def decline_invitation(token: str):
    """Whoever holds the link may say no, with or without an account."""
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    inv = services.find_invitation(token)
    actor = _user() if current_user.is_authenticated else None
    return _declined(services.decline_invitation(inv, actor=actor, now=clock()))


def _my_invitation(invitation_id: int) -> Invitation:
    """An invitation addressed to the logged-in person; anyone else's looks missing."""
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or inv.email != normalise_email(current_user.email):
        raise NotFound(_("This invitation does not exist."))
    return inv


@bp.post("/dashboard/invitations/<int:invitation_id>/accept")
@login_required
def accept_my_invitation(invitation_id: int):
    return _accepted(services.accept(_my_invitation(invitation_id), actor=_user(), now=clock()))


@bp.post("/dashboard/invitations/<int:invitation_id>/decline")
@login_required
def decline_my_invitation(invitation_id: int):
    return _declined(services.decline_invitation(_my_invitation(invitation_id), actor=_user(), now=clock()))


def _accepted(prop):
    db.session.commit()
    flash(_("You are now a speaker of “%(title)s”.", title=prop.title), "success")
    return redirect(url_for("cfp.proposal", slug=prop.event.slug, proposal_id=prop.id))


def _declined(prop):
    db.session.commit()
    flash(_("You have declined the invitation to “%(title)s”. We have told the speaker who invited you.",
            title=prop.title), "success")
    return redirect(url_for("cfp.dashboard") if current_user.is_authenticated else url_for("public.index"))


def _reader_context(event, prop) -> dict:
    """Who reads a proposal decides its breadcrumb and header area: its speakers see "My proposals" (a speaker
    on the committee too, for their own proposal); the committee sees the event's list, with the search and
    filters it came from (`back`, else a Referer from that list)."""
    user = _user()
    if permissions.is_speaker(user, prop) or not can_manage_event(user, event):
        navigation.set_current_area("my-proposals")
        return {"committee_view": False, "back_url": None}
    navigation.set_current_area("committee" if Role.committee in roles_of(user, event) else "site-admin")
    return {"committee_view": True, "back_url": _back_to_list(event)}


def _back_to_list(event) -> str:
    list_url = url_for("cfp.committee_proposals", slug=event.slug)
    referrer = urlsplit(request.referrer or "")
    came_from = (referrer.path + (f"?{referrer.query}" if referrer.query else "")
                 if referrer.netloc == request.host else "")
    for candidate in (request.args.get("back"), came_from):
        target = safe_next(candidate, "")
        if target == list_url or target.startswith(list_url + "?"):
            return target
    return list_url


@navigation.area_provider
def _speaker_and_committee_areas(user):
    roles = events_with_roles(user)
    has_proposals = any(Role.speaker in event_roles for _event, event_roles in roles)
    yield Link("my-proposals", _("My proposals"), url_for("cfp.dashboard"), order=10,
               landing=Landing.own_proposals if has_proposals else Landing.anyone)
    managed = [event for event, event_roles in roles if Role.committee in event_roles]
    paths = tuple(f"/events/{event.slug}/manage/" for event in managed)
    if len(managed) == 1:  # the one event's name, leading to its proposals
        yield Link("committee", managed[0].name, url_for("cfp.committee_proposals", slug=managed[0].slug),
                   order=30, landing=Landing.committee, paths=paths)
    elif managed:
        yield Link("committee", _("Manage"), url_for("manage.my_events"), order=30, landing=Landing.committee,
                   paths=paths)


@navigation.event_link_provider
def _proposal_list_link(event):
    yield Link("proposals", _("Proposals"), url_for("cfp.committee_proposals", slug=event.slug), order=80)


def _list_filter(form: ProposalListForm, hidden: frozenset[int]) -> ProposalFilter:
    return ProposalFilter(
        text=form.q.data or "", state=ProposalState(form.state.data) if form.state.data else None,
        theme_id=form.theme.data, format_id=form.format.data, language=form.language.data or None,
        organisation_type=OrganisationType(form.org_type.data) if form.org_type.data else None,
        city=form.city.data or None, sort=form.sort.data, descending=form.dir.data == "desc", hidden=hidden)


@bp.get("/events/<slug>/manage/proposals")
@login_required
def committee_proposals(slug: str):
    """The committee's list: search, filters and order live in the address; a value the form refuses is
    named at its field, left out of the filter, and the page answers 400."""
    event = managed_event(slug)
    hidden = hidden_from_committee(event, _user())  # conflicted: absent from the rows, counts, search and cities
    form = ProposalListForm.for_event(event, project_cities(event, hidden), request.args)
    status = 200
    if not form.validate():
        status = 400
        for name, field in form._fields.items():
            if field.errors:
                field.data = form[name].default if name in ("sort", "dir") else None
    list_filter = _list_filter(form, hidden)
    args = {name: value for name, value in
            (("q", list_filter.text), ("state", form.state.data), ("theme", form.theme.data),
             ("format", form.format.data), ("language", form.language.data), ("org_type", form.org_type.data),
             ("city", form.city.data), ("sort", form.sort.data), ("dir", form.dir.data))
            if value and value != form[name].default}  # the address of this very list, short
    return render_template("manage/proposals.html", event=event, form=form, args=args,
                           proposals=proposals_of_event(event, list_filter),
                           counts=state_counts(event, list_filter), states=STATE_LABELS), status
