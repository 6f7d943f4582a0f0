"""The speaker's side of reviewing: declaring that a reviewer or committee member has a conflict of interest with
their proposal, and withdrawing such a declaration (linked from cfp's proposal page)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import navigation
from ..cfp.queries import get_event_proposal
from ..db import db
from ..errors import DomainError
from ..events.views import load_event
from ..forms import ActionForm, BaseForm
from ..web import clock, form_page
from . import declarations as services
from .permissions import can_declare_conflict, check_can_declare_conflict

bp = Blueprint("review_speaker", __name__)
# cfp's proposal page asks this rule before it links the page (cfp itself cannot import review)
bp.add_app_template_global(can_declare_conflict, "can_declare_conflict")


class DeclareConflictForm(BaseForm):
    user_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired()],
                          description=_l("Someone who reviews for this event or sits on its programme committee."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)],
                           description=_l("For example: we work together, or compete for the same project. Only the "
                                          "programme committee reads this."))


def _user():
    return current_user._get_current_object()


def _proposal(slug: str, proposal_id: int):
    event = load_event(slug)
    proposal = get_event_proposal(event, proposal_id)
    check_can_declare_conflict(_user(), proposal)  # 404 for all but its speakers, 409 once withdrawn
    navigation.set_current_area("my-proposals")
    return event, proposal


def _form(proposal) -> DeclareConflictForm:
    form = DeclareConflictForm()
    form.user_id.choices = [(0, _("Please choose"))] + [(u.id, u.name) for u in services.declarable_people(proposal)]
    return form


def _page(event, proposal, form, status=None):
    return form_page("review/speaker/conflicts.html", form, status=status, event=event, proposal=proposal,
                     declarations=services.speaker_declarations(proposal), action_form=ActionForm())


@bp.route("/events/<slug>/proposals/<int:proposal_id>/conflicts", methods=["GET", "POST"])
@login_required
def conflicts(slug: str, proposal_id: int):
    if request.method == "POST":
        request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything else
    event, proposal = _proposal(slug, proposal_id)
    form = _form(proposal)
    if form.validate_on_submit():
        try:
            row = services.declare_conflict(proposal, form.user_id.data, form.reason.data, actor=_user(),
                                            now=clock())
        except DomainError as err:
            db.session.rollback()
            form.user_id.errors = [*form.user_id.errors, err.message]
            return _page(event, get_event_proposal(event, proposal_id), form, err.status)
        name = row.user.name
        db.session.commit()
        flash(_("Your declaration is recorded: %(name)s will not review or decide this proposal.", name=name),
              "success")
        return redirect(url_for("review_speaker.conflicts", slug=slug, proposal_id=proposal_id))
    return _page(event, proposal, form)


@bp.post("/events/<slug>/proposals/<int:proposal_id>/conflicts/<int:declaration_id>/withdraw")
@login_required
def withdraw(slug: str, proposal_id: int, declaration_id: int):
    request.form  # noqa: B018 - read the body first: an oversized one answers 413 before anything changes
    _event, proposal = _proposal(slug, proposal_id)
    person = services.withdraw_declaration(proposal, declaration_id, actor=_user(), now=clock())
    db.session.commit()
    flash(_("Your declaration of a conflict with %(name)s is withdrawn.", name=person.name), "success")
    return redirect(url_for("review_speaker.conflicts", slug=slug, proposal_id=proposal_id))
