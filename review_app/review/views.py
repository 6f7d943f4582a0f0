"""The reviewer's pages: the reviewing dashboard (assignments, progress, the next proposal to review) and the
review page of one assigned proposal (the proposal as a reviewer may see it, the review form, others' reviews)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import Length, Optional

from .. import navigation
from ..cfp.models import LANGUAGE_LABELS, STAGE_LABELS
from ..db import db
from ..errors import DeadlinePassed, DomainError, InvalidState
from ..events.models import Event, Role
from ..events.permissions import events_where
from ..events.views import load_event
from ..forms import BaseForm
from ..navigation import Landing, Link
from ..web import clock, form_page
from . import permissions
from . import reviewing as services
from .models import CONFIDENCE_LABELS, RECOMMENDATION_LABELS, ReviewState

bp = Blueprint("review", __name__)

REVIEW_STATE_LABELS = {"not_started": _l("Not started"), "draft": _l("Draft"), "submitted": _l("Submitted")}


@navigation.area_provider
def _reviewing_area(user):
    if events_where(user, Role.reviewer):
        yield Link("reviewing", _("Reviewing"), url_for("review.reviewing"), order=20, landing=Landing.reviewing)


def _user():
    return current_user._get_current_object()


@bp.get("/reviewing")
@login_required
def reviewing():
    now = clock()
    work = services.work_of(_user(), events_where(current_user, Role.reviewer), now)
    return render_template("review/reviewing.html", work=work, now=now, state_labels=REVIEW_STATE_LABELS)


def _int_or_none(value):
    return None if value in ("", None) else int(value)


class ReviewForm(BaseForm):
    """Shape only: the scale of each criterion, and what submitting needs, are the service's rules."""

    recommendation = RadioField(_l("Overall recommendation"), validators=[Optional()],
                                choices=[(k.value, v) for k, v in RECOMMENDATION_LABELS.items()])
    confidence = RadioField(_l("Your confidence"), coerce=_int_or_none, validators=[Optional()],
                            choices=list(CONFIDENCE_LABELS.items()))
    comment_committee = TextAreaField(_l("Comment for the committee"), validators=[Length(max=10000)],
                                      description=_l("Only the programme committee and, depending on the "
                                                     "event's settings, the other reviewers read this."))
    comment_speakers = TextAreaField(_l("Comment for the speakers (optional)"), validators=[Length(max=10000)],
                                     description=_l("The committee may pass this on to the speakers with its "
                                                    "decision. Write it so that it helps them."))
    version = HiddenField()

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> ReviewForm:
        attrs = {services.score_field(c): RadioField(c.name, description=c.description, coerce=_int_or_none,
                                                     choices=services.scale_choices(c), validate_choice=False,
                                                     validators=[Optional()])
                 for c in event.criteria}
        form = type("EventReviewForm", (cls,), attrs)(**kwargs)
        form.criteria = [(c, form[services.score_field(c)]) for c in event.criteria]
        return form

    def load(self, review) -> None:
        if review is None:
            return
        scores = {s.criterion_id: s.score for s in review.scores}
        for criterion, f in self.criteria:
            f.data = scores.get(criterion.id)
        self.recommendation.data = review.recommendation.value if review.recommendation else None
        self.confidence.data = review.confidence
        self.comment_committee.data = review.comment_committee
        self.comment_speakers.data = review.comment_speakers
        self.version.data = str(review.version)

    def data_for_service(self) -> services.ReviewData:
        return services.ReviewData(
            scores={criterion.id: f.data for criterion, f in self.criteria}, recommendation=self.recommendation.data,
            confidence=self.confidence.data, comment_committee=self.comment_committee.data or "",
            comment_speakers=self.comment_speakers.data or "")

    def expected_version(self) -> int | None:
        raw = self.version.data or ""
        return int(raw) if raw.isdecimal() and raw.isascii() else (None if raw == "" else -1)


@bp.route("/events/<slug>/reviews/<int:proposal_id>", methods=["GET", "POST"])
@login_required
def review(slug: str, proposal_id: int):
    if request.method == "POST":
        request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything else
    event = load_event(slug)
    user, now = _user(), clock()
    assignment = permissions.check_assignment_visible(user, services.assignment_for(user, event, proposal_id))
    navigation.set_current_area("reviewing")
    form = ReviewForm.for_event(event)
    if not form.is_submitted():
        form.load(assignment.review)
    status = 200
    if request.method == "POST":
        submitting = request.form.get("action") == "submit"
        if not form.validate():
            status = 422
        else:
            try:
                services.save_review(assignment, form.data_for_service(), actor=user, now=now,
                                     expected_version=form.expected_version(), submit=submitting)
            except services.ReviewInvalid as err:
                db.session.rollback()
                for name, message in err.errors.items():
                    form[name].errors = [*form[name].errors, message]
                status = err.status
            except DomainError as err:
                db.session.rollback()
                if not isinstance(err, DeadlinePassed | InvalidState):  # those the page says anyway (why_not)
                    flash(err.message, "error")
                status = err.status
            else:
                was_submitted = assignment.review.submitted_at is not None
                db.session.commit()
                if was_submitted and submitting:
                    flash(_("Your review is submitted. You can still change it until the review period closes."),
                          "success")
                    return redirect(url_for("review.reviewing"))
                flash(_("Your changes are saved.") if was_submitted else _("Your draft is saved."), "success")
                return redirect(url_for("review.review", slug=slug, proposal_id=proposal_id))
    return _review_page(event, assignment, form, now, status)


def _review_page(event: Event, assignment, form: ReviewForm, now, status: int):
    user = _user()
    try:
        permissions.check_can_review(user, assignment, now)
        why_not = None
    except DomainError as err:
        why_not = err.message
    settings = services.settings_of(event)
    own = assignment.review
    return form_page(
        "review/review.html", form, status=status, event=event, assignment=assignment, proposal=assignment.proposal,
        review=own, submitted=own is not None and own.state is ReviewState.submitted, blind=settings.blind,
        why_not=why_not, others=services.other_reviews(assignment), others_visible=services.others_visible(assignment),
        visibility=settings.visibility.value if hasattr(settings.visibility, "value") else settings.visibility,
        recommendation_labels=RECOMMENDATION_LABELS, confidence_labels=CONFIDENCE_LABELS,
        language_labels=LANGUAGE_LABELS, stage_labels=STAGE_LABELS, criteria=event.criteria,
        review_window_open=permissions.review_window_open(event, now))
