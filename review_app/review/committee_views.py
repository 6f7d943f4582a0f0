"""The committee's reviewing pages (reviewers, conflicts, assignments), the reviewer invitation link and the
reviewer's preferences (themes, languages, bids)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import navigation
from ..accounts.models import User
from ..cfp.models import Proposal, ProposalState
from ..db import db
from ..errors import DomainError, NotFound
from ..events.views import load_event, managed_event
from ..forms import ActionForm
from ..navigation import Link
from ..web import clock, form_page
from . import assigning, conflict_admin
from . import reviewers as services
from .committee_forms import (
    AliasForm,
    AssignForm,
    InviteReviewerForm,
    OverrideForm,
    PreferencesForm,
    ReviewerLimitsForm,
)
from .models import BID_LABELS, Assignment, BidLevel
from .permissions import can_state_preferences
from .queries import conflict_map, conflicted_proposal_ids, is_conflicted, reviewer_of, settings_of

bp = Blueprint("review_committee", __name__)


@navigation.event_link_provider
def _committee_links(event):
    yield Link("reviewers", _("Reviewers"), url_for("review_committee.reviewers", slug=event.slug), order=82,
               paths=(f"/events/{event.slug}/manage/reviewers/",))
    yield Link("conflicts", _("Conflicts"), url_for("review_committee.conflicts", slug=event.slug), order=84)
    yield Link("assignments", _("Assignments"), url_for("review_committee.assignments", slug=event.slug), order=86,
               paths=(f"/events/{event.slug}/manage/assignments/",))


def _user():
    return current_user._get_current_object()


# --- reviewers -----------------------------------------------------------------------------------------------

@bp.route("/events/<slug>/manage/reviewers", methods=["GET", "POST"])
@login_required
def reviewers(slug: str):
    event = managed_event(slug)
    form = InviteReviewerForm()
    if request.method == "GET":
        form.language.data = str(get_locale() or "de")
    status = None
    if form.validate_on_submit():
        try:
            reviewer = services.invite_reviewer(event, form.email.data, language=form.language.data, actor=_user(),
                                                now=clock())
        except DomainError as err:
            db.session.rollback()
            form.email.errors.append(err.message)
            status = err.status
        else:
            db.session.commit()
            if reviewer is not None:
                flash(_("%(name)s is now a reviewer.", name=reviewer.user.name), "success")
            else:
                flash(_("No account uses %(email)s yet: we have sent an invitation to register.",
                        email=form.email.data), "success")
            return redirect(url_for("review_committee.reviewers", slug=slug))
    return form_page("review/committee/reviewers.html", form, status=status, event=event,
                     rows=services.reviewer_rows(event), settings=settings_of(event))


def _reviewer_user(event, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not can_state_preferences(user, event):
        raise NotFound(_("This reviewer does not exist."))
    return user


@bp.route("/events/<slug>/manage/reviewers/<int:user_id>", methods=["GET", "POST"])
@login_required
def reviewer_limits(slug: str, user_id: int):
    event = managed_event(slug)
    user = _reviewer_user(event, user_id)
    reviewer = reviewer_of(user, event)
    form = ReviewerLimitsForm()
    form.limited_theme_ids.choices = [(t.id, t.name) for t in event.themes]
    if request.method == "GET" and reviewer is not None:
        form.limited_theme_ids.data = [t.id for t in reviewer.limited_themes]
        form.max_load.data = reviewer.max_load
    status = None
    if form.validate_on_submit():
        try:
            services.set_limits(event, user, limited_theme_ids=form.limited_theme_ids.data or [],
                                max_load=form.max_load.data, actor=_user(), now=clock())
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status = err.status
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("review_committee.reviewers", slug=slug))
    return form_page("review/committee/reviewer_limits.html", form, status=status, event=event, person=user,
                     settings=settings_of(event))


@bp.route("/reviewer-invitations/<token>", methods=["GET", "POST"])
def reviewer_invitation(token: str):
    now = clock()
    event, email = services.read_invitation(token, now=now)
    form = ActionForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        if form.validate_on_submit():
            services.accept_invitation(token, actor=_user(), now=now)
            db.session.commit()
            flash(_("You are now a reviewer of %(event)s. Tell us which themes you know well.", event=event.name),
                  "success")
            return redirect(url_for("review_committee.preferences", slug=event.slug))
    return render_template("review/committee/invitation.html", event=event, email=email, form=form)


# --- the reviewer's preferences ------------------------------------------------------------------------------

def _bids_from_request() -> dict[int, str | None]:
    """Every `bid-<id>` field sent; ids that are not proposals open to the reviewer are passed on to be refused."""
    bids: dict[int, str | None] = {}
    for key, value in request.form.items():
        if key.startswith("bid-"):
            try:
                pid = int(key[4:])
            except ValueError as err:
                raise DomainError(_("Choose one of the bids offered."), 422) from err
            bids[pid] = value or None
    return bids


@bp.route("/events/<slug>/review/preferences", methods=["GET", "POST"])
@login_required
def preferences(slug: str):
    event = load_event(slug)
    services.check_reviewer(_user(), event)
    reviewer = reviewer_of(_user(), event)
    form = PreferencesForm()
    form.expert_theme_ids.choices = [(t.id, t.name) for t in event.themes]
    proposals = services.biddable_proposals(event, _user())
    if request.method == "GET" and reviewer is not None:
        form.expert_theme_ids.data = [t.id for t in reviewer.expert_themes]
        form.languages.data = sorted(reviewer.language_set)
    status = None
    if form.validate_on_submit():
        try:
            services.save_preferences(event, expert_theme_ids=form.expert_theme_ids.data or [],
                                      languages=form.languages.data or [],
                                      bids=_bids_from_request(), actor=_user(), now=clock())
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status = err.status
        else:
            db.session.commit()
            flash(_("Your preferences are saved."), "success")
            return redirect(url_for("review_committee.preferences", slug=slug))
        reviewer = reviewer_of(_user(), event)
        proposals = services.biddable_proposals(event, _user())
    return form_page("review/committee/preferences.html", form, status=status, event=event, proposals=proposals,
                     bids=services.bids_of(reviewer), bid_labels=BID_LABELS, levels=list(BidLevel),
                     blind=settings_of(event).blind, declarations=services.own_declarations(event, _user()))


@bp.post("/events/<slug>/review/preferences/declarations/<int:declaration_id>/withdraw")
@login_required
def take_back_declaration(slug: str, declaration_id: int):
    event = load_event(slug)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    proposal = services.take_back_declaration(event, declaration_id, actor=_user(), now=clock())
    db.session.commit()
    flash(_("You took back your conflict of interest with “%(title)s”; the proposal is in your list again.",
            title=proposal.title), "success")
    return redirect(url_for("review_committee.preferences", slug=slug))


# --- conflicts -----------------------------------------------------------------------------------------------

def _conflicts_page(event, override_form=None, alias_form=None, status=None):
    hidden = conflicted_proposal_ids(event, _user())  # a member's own conflicts are not theirs to see
    rows = [r for r in conflict_admin.conflict_rows(event) if r.proposal.id not in hidden]
    return render_template("review/committee/conflicts.html", event=event, rows=rows,
                           overrides=conflict_admin.overrides_of(event), aliases=conflict_admin.aliases_of(event),
                           override_form=override_form or OverrideForm(),
                           alias_form=alias_form or AliasForm(), override_errors=override_form is not None), \
        status or 200


@bp.get("/events/<slug>/manage/conflicts")
@login_required
def conflicts(slug: str):
    return _conflicts_page(managed_event(slug))


@bp.post("/events/<slug>/manage/conflicts/override")
@login_required
def override_conflict(slug: str):
    event = managed_event(slug)
    form = OverrideForm()
    if not form.validate_on_submit():
        return _conflicts_page(event, override_form=form, status=422)
    try:
        conflict_admin.override_conflict(event, _int(form.user_id.data), _int(form.proposal_id.data), form.reason.data,
                                   actor=_user(), now=clock())
    except DomainError as err:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, err.message]
        return _conflicts_page(event, override_form=form, status=err.status)
    db.session.commit()
    flash(_("The conflict is lifted."), "success")
    return redirect(url_for("review_committee.conflicts", slug=slug))


@bp.post("/events/<slug>/manage/conflicts/aliases")
@login_required
def add_alias(slug: str):
    event = managed_event(slug)
    form = AliasForm()
    if not form.validate_on_submit():
        return _conflicts_page(event, alias_form=form, status=422)
    try:
        conflict_admin.add_alias(event, form.name_a.data, form.name_b.data, actor=_user(), now=clock())
    except DomainError as err:
        db.session.rollback()
        form.name_b.errors = [*form.name_b.errors, err.message]
        return _conflicts_page(event, alias_form=form, status=err.status)
    db.session.commit()
    flash(_("The two spellings now count as the same organisation."), "success")
    return redirect(url_for("review_committee.conflicts", slug=slug))


@bp.post("/events/<slug>/manage/conflicts/overrides/<int:override_id>/delete")
@login_required
def restore_conflict(slug: str, override_id: int):
    event = managed_event(slug)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    conflict_admin.restore_conflict(event, override_id, actor=_user(), now=clock())
    db.session.commit()
    flash(_("The conflict is in force again."), "success")
    return redirect(url_for("review_committee.conflicts", slug=slug))


@bp.post("/events/<slug>/manage/conflicts/aliases/<int:alias_id>/delete")
@login_required
def remove_alias(slug: str, alias_id: int):
    event = managed_event(slug)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    row = conflict_admin.remove_alias(event, alias_id, actor=_user(), now=clock())
    db.session.commit()
    flash(_("“%(a)s” and “%(b)s” count as different organisations again.", a=row.name_a, b=row.name_b), "success")
    return redirect(url_for("review_committee.conflicts", slug=slug))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise NotFound(_("This page does not exist or is not visible to you.")) from err


# --- assignments ---------------------------------------------------------------------------------------------

@bp.get("/events/<slug>/manage/assignments")
@login_required
def assignments(slug: str):
    event = managed_event(slug)
    return _assignments_page(event)


def _assignments_page(event, result=None):
    proposals, by_proposal, rows = assigning.assignment_overview(event)
    hidden = conflicted_proposal_ids(event, _user())  # the member's conflicted proposals are absent, as everywhere
    proposals = [p for p in proposals if p.id not in hidden]
    if result is not None:
        assigned = {r: kept for r, ps in result.assigned.items() if (kept := [p for p in ps if p.id not in hidden])}
        result = assigning.AutoResult(assigned, [(p, why) for p, why in result.shortfalls if p.id not in hidden],
                                     sum(len(ps) for ps in assigned.values()))
    return render_template("review/committee/assignments.html", event=event, proposals=proposals,
                           by_proposal=by_proposal, rows=rows, settings=settings_of(event), result=result,
                           action_form=ActionForm())


@bp.post("/events/<slug>/manage/assignments/automatic")
@login_required
def assign_automatically(slug: str):
    event = managed_event(slug)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    result = assigning.assign_automatically(event, actor=_user(), now=clock())
    db.session.commit()
    return _assignments_page(event, result)


def _proposal_under_review(event, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if (proposal is None or proposal.event_id != event.id or proposal.state is ProposalState.draft
            or is_conflicted(event, _user(), proposal.id)):
        raise NotFound(_("This proposal does not exist or is not visible to you."))
    return proposal


def _proposal_page(event, proposal, form=None, status=200, error=None):
    current = list(db.session.scalars(select(Assignment).where(Assignment.proposal_id == proposal.id)
                                      .order_by(Assignment.id)))
    taken = {a.reviewer_id for a in current}
    rows = [r for r in services.reviewer_rows(event) if r.reviewer is None or r.reviewer.id not in taken]
    conflicted = {uid for uid, pid in conflict_map(event, [r.user for r in rows]) if pid == proposal.id}
    return render_template("review/committee/proposal_assignments.html", event=event, proposal=proposal,
                           current=current, rows=rows, conflicted=conflicted, form=form or AssignForm(),
                           action_form=ActionForm(), error=error), status


@bp.get("/events/<slug>/manage/assignments/<int:proposal_id>")
@login_required
def proposal_assignments(slug: str, proposal_id: int):
    event = managed_event(slug)
    return _proposal_page(event, _proposal_under_review(event, proposal_id))


@bp.post("/events/<slug>/manage/assignments/<int:proposal_id>/add")
@login_required
def add_assignment(slug: str, proposal_id: int):
    event = managed_event(slug)
    proposal = _proposal_under_review(event, proposal_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _proposal_page(event, proposal, form, 422, _("Choose a reviewer."))
    user = db.session.get(User, form.reviewer_id.data)
    if user is None or not can_state_preferences(user, event):
        return _proposal_page(event, proposal, form, 422, _("Choose one of this event's reviewers."))
    try:
        assigning.assign(event, services.ensure_reviewer(event, user), proposal, actor=_user(), now=clock())
    except DomainError as err:
        db.session.rollback()
        return _proposal_page(event, _proposal_under_review(event, proposal_id), form, err.status, err.message)
    db.session.commit()
    flash(_("%(name)s now reviews this proposal.", name=user.name), "success")
    return redirect(url_for("review_committee.proposal_assignments", slug=slug, proposal_id=proposal_id))


@bp.post("/events/<slug>/manage/assignments/<int:proposal_id>/remove/<int:assignment_id>")
@login_required
def remove_assignment(slug: str, proposal_id: int, assignment_id: int):
    event = managed_event(slug)
    proposal = _proposal_under_review(event, proposal_id)
    row = db.session.get(Assignment, assignment_id)
    if row is None or row.proposal_id != proposal.id:
        raise NotFound(_("This page does not exist or is not visible to you."))
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    assigning.unassign(event, row, actor=_user(), now=clock())
    db.session.commit()
    flash(_("The assignment is removed."), "success")
    return redirect(url_for("review_committee.proposal_assignments", slug=slug, proposal_id=proposal_id))

