"""Hostile values posted to every form: never a 5xx, nothing stored, the refusal shown in the site's layout.

The table ENDPOINTS names, for every POST rule of the app, how it is attacked; a new POST route without
an entry here fails `test_every_post_route_has_hostile_input_cases`.

Form fields are read from the form classes themselves, and each field gets the hostile values that fit
its type. Markup in *free-text* fields is legitimate content (a talk may be about "<script>"), so it is
not refused there; `test_markup_in_free_text_is_shown_escaped` checks that it is stored and shown
escaped instead. Every group of hostile posts ends with the same form posted with valid values, which
must be accepted: otherwise the refusals would prove nothing.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.fields import DateField, DateTimeLocalField, SelectFieldBase, TimeField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Regexp

from review_app.accounts import services as accounts
from review_app.accounts.forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from review_app.accounts.models import TokenPurpose, User
from review_app.audit.models import AuditEntry
from review_app.cfp import services as cfp
from review_app.cfp.forms import FieldGroup, InviteForm, ProposalForm
from review_app.cfp.models import Proposal, ProposalState
from review_app.db import Base, db
from review_app.events.forms import EventSettingsForm, NewEventForm, RoleForm, TravelTimeForm
from review_app.events.kinds import KINDS
from review_app.events.models import Event, EventRole, Role
from review_app.mail.models import OutboxMessage

from ..conftest import TEST_PASSWORD
from ..factories import DURING_CFP, login, make_event, make_proposal, make_user

LONG = "A" * 10_001  # one more than the longest field allows (descriptions: 10,000)
HUGE = "ä" * 1_000_000  # six bytes each once URL-encoded: far above MAX_CONTENT_LENGTH (1 MiB)
CONTROL = ["\x00", "bad\x1b[31mred", "evil\u202etxt.exe"]
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
WRONG_TYPE = ["abc", "99999999999999999999", "-1", "²"]  # "²" passes str.isdigit() but not int()
UNKNOWN = {"is_admin": "y", "state": "accepted", "event_id": "1", "id": "1", "x" * 300: "\x00"}
HUGE_ID = "99999999999999999999"
ERROR_MARKERS = ('class="field-errors"', 'class="form-error"', 'class="error-message"', "flash-error")


# -- helpers -----------------------------------------------------------------------------------------------


def row_counts(app) -> dict[str, int]:
    """Rows in every table of the schema. Only audit rows of sign-ins are left out: a refused sign-in (401) is
    itself an event the audit log keeps (`account.login_failed`); no other GET or refused POST may write."""
    with app.app_context():
        counts = {
            t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
        counts[AuditEntry.__tablename__] -= db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("account.login%")))
        db.session.remove()
    return counts


def assert_refused(response, label: str) -> None:
    body = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, f"{label}: answered {response.status_code}\n{body[:1500]}"
    assert '<main id="main"' in body, f"{label}: the refusal is not in the site's layout"
    assert any(marker in body for marker in ERROR_MARKERS), f"{label}: no error message shown\n{body[:3000]}"


def field_kind(f) -> str | None:
    """How a form field is attacked."""
    if f.name == "csrf_token" or isinstance(f, SubmitField | FieldGroup):  # a FieldGroup is no input
        return None
    if isinstance(f, BooleanField):
        return "bool"
    if isinstance(f, HiddenField):
        return "hidden"
    if isinstance(f, (SelectFieldBase, IntegerField, DateField, TimeField, DateTimeLocalField)):
        return "typed"
    if isinstance(f, (PasswordField, EmailField)) or any(
        isinstance(v, (Email, EqualTo, Regexp)) or inspect.isfunction(v) for v in f.validators
    ):
        return "constrained"  # markup is not a valid value here
    if isinstance(f, StringField):
        return "free"
    raise AssertionError(f"no hostile values defined for {type(f).__name__} {f.name}")


def refuses_missing(f) -> bool:
    """Missing is refused by InputRequired, or by DataRequired when there is no default to fall back to."""
    return any(isinstance(v, InputRequired) for v in f.validators) or (
        any(isinstance(v, DataRequired) for v in f.validators) and f.default in (None, "")
    )


def hostile_variants(
    fields: dict[str, object], valid: dict, other_ids: dict[str, list], keeps_missing: bool = False
) -> Iterator[tuple[str, dict]]:
    """(label, data) pairs: each differs from `valid` in one field, and each must be refused."""
    seen = set()
    for name, f in fields.items():
        kind = field_kind(f)
        if kind is None:
            continue
        seen.add(name)
        assert name in valid, f"the valid payload lacks the field {name!r}"
        values = {
            "bool": CONTROL,
            "free": [LONG, *CONTROL],
            "constrained": [LONG, *CONTROL, *MARKUP],
            # for a number, date or choice one piece of markup is one more wrong type
            "typed": [LONG, *CONTROL, MARKUP[1], *WRONG_TYPE, *[str(i) for i in other_ids.get(name, [])]],
            "hidden": [LONG, *CONTROL, MARKUP[1], *WRONG_TYPE],
        }[kind]
        for value in values:
            yield f"{name}={value[:25]!r}", {**valid, name: value}
        good = valid[name] if isinstance(valid[name], list) else [valid[name]]
        yield f"{name} duplicated, control character last", {**valid, name: [*good, "\x00"]}
        if refuses_missing(f) and not keeps_missing:
            yield f"{name} missing", {k: v for k, v in valid.items() if k != name}
            yield (
                f"{name} missing, unknown fields instead",
                {**{k: v for k, v in valid.items() if k != name}, **UNKNOWN},
            )
    assert seen, "no fields found"


@dataclass
class FormCase:
    """A form at `url`; `form` builds it (inside a request context) so that its fields can be read."""

    url: str
    form: Callable[[SimpleNamespace], object]
    valid: Callable[[SimpleNamespace], dict]
    other_ids: Callable[[SimpleNamespace], dict[str, list]] = lambda w: {}
    skip: tuple[str, ...] = ()  # fields the view does not read (explained where used)
    anonymous: bool = False
    accepted: tuple[int, ...] = (302,)
    # an edit form built with obj=...: a field left out of the post keeps the stored value (WTForms),
    # so "missing" is not hostile there
    keeps_missing: bool = False


@dataclass
class ActionCase:
    """A field-less action: hostile posts built from the world, each refused."""

    posts: Callable[[SimpleNamespace], list[tuple[str, str, dict]]]
    anonymous: bool = False
    extra: list = field(default_factory=list)


# -- the world every hostile test attacks ------------------------------------------------------------------


@pytest.fixture
def world(app, clock):
    """Event A managed by `actor` (also a site admin), event B of someone else, proposals in both."""
    clock.set(DURING_CFP)
    with app.app_context():
        actor = make_user(email="actor@example.org", admin=True)
        other = make_user(email="other@example.org")
        a = make_event(slug="event-a", committee=actor)
        b = make_event(slug="event-b", committee=other)
        draft = make_proposal(a, actor)
        submitted = make_proposal(a, actor, state=ProposalState.submitted, title="Submitted one")
        foreign = make_proposal(b, other, title="Foreign proposal")
        invitation = cfp.invite_co_speaker(draft, "guest@example.org", actor=actor, now=DURING_CFP)
        invitation_token = invitation.token
        foreign_invitation = cfp.invite_co_speaker(foreign, "guest@example.org", actor=other, now=DURING_CFP)
        db.session.flush()
        reset_token = accounts._issue_token(actor, TokenPurpose.reset_password, 7200, DURING_CFP)
        own_committee_role = db.session.scalar(
            select(EventRole.id).where(
                EventRole.event_id == a.id, EventRole.user_id == actor.id, EventRole.role == Role.committee
            )
        )
        foreign_role = db.session.scalar(select(EventRole.id).where(EventRole.event_id == b.id))
        message_a, message_b = (
            db.session.scalar(select(func.min(OutboxMessage.id)).where(OutboxMessage.event_id == ev.id))
            for ev in (a, b)
        )
        w = SimpleNamespace(
            actor_email=actor.email,
            actor_id=actor.id,
            other_email=other.email,
            a=a.id,
            b=b.id,
            draft=draft.id,
            submitted=submitted.id,
            foreign=foreign.id,
            draft_version=draft.version,
            invitation_token=invitation_token,
            invitation=invitation.id,
            foreign_invitation=foreign_invitation.id,
            reset_token=reset_token,
            own_committee_role=own_committee_role,
            foreign_role=foreign_role,
            message_a=message_a,  # a mail of event A, waiting to be sent (not failed)
            message_b=message_b,
            ids={
                ev.slug: {
                    "venues": [v.id for v in ev.venues],
                    "formats": [f.id for f in ev.formats],
                    "themes": [t.id for t in ev.themes],
                    "audiences": [x.id for x in ev.audiences],
                    "criteria": [c.id for c in ev.criteria],
                    "rooms": [r.id for v in ev.venues for r in v.rooms],
                }
                for ev in (a, b)
            },
        )
        db.session.commit()
    w.user = SimpleNamespace(email=w.actor_email)
    return w


def _event(w, slug="event-a") -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _proposal_valid(w, slug="event-a") -> dict:
    ids = w.ids[slug]
    data = {
        "title": "Open data in Bochum",
        "abstract": "Short.",
        "description": "Long *text*.",
        "format_id": str(ids["formats"][0]),
        "main_theme_id": str(ids["themes"][0]),
        "further_theme_ids": [str(ids["themes"][1])],
        "audience_ids": [str(ids["audiences"][0])],
        "language": "en",
        "project_organisation": "Stadt Bochum",
        "project_city": "Bochum",
        "project_partners": "none",
        "project_stage": "pilot",
        "project_results": "some",
        "project_transfer": "all",
        "notes_for_committee": "thanks",
    }
    for i in range(2):
        data.update({f"day{i}_available": "y", f"day{i}_from": "09:00", f"day{i}_to": "12:00"})
    return data


def _proposal_other_ids(w) -> dict:
    ids = w.ids["event-b"]
    return {
        "format_id": ids["formats"],
        "main_theme_id": ids["themes"],
        "further_theme_ids": ids["themes"],
        "audience_ids": ids["audiences"],
    }


EVENT_VALID = {
    "name": "Smart City Days",
    "motto_de": "Motto",
    "motto_en": "Motto",
    "description_de": "Text",
    "description_en": "Text",
    "colour": "#00527a",
    "starts_on": "2025-02-05",
    "ends_on": "2025-02-06",
    "timezone": "Europe/Berlin",
    "cfp_opens_at": "2024-09-01T10:00",
    "cfp_closes_at": "2024-12-01T23:59",
    "review_opens_at": "2024-12-02T00:00",
    "review_closes_at": "2025-01-01T00:00",
}
SETTINGS_VALID = {**EVENT_VALID, "changeover_minutes": "10", "carry_along": ""}

KIND_VALID: dict[str, Callable[[SimpleNamespace], dict]] = {
    "venues": lambda w: {"name": "Neue Halle", "address": "Straße 1", "description_de": "Groß",
                          "description_en": "Big", "audience_ids": [str(w.ids["event-a"]["audiences"][0])]},
    "rooms": lambda w: {
        "venue_id": str(w.ids["event-a"]["venues"][0]),
        "name": "Raum 2",
        "capacity": "30",
        "stands": "2",
        "format_ids": [str(w.ids["event-a"]["formats"][0])],
        **{
            k: v
            for i in range(2)
            for k, v in {f"day{i}_open": "y", f"day{i}_opens": "09:00", f"day{i}_closes": "17:00",
                         f"day{i}_break_from": "12:30", f"day{i}_break_to": "13:30"}.items()
        },
    },
    "themes": lambda w: {
        "name_de": "Mobilität",
        "name_en": "Mobility",
        "description_de": "x",
        "description_en": "x",
        "colour": "#123456",
        "position": "3",
    },
    "audiences": lambda w: {"name_de": "Wirtschaft", "name_en": "Business"},
    "formats": lambda w: {
        "name_de": "Podium",
        "name_en": "Panel",
        "description_de": "x",
        "description_en": "x",
        "default_minutes": "60",
        "expected_audience": "80",
        "venue_ids": [str(w.ids["event-a"]["venues"][0])],
    },
    "criteria": lambda w: {
        "name_de": "Neuheit",
        "name_en": "Novelty",
        "description_de": "x",
        "description_en": "x",
        "weight": "2",
        "scale_min": "1",
        "scale_max": "5",
        "position": "1",
    },
}

KIND_OTHER_IDS: dict[str, Callable[[SimpleNamespace], dict]] = {
    "venues": lambda w: {"audience_ids": w.ids["event-b"]["audiences"]},
    "rooms": lambda w: {"venue_id": w.ids["event-b"]["venues"], "format_ids": w.ids["event-b"]["formats"]},
    "formats": lambda w: {"venue_ids": w.ids["event-b"]["venues"]},
}


def _kind_form(kind_name):
    return lambda w: KINDS[kind_name].build_form(_event(w))


def _edit_item_cases() -> dict[str, FormCase]:
    cases = {}
    for name in KINDS:
        cases[f"new {name}"] = FormCase(
            f"/events/event-a/manage/{name}/new",
            _kind_form(name),
            KIND_VALID[name],
            KIND_OTHER_IDS.get(name, lambda w: {}),
        )
        cases[f"edit {name}"] = FormCase(
            "/events/event-a/manage/{kind}/{id}/edit".replace("{kind}", name),
            _kind_form(name),
            KIND_VALID[name],
            KIND_OTHER_IDS.get(name, lambda w: {}),
            keeps_missing=True,
        )
    return cases


def _delete_posts(kind_name: str, in_use: bool):
    def posts(w):
        mine, foreign = w.ids["event-a"][kind_name], w.ids["event-b"][kind_name]
        base = f"/events/event-a/manage/{kind_name}"
        result = [
            ("another event's item", f"{base}/{foreign[0]}/delete", UNKNOWN),
            ("an id beyond any integer column", f"{base}/{HUGE_ID}/delete", {}),
            ("a NUL in the event slug", f"/events/%00/manage/{kind_name}/{mine[0]}/delete", {}),
            (
                "another event's item, with a body above the size limit",
                f"{base}/{foreign[0]}/delete",
                {"x": HUGE},
            ),
        ]
        if in_use:
            result.append(("an item still in use", f"{base}/{mine[0]}/delete", UNKNOWN))
        return result

    return posts


# Which POST rule is attacked how. Rules with <kind_name> are expanded per kind.
FORM_CASES: dict[str, FormCase] = {
    "/register": FormCase(
        "/register",
        lambda w: RegisterForm(),
        lambda w: {
            "name": "Anna",
            "email": "anna@example.org",
            "password": "a good long password",
            "password_confirm": "a good long password",
            "organisation": "Stadt Bochum",
            "organisation_type": "city",
            "city": "Bochum",
            "language": "en",
            "privacy_consent": "y",
        },
        anonymous=True,
    ),
    "/login": FormCase(
        "/login",
        lambda w: LoginForm(),
        lambda w: {"email": w.actor_email, "password": "correct horse battery"},
        anonymous=True,
    ),
    "/confirm": FormCase(
        "/confirm", lambda w: EmailOnlyForm(), lambda w: {"email": "nobody@example.org"}, anonymous=True
    ),
    "/password/forgot": FormCase(
        "/password/forgot",
        lambda w: EmailOnlyForm(),
        lambda w: {"email": "nobody@example.org"},
        anonymous=True,
    ),
    "/password/reset/<token>": FormCase(
        "/password/reset/{reset_token}",
        lambda w: ResetPasswordForm(),
        lambda w: {"password": "a new long password", "password_confirm": "a new long password"},
        anonymous=True,
    ),
    "/profile": FormCase(
        "/profile",
        lambda w: ProfileForm(),
        lambda w: {
            "name": "Anna",
            "organisation": "Stadt",
            "organisation_type": "city",
            "city": "Herne",
            "bio": "Hi",
            "language": "de",
        },
        keeps_missing=True,
    ),
    "/profile/password": FormCase(
        "/profile/password",
        lambda w: ChangePasswordForm(),
        lambda w: {
            "current_password": "correct horse battery",
            "password": "another long password",
            "password_confirm": "another long password",
        },
    ),
    # `version` is read only when editing; on a new proposal it is as unknown as any other extra field
    "/events/<slug>/proposals/new": FormCase(
        "/events/event-a/proposals/new",
        lambda w: ProposalForm.for_event(_event(w)),
        _proposal_valid,
        _proposal_other_ids,
        skip=("version",),
    ),
    "/events/<slug>/proposals/<int:proposal_id>/edit": FormCase(
        "/events/event-a/proposals/{draft}/edit",
        lambda w: ProposalForm.for_event(_event(w)),
        lambda w: {**_proposal_valid(w), "version": str(w.draft_version)},
        _proposal_other_ids,
        keeps_missing=True,
    ),
    "/events/<slug>/proposals/<int:proposal_id>/invite": FormCase(
        "/events/event-a/proposals/{draft}/invite",
        lambda w: InviteForm(),
        lambda w: {"email": "co@example.org"},
    ),
    "/manage/events/new": FormCase(
        "/manage/events/new", lambda w: NewEventForm(), lambda w: {**EVENT_VALID, "slug": "new-event"}
    ),
    "/events/<slug>/manage/settings": FormCase(
        "/events/event-a/manage/settings",
        lambda w: EventSettingsForm(),
        lambda w: dict(SETTINGS_VALID),
        keeps_missing=True,
    ),
    "/events/<slug>/manage/travel-times": FormCase(
        "/events/event-a/manage/travel-times",
        lambda w: TravelTimeForm(),
        lambda w: {
            "venue_a_id": str(w.ids["event-a"]["venues"][0]),
            "venue_b_id": str(w.ids["event-a"]["venues"][1]),
            "minutes": "15",
        },
        lambda w: {"venue_a_id": w.ids["event-b"]["venues"], "venue_b_id": w.ids["event-b"]["venues"]},
    ),
    "/events/<slug>/manage/people": FormCase(
        "/events/event-a/manage/people",
        lambda w: RoleForm(),
        lambda w: {"email": w.other_email, "role": "reviewer"},
    ),
}
for _label, _case in _edit_item_cases().items():
    FORM_CASES[_label] = _case


def _proposal_action(action: str, wrong_state_attr: str):
    def posts(w):
        return [
            ("wrong state", f"/events/event-a/proposals/{getattr(w, wrong_state_attr)}/{action}", UNKNOWN),
            ("another event's proposal", f"/events/event-a/proposals/{w.foreign}/{action}", {}),
            ("a proposal under the wrong event", f"/events/event-b/proposals/{w.draft}/{action}", {}),
            ("an id beyond any integer column", f"/events/event-a/proposals/{HUGE_ID}/{action}", {}),
            ("an event slug with a NUL", f"/events/%00/proposals/{w.draft}/{action}", {}),
            ("an overlong event slug", f"/events/{LONG}/proposals/{w.draft}/{action}", {}),
            (
                "a body above the size limit",
                f"/events/event-a/proposals/{getattr(w, wrong_state_attr)}/{action}",
                {"x": HUGE},
            ),
        ]

    return posts


def _my_invitation_action(action: str):
    def posts(w):
        return [
            ("an invitation addressed to someone else", f"/dashboard/invitations/{w.invitation}/{action}", UNKNOWN),
            ("another event's invitation", f"/dashboard/invitations/{w.foreign_invitation}/{action}", {}),
            ("an id beyond any integer column", f"/dashboard/invitations/{HUGE_ID}/{action}", {}),
            ("a body above the size limit", f"/dashboard/invitations/{w.invitation}/{action}", {"x": HUGE}),
        ]

    return posts


ACTION_CASES: dict[str, ActionCase] = {
    "/events/<slug>/proposals/<int:proposal_id>/submit": ActionCase(_proposal_action("submit", "submitted")),
    "/events/<slug>/proposals/<int:proposal_id>/delete": ActionCase(_proposal_action("delete", "submitted")),
    "/invitations/<token>/decline": ActionCase(
        lambda w: [
            ("an unknown token", "/invitations/not-a-token/decline", UNKNOWN),
            ("a NUL in the token", "/invitations/%00/decline", {}),
            ("an overlong token", f"/invitations/{LONG}/decline", {}),
            ("an invitation addressed to someone else", f"/invitations/{w.invitation_token}/decline", UNKNOWN),
            ("a body above the size limit", f"/invitations/{w.invitation_token}/decline", {"x": HUGE}),
        ]
    ),
    "/dashboard/invitations/<int:invitation_id>/accept": ActionCase(_my_invitation_action("accept")),
    "/dashboard/invitations/<int:invitation_id>/decline": ActionCase(_my_invitation_action("decline")),
    "/events/<slug>/proposals/<int:proposal_id>/withdraw": ActionCase(_proposal_action("withdraw", "draft")),
    "/events/<slug>/proposals/<int:proposal_id>/confirm": ActionCase(_proposal_action("confirm", "draft")),
    "/events/<slug>/proposals/<int:proposal_id>/decline": ActionCase(_proposal_action("decline", "draft")),
    "/invitations/<token>": ActionCase(
        lambda w: [
            ("an unknown token", "/invitations/not-a-token", UNKNOWN),
            ("a NUL in the token", "/invitations/%00", {}),
            ("an overlong token", f"/invitations/{LONG}", {}),
            ("an invitation addressed to someone else", f"/invitations/{w.invitation_token}", UNKNOWN),
            ("a body above the size limit", f"/invitations/{w.invitation_token}", {"x": HUGE}),
        ]
    ),
    "/events/<slug>/manage/people/<int:role_id>/remove": ActionCase(
        lambda w: [
            (
                "removing oneself from the committee",
                f"/events/event-a/manage/people/{w.own_committee_role}/remove",
                UNKNOWN,
            ),
            ("another event's role", f"/events/event-a/manage/people/{w.foreign_role}/remove", {}),
            ("an id beyond any integer column", f"/events/event-a/manage/people/{HUGE_ID}/remove", {}),
            ("an unknown event", f"/events/no-such-event/manage/people/{w.foreign_role}/remove", {}),
        ]
    ),
    "/events/<slug>/proposals/<int:proposal_id>/invitations/<int:invitation_id>/cancel": ActionCase(
        lambda w: [
            ("another proposal's invitation",
             f"/events/event-a/proposals/{w.draft}/invitations/{w.foreign_invitation}/cancel", UNKNOWN),
            ("an invitation of another event's proposal",
             f"/events/event-a/proposals/{w.foreign}/invitations/{w.foreign_invitation}/cancel", {}),
            ("an id beyond any integer column",
             f"/events/event-a/proposals/{w.draft}/invitations/{HUGE_ID}/cancel", {}),
            ("a body above the size limit",
             f"/events/event-a/proposals/{w.draft}/invitations/{w.invitation}/cancel", {"x": HUGE}),
        ]
    ),
    # the language switch and logout are attacked in tests of their own below
}
# the committee's reviewing pages (review_app/review/committee_views.py); the actor manages event A and, as a
# site admin, event B, but reviews nowhere
_REVIEWING = "/events/event-a/manage"
ACTION_CASES.update({
    "/events/<slug>/manage/reviewers": ActionCase(lambda w: [
        (f"email={bad[:20]!r}", f"{_REVIEWING}/reviewers", {"email": bad, "language": "de"})
        for bad in [LONG, *CONTROL, *MARKUP, ""]] + [
        ("a language not offered", f"{_REVIEWING}/reviewers", {"email": "new@elsewhere.org", "language": "fr"}),
        ("an unknown event", "/events/no-such-event/manage/reviewers", {"email": "new@elsewhere.org"}),
        ("a body above the size limit", f"{_REVIEWING}/reviewers", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/reviewers/<int:user_id>": ActionCase(lambda w: [
        ("a person who is no reviewer", f"{_REVIEWING}/reviewers/{w.actor_id}", {"max_load": "3"}),
        ("an id beyond any integer column", f"{_REVIEWING}/reviewers/{HUGE_ID}", {}),
    ]),
    "/reviewer-invitations/<token>": ActionCase(lambda w: [
        ("an unknown token", "/reviewer-invitations/not-a-token", UNKNOWN),
        ("a NUL in the token", "/reviewer-invitations/%00", {}),
        ("an overlong token", f"/reviewer-invitations/{LONG}", {}),
    ]),
    "/events/<slug>/review/preferences": ActionCase(lambda w: [
        ("not a reviewer", "/events/event-a/review/preferences", {"languages": "de", f"bid-{w.submitted}": "eager"}),
        ("an unknown event", "/events/no-such-event/review/preferences", {}),
    ]),
    "/events/<slug>/manage/conflicts/override": ActionCase(lambda w: [
        ("no reason", f"{_REVIEWING}/conflicts/override", {"user_id": w.actor_id, "proposal_id": w.submitted}),
        ("a reason of control characters", f"{_REVIEWING}/conflicts/override",
         {"user_id": w.actor_id, "proposal_id": w.submitted, "reason": CONTROL[1]}),
        ("an overlong reason", f"{_REVIEWING}/conflicts/override",
         {"user_id": w.actor_id, "proposal_id": w.submitted, "reason": LONG}),
        ("ids of the wrong type", f"{_REVIEWING}/conflicts/override",
         {"user_id": "abc", "proposal_id": HUGE_ID, "reason": "ok"}),
        ("a pair without conflict", f"{_REVIEWING}/conflicts/override",
         {"user_id": w.actor_id, "proposal_id": w.foreign, "reason": "ok"}),
        ("a body above the size limit", f"{_REVIEWING}/conflicts/override", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/conflicts/aliases": ActionCase(lambda w: [
        (f"name={bad[:20]!r}", f"{_REVIEWING}/conflicts/aliases", {"name_a": "Stadt Herne", "name_b": bad})
        for bad in [LONG, *CONTROL, ""]] + [
        ("the same spelling twice", f"{_REVIEWING}/conflicts/aliases", {"name_a": "A GmbH", "name_b": "a gmbh"}),
        ("a body above the size limit", f"{_REVIEWING}/conflicts/aliases", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/conflicts/overrides/<int:override_id>/delete": ActionCase(lambda w: [
        ("an unknown override", f"{_REVIEWING}/conflicts/overrides/1/delete", UNKNOWN),
        ("an id beyond any integer column", f"{_REVIEWING}/conflicts/overrides/{HUGE_ID}/delete", {}),
        ("an unknown event", "/events/no-such-event/manage/conflicts/overrides/1/delete", {}),
        ("a body above the size limit", f"{_REVIEWING}/conflicts/overrides/1/delete", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/conflicts/aliases/<int:alias_id>/delete": ActionCase(lambda w: [
        ("an unknown alias", f"{_REVIEWING}/conflicts/aliases/1/delete", UNKNOWN),
        ("an id beyond any integer column", f"{_REVIEWING}/conflicts/aliases/{HUGE_ID}/delete", {}),
        ("a body above the size limit", f"{_REVIEWING}/conflicts/aliases/1/delete", {"x": HUGE}),
    ]),
    "/events/<slug>/review/preferences/declarations/<int:declaration_id>/withdraw": ActionCase(lambda w: [
        ("not a reviewer", "/events/event-a/review/preferences/declarations/1/withdraw", UNKNOWN),
        ("an id beyond any integer column", f"/events/event-a/review/preferences/declarations/{HUGE_ID}/withdraw",
         {}),
        ("a body above the size limit", "/events/event-a/review/preferences/declarations/1/withdraw", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/assignments/automatic": ActionCase(lambda w: [
        ("an unknown event", "/events/no-such-event/manage/assignments/automatic", UNKNOWN),
        ("a NUL in the event slug", "/events/%00/manage/assignments/automatic", {}),
        ("a body above the size limit", f"{_REVIEWING}/assignments/automatic", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/assignments/<int:proposal_id>/add": ActionCase(lambda w: [
        ("a proposal not under review", f"{_REVIEWING}/assignments/{w.submitted}/add", {"reviewer_id": w.actor_id}),
        ("a draft", f"{_REVIEWING}/assignments/{w.draft}/add", {"reviewer_id": w.actor_id}),
        ("another event's proposal", f"{_REVIEWING}/assignments/{w.foreign}/add", {"reviewer_id": w.actor_id}),
        ("a reviewer id of the wrong type", f"{_REVIEWING}/assignments/{w.submitted}/add", {"reviewer_id": "abc"}),
        ("an id beyond any integer column", f"{_REVIEWING}/assignments/{HUGE_ID}/add", {}),
    ]),
    "/events/<slug>/manage/assignments/<int:proposal_id>/remove/<int:assignment_id>": ActionCase(lambda w: [
        ("an unknown assignment", f"{_REVIEWING}/assignments/{w.submitted}/remove/1", {}),
        ("another event's proposal", f"{_REVIEWING}/assignments/{w.foreign}/remove/1", {}),
        ("an id beyond any integer column", f"{_REVIEWING}/assignments/{w.submitted}/remove/{HUGE_ID}", {}),
    ]),
    # the review form (review_app/review/views.py); an assigned reviewer's bad scores: tests/web/test_reviews.py
    "/events/<slug>/reviews/<int:proposal_id>": ActionCase(lambda w: [
        ("not a reviewer", f"/events/event-a/reviews/{w.submitted}", {"action": "submit", "recommendation": "x"}),
        ("a draft", f"/events/event-a/reviews/{w.draft}", {"action": "draft"}),
        ("an unknown event", "/events/no-such-event/reviews/1", {}),
        ("an id beyond any integer column", f"/events/event-a/reviews/{HUGE_ID}", {}),
        ("a body above the size limit", f"/events/event-a/reviews/{w.submitted}", {"x": HUGE}),
    ]),
    # a speaker declares a conflict of interest (review_app/review/speaker_views.py); the actor speaks for `submitted`
    # and reviews nowhere, so no one can be named; the flow itself: tests/web/test_speaker_conflicts.py
    "/events/<slug>/proposals/<int:proposal_id>/conflicts": ActionCase(lambda w: [
        (f"reason={bad[:20]!r}", f"/events/event-a/proposals/{w.submitted}/conflicts",
         {"user_id": w.actor_id, "reason": bad}) for bad in [LONG, *CONTROL, ""]] + [
        ("a speaker of the proposal named", f"/events/event-a/proposals/{w.submitted}/conflicts",
         {"user_id": w.actor_id, "reason": "ok"}),
        ("a person id of the wrong type", f"/events/event-a/proposals/{w.submitted}/conflicts",
         {"user_id": "abc", "reason": "ok"}),
        ("another event's proposal", f"/events/event-a/proposals/{w.foreign}/conflicts",
         {"user_id": w.actor_id, "reason": "ok"}),
        ("an id beyond any integer column", f"/events/event-a/proposals/{HUGE_ID}/conflicts", {}),
        ("a body above the size limit", f"/events/event-a/proposals/{w.submitted}/conflicts", {"x": HUGE}),
    ]),
    "/events/<slug>/proposals/<int:proposal_id>/conflicts/<int:declaration_id>/withdraw": ActionCase(lambda w: [
        ("an unknown declaration", f"/events/event-a/proposals/{w.submitted}/conflicts/1/withdraw", UNKNOWN),
        ("another event's proposal", f"/events/event-a/proposals/{w.foreign}/conflicts/1/withdraw", {}),
        ("an id beyond any integer column",
         f"/events/event-a/proposals/{w.submitted}/conflicts/{HUGE_ID}/withdraw", {}),
        ("a body above the size limit", f"/events/event-a/proposals/{w.submitted}/conflicts/1/withdraw", {"x": HUGE}),
    ]),
})
# the schedule (review_app/schedule/): the world has no confirmed session, so every placement is refused; the
# placing itself, its checks and its refusals of valid-looking input: tests/web/test_schedule_editor.py
_SCHEDULE = "/events/event-a/manage/schedule"


def _schedule_posts(path: str):
    def posts(w):
        room = str(w.ids["event-a"]["rooms"][0])
        foreign_room = str(w.ids["event-b"]["rooms"][0])
        return [
            ("a session that is not confirmed", f"{_SCHEDULE}/{path}",
             {"proposal_id": w.submitted, "room_id": room, "start": "2025-02-05T10:00", "version": "0"}),
            ("another event's session", f"{_SCHEDULE}/{path}",
             {"proposal_id": w.foreign, "room_id": room, "start": "2025-02-05T10:00", "version": "0"}),
            ("another event's room", f"{_SCHEDULE}/{path}",
             {"proposal_id": w.submitted, "room_id": foreign_room, "start": "2025-02-05T10:00"}),
            ("ids of the wrong type", f"{_SCHEDULE}/{path}", {"proposal_id": "abc", "room_id": "<b>"}),
            ("ids beyond any integer column", f"{_SCHEDULE}/{path}", {"proposal_id": HUGE_ID, "room_id": HUGE_ID}),
            ("a start that is no time", f"{_SCHEDULE}/{path}",
             {"proposal_id": w.submitted, "room_id": room, "start": "\x00<script>", "version": LONG}),
            ("nothing at all", f"{_SCHEDULE}/{path}", UNKNOWN),
            ("an unknown event", f"/events/no-such-event/manage/schedule/{path}", {}),
            ("a body above the size limit", f"{_SCHEDULE}/{path}", {"x": HUGE}),
        ]
    return posts


ACTION_CASES.update({
    "/events/<slug>/manage/schedule/place": ActionCase(_schedule_posts("place")),
    "/events/<slug>/manage/schedule/unplace": ActionCase(_schedule_posts("unplace")),
    "/events/<slug>/manage/schedule/pin": ActionCase(_schedule_posts("pin")),
    "/events/<slug>/manage/schedule/sessions": ActionCase(lambda w: [
        ("a session that is not confirmed", f"{_SCHEDULE}/sessions", {"proposal_id": w.submitted, "minutes": "30"}),
        ("another event's session", f"{_SCHEDULE}/sessions", {"proposal_id": w.foreign, "minutes": "30"}),
        ("an id of the wrong type", f"{_SCHEDULE}/sessions", {"proposal_id": "abc"}),
        ("an id beyond any integer column", f"{_SCHEDULE}/sessions", {"proposal_id": HUGE_ID}),
        ("a length that is no number", f"{_SCHEDULE}/sessions", {"proposal_id": w.submitted, "minutes": LONG}),
        ("a body above the size limit", f"{_SCHEDULE}/sessions", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/schedule/automatic": ActionCase(lambda w: [
        ("an unknown event", "/events/no-such-event/manage/schedule/automatic", UNKNOWN),
        ("a body above the size limit", f"{_SCHEDULE}/automatic", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/schedule/release": ActionCase(lambda w: [
        # nothing is placed: there is nothing to release, whatever the comment
        (f"comment={bad[:20]!r}", f"{_SCHEDULE}/release", {"comment": bad}) for bad in [LONG, *CONTROL, *MARKUP]] + [
        ("nothing placed", f"{_SCHEDULE}/release", {"comment": "v1", "despite_conflicts": "y"}),
        ("a body above the size limit", f"{_SCHEDULE}/release", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/schedule/settings": ActionCase(lambda w: [
        (f"weight={bad[:20]!r}", f"{_SCHEDULE}/settings", {"theme_spread": bad, "time_limit": "20"})
        for bad in [LONG, *CONTROL, "-1", "101", "1e9", ""]] + [
        ("a time limit too long", f"{_SCHEDULE}/settings", {"time_limit": "100000"}),
        ("a body above the size limit", f"{_SCHEDULE}/settings", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/schedule/blocks": ActionCase(lambda w: [
        (f"title={bad[:20]!r}", f"{_SCHEDULE}/blocks",
         {"kind": "lunch", "title_de": bad, "starts_at": "2025-02-05T12:00", "ends_at": "2025-02-05T13:00"})
        for bad in [LONG, ""]] + [
        ("an unknown kind", f"{_SCHEDULE}/blocks",
         {"kind": "party", "title_de": "x", "starts_at": "2025-02-05T12:00", "ends_at": "2025-02-05T13:00"}),
        ("outside the event days", f"{_SCHEDULE}/blocks",
         {"kind": "lunch", "title_de": "x", "starts_at": "2026-02-05T12:00", "ends_at": "2026-02-05T13:00"}),
        ("ending before it starts", f"{_SCHEDULE}/blocks",
         {"kind": "lunch", "title_de": "x", "starts_at": "2025-02-05T13:00", "ends_at": "2025-02-05T12:00"}),
        ("another event's room", f"{_SCHEDULE}/blocks",
         {"kind": "lunch", "title_de": "x", "starts_at": "2025-02-05T12:00", "ends_at": "2025-02-05T13:00",
          "room_ids": [str(w.ids["event-b"]["rooms"][0])]}),
        ("another event's venue", f"{_SCHEDULE}/blocks",
         {"kind": "lunch", "title_de": "x", "starts_at": "2025-02-05T12:00", "ends_at": "2025-02-05T13:00",
          "venue_id": str(w.ids["event-b"]["venues"][0])}),
        ("times that are no times", f"{_SCHEDULE}/blocks",
         {"kind": "lunch", "title_de": "x", "starts_at": "\x00", "ends_at": LONG}),
        ("a body above the size limit", f"{_SCHEDULE}/blocks", {"x": HUGE}),
    ]),
    "/events/<slug>/manage/schedule/blocks/<int:block_id>": ActionCase(lambda w: [
        ("an unknown block", f"{_SCHEDULE}/blocks/1", UNKNOWN),
        ("an id beyond any integer column", f"{_SCHEDULE}/blocks/{HUGE_ID}", {}),
    ]),
    "/events/<slug>/manage/schedule/blocks/<int:block_id>/delete": ActionCase(lambda w: [
        ("an unknown block", f"{_SCHEDULE}/blocks/1/delete", UNKNOWN),
        ("an id beyond any integer column", f"{_SCHEDULE}/blocks/{HUGE_ID}/delete", {}),
        ("a body above the size limit", f"{_SCHEDULE}/blocks/1/delete", {"x": HUGE}),
    ]),
    # a confirmed session is called off with a reason; the world has none confirmed (the flow:
    # tests/web/test_schedule_editor.py)
    "/events/<slug>/proposals/<int:proposal_id>/cancel": ActionCase(lambda w: [
        ("a proposal that is not confirmed", f"/events/event-a/proposals/{w.submitted}/cancel", {"reason": "ill"}),
        ("another event's proposal", f"/events/event-a/proposals/{w.foreign}/cancel", {"reason": "ill"}),
        ("no reason", f"/events/event-a/proposals/{w.submitted}/cancel", UNKNOWN),
        ("an id beyond any integer column", f"/events/event-a/proposals/{HUGE_ID}/cancel", {}),
        ("a body above the size limit", f"/events/event-a/proposals/{w.submitted}/cancel", {"x": HUGE}),
    ]),
})

# accounts, the outbox and personal data (issue 9): the actor is the only site admin, with no other login. The
# resend routes read no body (in production CSRFProtect reads it first and answers 413): no size-limit case there
ACTION_CASES.update({
    "/account/sessions/<int:session_id>/end": ActionCase(lambda w: [
        ("an unknown session", "/account/sessions/999999/end", UNKNOWN),
        ("an id beyond any integer column", f"/account/sessions/{HUGE_ID}/end", {}),
        ("a body above the size limit", "/account/sessions/1/end", {"x": HUGE}),
    ]),
    "/account/sessions/end-others": ActionCase(lambda w: [
        ("a body above the size limit", "/account/sessions/end-others", {"x": HUGE}),
    ]),
    "/admin/people/<int:user_id>/deactivate": ActionCase(lambda w: [
        ("the admin's own account", f"/admin/people/{w.actor_id}/deactivate", UNKNOWN),
        ("an unknown person", "/admin/people/999999/deactivate", {}),
        ("an id beyond any integer column", f"/admin/people/{HUGE_ID}/deactivate", {}),
        ("a body above the size limit", f"/admin/people/{w.actor_id}/deactivate", {"x": HUGE}),
    ]),
    "/admin/people/<int:user_id>/reactivate": ActionCase(lambda w: [
        ("an account that is active", f"/admin/people/{w.actor_id}/reactivate", UNKNOWN),
        ("an unknown person", "/admin/people/999999/reactivate", {}),
        ("an id beyond any integer column", f"/admin/people/{HUGE_ID}/reactivate", {}),
    ]),
    "/admin/outbox/<int:message_id>/resend": ActionCase(lambda w: [
        ("a mail that has not failed", f"/admin/outbox/{w.message_a}/resend", UNKNOWN),
        ("an unknown mail", "/admin/outbox/999999/resend", {}),
        ("an id beyond any integer column", f"/admin/outbox/{HUGE_ID}/resend", {}),
    ]),
    "/events/<slug>/manage/outbox/<int:message_id>/resend": ActionCase(lambda w: [
        ("a mail that has not failed", f"/events/event-a/manage/outbox/{w.message_a}/resend", UNKNOWN),
        ("another event's mail", f"/events/event-a/manage/outbox/{w.message_b}/resend", {}),
        ("an id beyond any integer column", f"/events/event-a/manage/outbox/{HUGE_ID}/resend", {}),
        ("an unknown event", f"/events/no-such-event/manage/outbox/{w.message_a}/resend", {}),
    ]),
    "/profile/data": ActionCase(lambda w: [
        ("a body above the size limit", "/profile/data", {"x": HUGE}),
    ]),
    # the last site admin cannot delete their account (409), whatever the form says; a speaker's deletion with a
    # wrong password or without the tick: tests/web/test_privacy.py
    "/profile/delete": ActionCase(lambda w: [
        ("the last site admin", "/profile/delete", {"password": TEST_PASSWORD, "understood": "y"}),
        ("a wrong password", "/profile/delete", {"password": "wrong password", "understood": "y"}),
        ("a password of control characters", "/profile/delete", {"password": "\x00\x1b", "understood": "y"}),
        ("no tick", "/profile/delete", {"password": TEST_PASSWORD, **UNKNOWN}),
        ("a body above the size limit", "/profile/delete", {"x": HUGE}),
    ]),
})


# a format, theme or audience a proposal uses cannot go (409); a venue can, and takes its rooms with it
# (ON DELETE CASCADE, by design)
for _name in KINDS:
    ACTION_CASES[f"delete {_name}"] = ActionCase(
        _delete_posts(_name, in_use=_name in ("formats", "themes", "audiences")))
OWN_TESTS = {
    "/language": "test_language_switch_refuses_hostile_values",
    "/logout": "test_logout_ignores_hostile_fields_and_ends_only_its_own_session",
    # tests/web/test_decisions.py
    "/events/<slug>/manage/ranking/decide": "test_hostile_input_answers_4xx_and_saves_nothing",
    "/events/<slug>/manage/ranking/release": "test_hostile_input_answers_4xx_and_saves_nothing",
    "/events/<slug>/manage/ranking/start-review": "test_the_review_starts_for_every_submitted_proposal_after_the_call",
}


def rule_of(label: str) -> str:
    """The URL rule a FORM_CASES or ACTION_CASES label attacks (the per-kind labels share one rule each)."""
    if label.startswith(("new ", "edit ", "delete ")):
        return {
            "new": "/events/<slug>/manage/<kind_name>/new",
            "edit": "/events/<slug>/manage/<kind_name>/<int:item_id>/edit",
            "delete": "/events/<slug>/manage/<kind_name>/<int:item_id>/delete",
        }[label.split()[0]]
    return label


def _covered_rules() -> set[str]:
    return {rule_of(label) for label in [*FORM_CASES, *ACTION_CASES]} | set(OWN_TESTS)


def test_every_post_route_has_hostile_input_cases(app):
    post_rules = {rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert post_rules == _covered_rules()
    for verb in ("new", "edit", "delete"):
        assert {
            label.split()[1] for label in [*FORM_CASES, *ACTION_CASES] if label.startswith(verb + " ")
        } == set(KINDS), f"not every configuration kind has hostile {verb} cases"


def _client(app, w, anonymous: bool):
    client = app.test_client()
    if not anonymous:
        login(client, w.user)
    return client


@pytest.mark.parametrize("label", list(FORM_CASES))
def test_hostile_values_in_every_form_field_are_refused(app, world, label):
    case = FORM_CASES[label]
    w = world
    client = _client(app, w, case.anonymous)
    kind_name = label.split()[1] if label.startswith("edit ") else None
    url = case.url.replace("{id}", str(w.ids["event-a"][kind_name][0]) if kind_name else "").format(**vars(w))
    with app.test_request_context("/", method="POST"):
        fields = {name: f for name, f in case.form(w)._fields.items() if name not in case.skip}
        valid = case.valid(w)
        other_ids = case.other_ids(w)
    before = row_counts(app)
    posts = 0
    for variant, data in hostile_variants(fields, valid, other_ids, case.keeps_missing):
        assert_refused(client.post(url, data=data), f"{label}: {variant}")
        posts += 1
    first = next(name for name, f in fields.items() if field_kind(f))
    assert_refused(response := client.post(url, data={**valid, first: HUGE}), f"{label}: 1,000,000 chars")
    assert response.status_code == 413
    if kind_name is not None:
        foreign = w.ids["event-b"][kind_name][0]
        for variant, bad_url in [
            ("another event's item", url.replace(f"/{w.ids['event-a'][kind_name][0]}/", f"/{foreign}/")),
            (
                "an id beyond any integer column",
                url.replace(f"/{w.ids['event-a'][kind_name][0]}/", f"/{HUGE_ID}/"),
            ),
        ]:
            response = client.post(bad_url, data=valid)
            assert_refused(response, f"{label}: {variant}")
            assert response.status_code == 404
    if "proposals/" in url and "/new" not in url:
        for variant, bad_url in [
            ("another event's proposal", url.replace(f"/{w.draft}/", f"/{w.foreign}/")),
            ("an id beyond any integer column", url.replace(f"/{w.draft}/", f"/{HUGE_ID}/")),
        ]:
            response = client.post(bad_url, data=valid)
            assert_refused(response, f"{label}: {variant}")
            assert response.status_code == 404
    if "/events/event-a/" in url:
        assert_refused(
            client.post(url.replace("event-a", "%00"), data=valid), f"{label}: NUL in the event slug"
        )
        assert_refused(client.post(url.replace("event-a", LONG), data=valid), f"{label}: overlong event slug")
    assert row_counts(app) == before, f"{label}: a refused post stored something"
    assert posts > 5
    # the control: the same form with valid values is accepted, so every refusal above was the hostile value's
    response = client.post(url, data=valid)
    assert response.status_code in case.accepted, (
        f"{label}: valid data refused\n{response.get_data(as_text=True)}"
    )


@pytest.mark.parametrize("label", list(ACTION_CASES))
def test_hostile_posts_to_every_action_are_refused(app, world, label):
    case = ACTION_CASES[label]
    client = _client(app, world, case.anonymous)
    before = row_counts(app)
    posts = case.posts(world)
    for variant, url, data in posts:
        response = client.post(url, data=data)
        assert_refused(response, f"{label}: {variant}")
        if variant == "a body above the size limit":
            assert response.status_code == 413
    assert row_counts(app) == before, f"{label}: a refused post stored something"


def test_language_switch_refuses_hostile_values(app, world):
    client = app.test_client()
    before = row_counts(app)
    for value in [LONG, *CONTROL, *MARKUP, *WRONG_TYPE, "fr", ""]:
        assert_refused(client.post("/language", data={"lang": value, "next": "/"}), f"lang={value[:20]!r}")
    assert_refused(client.post("/language", data={"next": "/"}), "lang missing")
    assert_refused(client.post("/language", data={"lang": ["\x00", "en"], "next": "/"}), "lang duplicated")
    # a hostile `next` is never followed: the answer goes to the start page
    for target in [
        "//evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x=1",
        "/\x00",
        "\\\\evil.example",
        LONG,
        "/%0d%0aX-Injected: 1",
    ]:
        response = client.post("/language", data={"lang": "en", "next": target})
        assert response.status_code == 302, (target[:30], response.status_code)
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//"), location
        assert "\r" not in location and "\n" not in location and "evil" not in location
    assert_refused(client.post("/language", data={"lang": "en", "next": HUGE}), "1,000,000 chars")
    assert row_counts(app) == before
    # nothing hostile has changed the language: the last valid switch chose English
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_login_never_follows_a_hostile_next(app, world):
    for target in [
        "//evil.example/",
        "https://evil.example/",
        "/\r\nSet-Cookie: x=1",
        "/%0d%0aX-Injected:%201",
        "/\x00x",
    ]:
        client = app.test_client()
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": world.actor_email, "password": "correct horse battery"},
        )
        assert response.status_code == 302, (target, response.status_code)
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//") and "evil" not in location, location
        assert "\r" not in location and "\n" not in location and "\x00" not in location


def test_logout_ignores_hostile_fields_and_ends_only_its_own_session(app, world):
    client = _client(app, world, anonymous=False)
    before = row_counts(app)
    response = client.post("/logout", data={**UNKNOWN, "user_id": str(world.actor_id), "x": LONG})
    assert response.status_code == 302
    after = row_counts(app)
    assert after.pop("login_session") == before.pop("login_session") - 1
    assert after == before


def test_invalid_utf8_never_reaches_the_database_as_a_lone_surrogate(app, world):
    """A lone surrogate cannot be encoded as UTF-8; its byte form (and other invalid bytes) arrive instead."""
    client = app.test_client()
    base = (
        "email=new%40example.org&password=a+good+long+password&password_confirm=a+good+long+password"
        "&organisation=Stadt&organisation_type=city&city=Bochum&language=de&privacy_consent=y&name="
    )
    for i, raw in enumerate((b"%ED%A0%80Anna", b"%FF%FEAnna", b"Anna%C3")):
        body = base.replace("new%40", f"new{i}%40").encode() + raw
        response = client.post("/register", data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500
    with app.app_context():
        for name in db.session.scalars(select(User.name)):
            assert not re.search(r"[\ud800-\udfff]", name)
            name.encode("utf-8")


def test_unknown_fields_are_never_assigned(app, world):
    """Mass assignment: extra fields on a valid post change nothing they name."""
    client = _client(app, world, anonymous=False)
    response = client.post(
        "/events/event-a/proposals/new",
        data={
            **_proposal_valid(world),
            "state": "accepted",
            "event_id": str(world.b),
            "id": str(world.foreign),
            "submitted_at": "2024-01-01",
            "speakers": str(world.actor_id + 1),
            "version": "77",
        },
    )
    assert response.status_code == 302
    anonymous = app.test_client()
    response = anonymous.post(
        "/register",
        data={
            "name": "Mallory",
            "email": "mallory@example.org",
            "password": "a good long password",
            "password_confirm": "a good long password",
            "organisation": "X",
            "organisation_type": "city",
            "city": "Y",
            "language": "de",
            "privacy_consent": "y",
            "is_admin": "y",
            "email_confirmed_at": "2024-01-01",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/profile",
        data={
            "name": "Actor",
            "organisation": "Stadt",
            "organisation_type": "city",
            "city": "Herne",
            "bio": "",
            "language": "de",
            "email": "stolen@example.org",
            "is_admin": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        newest = db.session.scalar(select(Proposal).order_by(Proposal.id.desc()))
        assert (newest.state, newest.event_id, newest.version) == (ProposalState.draft, world.a, 1)
        assert newest.id != world.foreign
        assert [s.user_id for s in newest.speakers] == [world.actor_id]
        mallory = db.session.scalar(select(User).where(User.email == "mallory@example.org"))
        assert not mallory.is_admin and mallory.email_confirmed_at is None
        actor = db.session.get(User, world.actor_id)
        assert actor.email == world.actor_email and actor.is_admin


# -- markup that is legitimate content is shown escaped --------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ACTIVE_TAGS = {
    "script",
    "img",
    "iframe",
    "object",
    "embed",
    "frame",
    "base",
    "style",
}  # <svg> swatches are ours


class ActiveMarkup(HTMLParser):
    """Collects what a browser would act on: active tags, on* handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and re.match(
                r"\s*(javascript|data|vbscript):", value or "", re.IGNORECASE
            ):
                self.found.append(f"<{tag} {name}={value!r}>")


HOSTILE_MARKDOWN = "\n\n".join(
    [
        "## Heading",
        SCRIPT,
        IMG,
        "[click](javascript:alert(1))",
        "![x](javascript:alert(1))",
        '<a href="javascript:alert(1)" onclick="alert(1)">raw link</a>',
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        "<iframe src=https://evil.example></iframe>",
        "<svg onload=alert(1)>",
        "[ok](https://example.org)",
        "*emphasis* and `code`",
    ]
)


def assert_no_active_markup(body: str, where: str) -> None:
    parser = ActiveMarkup()
    parser.feed(body)
    parser.close()
    assert parser.found == [], f"{where}: {parser.found}"


def test_markup_in_free_text_is_shown_escaped(app, world):
    client = _client(app, world, anonymous=False)
    text_fields = [
        "title",
        "abstract",
        "project_organisation",
        "project_city",
        "project_partners",
        "project_results",
        "project_transfer",
        "notes_for_committee",
    ]
    data = {
        **_proposal_valid(world),
        **{name: f"{SCRIPT} {IMG} {name}" for name in text_fields},
        "description": HOSTILE_MARKDOWN,
    }
    data["title"] = data["title"][:200]
    response = client.post("/events/event-a/proposals/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert (
        client.post(
            "/profile",
            data={
                "name": f"{SCRIPT}{IMG}"[:120],
                "organisation": IMG,
                "city": SCRIPT,
                "organisation_type": "city",
                "bio": SCRIPT,
                "language": "de",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/events/event-a/manage/venues/new", data={"name": SCRIPT, "address": IMG, "description_de": SCRIPT,
                                                    "description_en": SCRIPT}
        ).status_code
        == 302
    )
    settings = {**EVENT_VALID, "name": SCRIPT, "motto_de": IMG, "motto_en": IMG,
                "description_de": HOSTILE_MARKDOWN, "description_en": HOSTILE_MARKDOWN}
    assert client.post("/events/event-a/manage/settings", data=settings).status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal).order_by(Proposal.id.desc()))
        assert proposal.title.startswith(SCRIPT)  # stored as written: escaping is the page's job
        proposal_url = f"/events/event-a/proposals/{proposal.id}"
    pages = [
        proposal_url,
        proposal_url + "/edit",
        "/dashboard",
        "/profile",
        "/events/event-a/",
        "/events/event-a/manage/venues/",
        "/events/event-a/manage/proposals",
        "/",
        "/events/event-a/manage/settings",
        "/events/event-a/manage/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_active_markup(response.get_data(as_text=True), url)
    proposal_page = client.get(proposal_url).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in proposal_page  # shown, as text
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">ok</a>' in proposal_page
    assert "<em>emphasis</em>" in proposal_page and "<h3>Heading</h3>" in proposal_page


# -- CSRF ------------------------------------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused_and_store_nothing(app, world):
    client = _client(app, world, anonymous=False)
    app.config["WTF_CSRF_ENABLED"] = True  # the conftest switches it off again after the test
    anonymous = app.test_client()
    before = row_counts(app)
    attempts = [
        (
            anonymous,
            "/register",
            {
                "name": "Anna",
                "email": "anna@example.org",
                "password": "a good long password",
                "password_confirm": "a good long password",
                "organisation": "S",
                "organisation_type": "city",
                "city": "B",
                "language": "de",
            },
        ),
        (anonymous, "/login", {"email": world.actor_email, "password": "correct horse battery"}),
        (client, "/events/event-a/proposals/new", _proposal_valid(world)),
        (client, f"/events/event-a/proposals/{world.draft}/submit", {}),
        (client, "/events/event-a/manage/settings", dict(EVENT_VALID)),
        (client, f"/events/event-a/manage/venues/{world.ids['event-a']['venues'][0]}/delete", {}),
        (
            client,
            "/profile",
            {
                "name": "X",
                "organisation": "Y",
                "organisation_type": "city",
                "city": "Z",
                "bio": "",
                "language": "en",
            },
        ),
        (client, "/language", {"lang": "en", "next": "/"}),
        (client, "/logout", {}),
        (client, "/events/event-a/proposals/new", {**_proposal_valid(world), "csrf_token": "forged"}),
    ]
    for who, url, data in attempts:
        response = who.post(url, data=data)
        assert response.status_code == 400, (url, response.status_code)
        assert_refused(response, f"{url} without a CSRF token")
    assert row_counts(app) == before
    # still logged in, still German: the refused logout and language switch did nothing
    page = client.get("/dashboard")
    assert page.status_code == 200 and '<html lang="de">' in page.get_data(as_text=True)
