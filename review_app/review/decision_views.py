"""The committee's ranking page, its decisions (one by one or in bulk), their release, and the CSV exports."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField

from .. import navigation
from ..accounts.models import ORGANISATION_TYPE_LABELS, OrganisationType
from ..audit.models import record
from ..cfp.forms import ProposalListForm
from ..cfp.models import LANGUAGE_LABELS, STATE_LABELS, Proposal, ProposalState
from ..cfp.queries import ProposalFilter, project_cities
from ..db import db
from ..errors import DomainError, NotFound
from ..events.views import load_event
from ..forms import BaseForm
from ..navigation import Link
from ..web import clock, coerce_id, safe_next
from . import decisions
from .models import (
    CONFIDENCE_LABELS,
    OUTCOME_LABELS,
    RECOMMENDATION_LABELS,
    Assignment,
    DecisionOutcome,
    Review,
    Reviewer,
    ReviewState,
)
from .permissions import check_can_rank
from .queries import conflicted_proposal_ids
from .ranking import SORTS, Ranking, criteria_of, rank
from .scoring import weighted_total

bp = Blueprint("review_decisions", __name__)

SORT_LABELS = {"calibrated": _l("Calibrated score"), "mean": _l("Mean"), "median": _l("Median"),
               "spread": _l("Spread"), "reviews": _l("Reviews done"), "title": _l("Title"), "state": _l("State"),
               "format": _l("Format"), "theme": _l("Main theme")}


class RankingForm(ProposalListForm):
    """The committee list's search and filters, with the ranking's own orders (the best score first)."""

    sort = SelectField(_l("Sort by"), choices=[(key, SORT_LABELS[key]) for key in SORTS], default="calibrated")
    dir = SelectField(_l("Order"), choices=[("desc", _l("descending")), ("asc", _l("ascending"))], default="desc")


class DecideForm(BaseForm):
    proposal = SelectMultipleField(_l("Proposals"), coerce=coerce_id, validate_choice=False)
    outcome = SelectField(_l("Decision"), choices=[("", _l("Please choose"))] +
                          [(o.value, label) for o, label in OUTCOME_LABELS.items()], default="")
    share_comments = BooleanField(_l("Rejection mails quote the reviewers’ comments for the speakers"))
    back = HiddenField()


def _user():
    return current_user._get_current_object()


def _event(slug: str):
    event = load_event(slug)
    check_can_rank(current_user, event)
    return event


@navigation.event_link_provider
def _ranking_link(event):
    yield Link("ranking", _("Ranking and decisions"), url_for("review_decisions.ranking", slug=event.slug), order=95,
               paths=(f"/events/{event.slug}/manage/ranking",))


def _filtered(event, args) -> tuple[RankingForm, ProposalFilter, dict, int]:
    """The form read from the address; a refused value is named at its field, left out, and answers 400."""
    form = RankingForm.for_event(event, project_cities(event, conflicted_proposal_ids(event, _user())), args)
    status = 200
    if not form.validate():
        status = 400
        for name, fld in form._fields.items():
            if fld.errors:
                fld.data = form[name].default if name in ("sort", "dir") else None
    f = ProposalFilter(
        text=form.q.data or "", state=ProposalState(form.state.data) if form.state.data else None,
        theme_id=form.theme.data, format_id=form.format.data, language=form.language.data or None,
        organisation_type=OrganisationType(form.org_type.data) if form.org_type.data else None,
        city=form.city.data or None)
    kept = {name: value for name, value in
            (("q", f.text), ("state", form.state.data), ("theme", form.theme.data), ("format", form.format.data),
             ("language", form.language.data), ("org_type", form.org_type.data), ("city", form.city.data),
             ("sort", form.sort.data), ("dir", form.dir.data))
            if value and value != form[name].default}
    return form, f, kept, status


def _ranking_of(event, args, *, with_speakers: bool = False) -> tuple[RankingForm, Ranking, dict, int]:
    form, f, kept, status = _filtered(event, args)
    return form, rank(event, _user(), f, sort=form.sort.data, descending=form.dir.data == "desc",
                      with_speakers=with_speakers), kept, status


def _one(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def ranking_rows_html(event, rows) -> Markup:
    """The ranking's table rows, written here rather than in the template: at 1,000 rows the template's escaping
    of some twenty values per row (a Markup object each) took a third of the page's time. Every text is escaped;
    the words and the link's start are looked up once."""
    href = url_for("cfp.proposal", slug=event.slug, proposal_id=0)[:-1]
    states = {s: escape(str(label)) for s, label in STATE_LABELS.items()}
    outcomes = {o: escape(str(label)) for o, label in OUTCOME_LABELS.items()}
    flag = f' <strong class="disagreement">{escape(_("high disagreement"))}</strong>'
    out = []
    for r in rows:
        p, st = r.proposal, r.stats
        out.append(
            f'<tr data-proposal="{p.id}"><td><input type="checkbox" name="proposal" value="{p.id}" '
            f'id="choose-{p.id}" aria-labelledby="choose-word title-{p.id}"></td><td>{p.id}</td>'
            f'<td><a href="{href}{p.id}" id="title-{p.id}">{escape(p.title)}</a></td><td>{r.done}/{r.assigned}</td>'
            f'<td>{_one(st.mean)}</td><td>{_one(st.median)}</td>'
            f'<td>{_one(st.range)}{flag if st.high_disagreement else ""}</td><td>{_one(r.calibrated)}</td>'
            f'<td>{outcomes[r.pending] if r.pending else "–"}</td>'
            f'<td><span class="state state-{p.state.value}">{states[p.state]}</span></td>'
            f'<td>{escape(p.format_name)}</td><td>{escape(p.theme_name)}</td></tr>')
    return Markup("\n".join(out))  # noqa: S704 - built from escaped values above  # nosec B704


@bp.get("/events/<slug>/manage/ranking")
@login_required
def ranking(slug: str):
    event = _event(slug)
    form, result, args, status = _ranking_of(event, request.args)
    submitted = db.session.scalar(select(Proposal.id).where(Proposal.event_id == event.id,
                                                            Proposal.state == ProposalState.submitted).limit(1))
    decide_form = DecideForm(formdata=None, back=url_for("review_decisions.ranking", slug=slug, **args))
    return render_template("review/decisions/ranking.html", event=event, form=form, ranking=result, args=args,
                           decide_form=decide_form, outcome_labels=OUTCOME_LABELS, states=STATE_LABELS,
                           rows_html=ranking_rows_html(event, result.rows),
                           organisation_labels=ORGANISATION_TYPE_LABELS, pending=result.pending,
                           can_start_review=submitted is not None and clock() >= event.cfp_closes_at), status


def _back(slug: str, form: DecideForm) -> str:
    target = url_for("review_decisions.ranking", slug=slug)
    back = safe_next(form.back.data, target)
    return back if back == target or back.startswith(target + "?") else target


def _selected(event, form: DecideForm) -> list[Proposal]:
    """The chosen proposals of this event; one the member may not see (or of another event) makes it all a 404."""
    ids = sorted(set(form.proposal.data or []))
    proposals = list(db.session.scalars(select(Proposal).where(Proposal.event_id == event.id,
                                                               Proposal.id.in_(ids))))
    hidden = conflicted_proposal_ids(event, _user())
    if len(proposals) != len(ids) or any(p.id in hidden or p.state is ProposalState.draft for p in proposals):
        raise NotFound(_("One of the chosen proposals does not exist or is not visible to you."))
    return proposals


def _checked_form() -> DecideForm:
    form = DecideForm()
    if not form.validate():
        raise DomainError(_("The selection could not be read. Please choose proposals from the list."), 400)
    return form


@bp.post("/events/<slug>/manage/ranking/decide")
@login_required
def decide(slug: str):
    """Decide the chosen proposals (one or many) at once: all of them, or none if one is refused."""
    event = _event(slug)
    form = _checked_form()
    proposals = _selected(event, form)
    if not proposals:
        raise DomainError(_("Choose at least one proposal."), 422)
    if not form.outcome.data:
        raise DomainError(_("Choose accept, waitlist or reject."), 422)
    now = clock()
    for proposal in proposals:
        decisions.decide(proposal, form.outcome.data, actor=_user(), now=now,
                         share_comments=bool(form.share_comments.data))
    db.session.commit()
    flash(ngettext("%(num)d decision saved as “%(outcome)s”. Speakers learn of it only when you release it.",
                   "%(num)d decisions saved as “%(outcome)s”. Speakers learn of them only when you release them.",
                   len(proposals), outcome=OUTCOME_LABELS[DecisionOutcome(form.outcome.data)]), "success")
    return redirect(_back(slug, form))


def _release_page(event, ids: list[int] | None, form: DecideForm):
    """What releasing would send, before it is sent: the mails of each kind (one per speaker), and the decisions
    that stay pending; the page posts the same selection again, confirmed."""
    plan = decisions.release_plan(event, ids, actor=_user())
    mails = {outcome: [0, 0] for outcome in DecisionOutcome}  # decisions, mails
    for decision in plan.released:
        mails[decision.outcome][0] += 1
        mails[decision.outcome][1] += len(decision.proposal.speakers)
    return render_template("review/decisions/release.html", event=event, plan=plan, mails=mails, ids=ids,
                           back=_back(event.slug, form), form=form)


@bp.post("/events/<slug>/manage/ranking/release")
@login_required
def release(slug: str):
    """Release the pending decisions: the chosen ones, or all ("scope=all"); first a page saying which mails will
    go out, whose button posts again with "confirmed=yes"."""
    event = _event(slug)
    form = _checked_form()
    if request.form.get("scope") == "all":
        ids = None
    else:
        ids = [p.id for p in _selected(event, form)]
        if not ids:
            raise DomainError(_("Choose at least one proposal, or release all pending decisions."), 422)
    if request.form.get("confirmed") != "yes":
        return _release_page(event, ids, form)
    result = decisions.release(event, ids, actor=_user(), now=clock())
    db.session.commit()
    flash(ngettext("%(num)d decision released; the speakers are being notified.",
                   "%(num)d decisions released; the speakers are being notified.", len(result.released)),
          "success" if result.released else "info")
    if result.skipped:
        flash(ngettext("%(num)d decision stays pending because its proposal was withdrawn.",
                       "%(num)d decisions stay pending because their proposals were withdrawn.",
                       len(result.skipped)), "info")
    return redirect(_back(slug, form))


@bp.post("/events/<slug>/manage/ranking/start-review")
@login_required
def start_review(slug: str):
    event = _event(slug)
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    started = decisions.start_review_all(event, actor=_user(), now=clock())
    db.session.commit()
    flash(ngettext("%(num)d proposal is now under review.", "%(num)d proposals are now under review.",
                   len(started)), "success")
    return redirect(url_for("review_decisions.ranking", slug=slug))


# -- exports ---------------------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell as text; text that a spreadsheet would run as a formula is kept as text with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_response(rows: list[list], filename: str) -> Response:
    """UTF-8 with a byte order mark, so that spreadsheet programs read the umlauts right."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _audit_export(event, action: str, rows: int, now: datetime) -> None:
    record(actor=_user(), action=action, obj=event, event_id=event.id, now=now, rows=rows)
    db.session.commit()


@bp.get("/events/<slug>/manage/ranking.csv")
@login_required
def ranking_csv(slug: str):
    """The ranking as shown (the same filters and order), every visible row."""
    event = _event(slug)
    _form, result, _args, status = _ranking_of(event, request.args, with_speakers=True)
    if status != 200:
        raise DomainError(_("The filters in the address could not be read."), 400)
    rows = [[_("Number"), _("Title"), _("Speakers"), _("Organisation"), _("Submitted by"), _("City of the project"),
             _("Format"), _("Main theme"), _("Language"), _("State"), _("Reviews done"), _("Reviews assigned"),
             _("Mean"), _("Median"), _("Spread"), _("High disagreement"), _("Calibrated score"),
             _("Pending decision")]]
    for r in result.rows:
        p = r.proposal
        rows.append([p.id, p.title, ", ".join(p.speaker_names), p.project_organisation,
                     ORGANISATION_TYPE_LABELS.get(r.organisation_type, ""), p.project_city, p.format_name,
                     p.theme_name, LANGUAGE_LABELS[p.language], p.state_label, r.done, r.assigned,
                     r.stats.mean, r.stats.median, r.stats.range, r.stats.high_disagreement, r.calibrated,
                     OUTCOME_LABELS[r.pending] if r.pending else ""])
    _audit_export(event, "export.ranking", len(result.rows), clock())
    return csv_response(rows, f"{event.slug}-ranking.csv")


@bp.get("/events/<slug>/manage/reviews.csv")
@login_required
def reviews_csv(slug: str):
    """Every submitted review of the proposals the member may see, one line each."""
    event = _event(slug)
    hidden = conflicted_proposal_ids(event, _user())
    criteria = list(event.criteria)
    scales = criteria_of(event)
    reviews = db.session.scalars(
        select(Review).join(Assignment, Assignment.id == Review.assignment_id)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.event_id == event.id, Review.state == ReviewState.submitted)
        .options(selectinload(Review.scores), selectinload(Review.assignment).selectinload(Assignment.proposal),
                 selectinload(Review.assignment).selectinload(Assignment.reviewer).selectinload(Reviewer.user))
        .order_by(Assignment.proposal_id, Review.id))
    rows = [[_("Number"), _("Title"), _("Reviewer"), _("Recommendation"), _("Confidence"), _("Weighted total"),
             *(c.name for c in criteria), _("Comment for the committee"), _("Comment for the speakers"),
             _("Submitted")]]
    for review in reviews:
        a = review.assignment
        if a.proposal_id in hidden:
            continue
        scores = {s.criterion_id: s.score for s in review.scores}
        try:
            total = weighted_total(scores, scales)
        except ValueError:
            total = None
        rows.append([a.proposal_id, a.proposal.title, a.reviewer.user.name,
                     RECOMMENDATION_LABELS.get(review.recommendation, ""),
                     CONFIDENCE_LABELS.get(review.confidence, ""), total, *(scores.get(c.id) for c in criteria),
                     review.comment_committee, review.comment_speakers,
                     event.local(review.submitted_at).strftime("%Y-%m-%d %H:%M") if review.submitted_at else ""])
    _audit_export(event, "export.reviews", len(rows) - 1, clock())
    return csv_response(rows, f"{event.slug}-reviews.csv")
