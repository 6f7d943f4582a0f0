"""The access matrix, declared: for every endpoint of the URL map, how to fill its URL from the world (access_world)
and what each of the ten roles gets for each method. Written by hand from the rules the issue states (hidden objects
404, forbidden actions 403, anonymous visitors to the login page), independent of the code it checks.

An answer is one of: an HTTP status (200, 403, 404 …); LOGIN (a redirect to the login page); REDIRECT (a redirect
elsewhere); ACCEPTED (a POST the role may send: 2xx, or a redirect that is not the login page, or a form error —
400, 409, 410, 422 — for the data sent). Roles are grouped to keep each line short."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..factories import AFTER_CFP, DURING_CFP
from .access_world import ROLES, EventObjects, World

LOGIN, REDIRECT, ACCEPTED = "login", "redirect", "accepted"
TO_LOGIN = "to login"  # an action done that leads on to the login page (a confirmed address, a new password)
OK, FORBIDDEN, HIDDEN = 200, 403, 404

GROUPS: dict[str, tuple[str, ...]] = {
    "speakers": ("owner", "co_speaker"),
    "assigned": ("reviewer", "blind_reviewer"),  # assigned, able to review (the conflicted one is assigned too)
    "reviewers": ("reviewer", "conflicted_reviewer", "blind_reviewer"),
    "committee_side": ("committee", "admin"),
    "logged_in": tuple(r for r in ROLES if r != "anonymous"),
    "everyone": ROLES,
}


def who(rest, *, anonymous=LOGIN, **given) -> dict[str, object]:
    """Every role's answer: `rest` unless named (a role or a group; a role named wins over its group)."""
    answers = dict.fromkeys(ROLES, rest)
    answers["anonymous"] = anonymous
    for name, answer in given.items():
        if name in GROUPS:
            for role in GROUPS[name]:
                answers[role] = answer
    for name, answer in given.items():
        if name not in GROUPS:
            assert name in ROLES, name
            answers[name] = answer
    return answers


def everyone(answer) -> dict[str, object]:
    return dict.fromkeys(ROLES, answer)


def logged_in(answer, anonymous=LOGIN) -> dict[str, object]:
    return who(answer, anonymous=anonymous)


def committee_only(answer=OK) -> dict[str, object]:
    return who(HIDDEN, committee_side=answer)


def admin_only(answer=OK) -> dict[str, object]:
    return who(HIDDEN, admin=answer)


Params = Callable[[EventObjects, World], dict]


@dataclass
class Decl:
    """One endpoint: its answers per method and role, the URL values (one dict, or a list for each rule or case),
    what a POST sends, the clock of the requests, and texts an allowed GET shows."""

    answers: dict[str, dict[str, object]]
    params: Params | list[Params] = lambda o, w: {}
    data: Callable[[EventObjects, World], dict] = lambda o, w: {}
    clock: datetime = AFTER_CFP
    # the allowed roles' requests change what the next allowed role meets: a fresh world before each of them
    changes: frozenset[str] = frozenset({"POST"})
    # fill the URL with the other event's objects (under this event's slug): 404 for everyone but the login redirect
    foreign: bool = True
    shows: Callable[[EventObjects, World], list[str]] = lambda o, w: []
    # secret texts this URL may show whoever asks (a link that is itself the key: an invitation shows its proposal)
    reveals: Callable[[EventObjects, World], list[str]] = lambda o, w: []
    notes: str = ""


def slug(o, w):
    return {"slug": o.slug}


def with_slug(fixed: dict | None = None, **attrs) -> Params:
    """URL values from the event's objects by attribute name, e.g. with_slug(proposal_id="review"), and `fixed`
    values as given."""
    def fill(o, w):
        return {"slug": o.slug, **(fixed or {}), **{k: getattr(o, v) for k, v in attrs.items()}}
    return fill


def title(key: str):
    """The page shows the proposal's title (draft, submitted, review, accepted, confirmed)."""
    return lambda o, w: [o.titles[key]]


GET_POST_COMMITTEE = {"GET": committee_only(), "POST": committee_only(ACCEPTED)}
SPEAKERS_ACT = who(HIDDEN, speakers=ACCEPTED, committee_side=FORBIDDEN)  # the committee sees, but may not act
SPEAKERS_SEE = who(HIDDEN, speakers=OK, committee_side=FORBIDDEN)
TOKEN_PAGE = {"GET": everyone(OK), "POST": who(FORBIDDEN, other_speaker=ACCEPTED)}  # the addressee: the other speaker

D: dict[str, Decl] = {}

# --- public pages, feeds and the API: the same for everyone ------------------------------------------------------
for _endpoint, _params in {
    "public.index": None, "public.event": slug, "public.theme_css": slug,
    "public.programme": slug, "public.changes": slug, "public.now": slug,
    "public.feed": with_slug({"name": "schedule.json"}),
    "api.events": None, "api.openapi": None, "api.event": slug, "api.rooms": slug, "api.sessions": slug,
    "api.speakers": slug, "api.venues": slug,
}.items():
    D[_endpoint] = Decl({"GET": everyone(OK)}, params=_params or (lambda o, w: {}))
D["public.favicon"] = Decl({"GET": everyone(REDIRECT)})  # to the SVG among the static files
D["public.version_feed"] = Decl({"GET": everyone(OK)}, params=with_slug({"name": "schedule.xml"}, number="version"),
                                foreign=False, notes="a version number counts per event: no other event's id")
D["public.session_page"] = Decl({"GET": everyone(OK)}, params=with_slug(session_id="confirmed"),
                                shows=title("confirmed"))
D["public.session_ics"] = Decl({"GET": everyone(OK)}, params=with_slug(session_id="confirmed"))
D["public.speaker_page"] = Decl({"GET": everyone(OK)}, params=with_slug(speaker_id="speaker"),
                                shows=lambda o, w: [w.names["owner"]])
D["public.speaker_ics"] = Decl({"GET": everyone(OK)}, params=with_slug(speaker_id="speaker"))
D["public.venue_page"] = Decl({"GET": everyone(OK)}, params=with_slug(venue_id="venue"))
D["public.print_page"] = Decl({"GET": everyone(OK)}, params=with_slug(venue_id="venue", day="day"))
D["api.session"] = Decl({"GET": everyone(OK)}, params=with_slug(session_id="confirmed"))
D["api.speaker"] = Decl({"GET": everyone(OK)}, params=with_slug(speaker_id="speaker"))
# an empty form: 422 for everyone, nothing stored (the choice lives in the cookie session)
D["public.set_language"] = Decl({"POST": everyone(ACCEPTED)}, changes=frozenset())
D["legal.page"] = Decl({"GET": everyone(OK)}, params=lambda o, w: {"name": "privacy"})
# the mail catcher's pages exist only in development, and only for this machine
D["devmail.index"] = Decl({"GET": everyone(HIDDEN)})
D["devmail.show"] = Decl({"GET": everyone(HIDDEN)}, params=lambda o, w: {"mail_id": "1"})

# --- accounts ---------------------------------------------------------------------------------------------------
_GUEST_FORM = {"GET": who(REDIRECT, anonymous=OK), "POST": who(REDIRECT, anonymous=ACCEPTED)}
D["accounts.login"] = Decl(_GUEST_FORM, changes=frozenset())
D["accounts.register"] = Decl(_GUEST_FORM, changes=frozenset())
D["accounts.logout"] = Decl({"POST": logged_in(ACCEPTED)}, changes=frozenset())  # each ends only their own session
D["accounts.confirm_email"] = Decl({"GET": who(REDIRECT, anonymous=TO_LOGIN)},
                                   params=lambda o, w: {"token": w.confirm_token}, changes=frozenset({"GET"}),
                                   foreign=False)
D["accounts.resend_confirmation"] = Decl({"GET": everyone(OK), "POST": everyone(ACCEPTED)}, changes=frozenset())
D["accounts.forgot_password"] = Decl({"GET": everyone(OK), "POST": everyone(ACCEPTED)}, changes=frozenset())
D["accounts.reset_password"] = Decl({"GET": everyone(OK), "POST": everyone(ACCEPTED)},
                                    params=lambda o, w: {"token": w.reset_token}, foreign=False)
D["accounts.profile"] = Decl({"GET": logged_in(OK), "POST": logged_in(ACCEPTED)},
                             shows=lambda o, w: [])
D["accounts.change_password"] = Decl({"GET": logged_in(OK), "POST": logged_in(ACCEPTED)})

# --- the speaker's side -----------------------------------------------------------------------------------------
D["cfp.dashboard"] = Decl({"GET": logged_in(OK)})
D["cfp.new_proposal"] = Decl({"GET": logged_in(OK), "POST": logged_in(ACCEPTED)}, params=slug, clock=DURING_CFP)
D["cfp.proposal"] = Decl({"GET": who(HIDDEN, speakers=OK, committee_side=OK)},
                         params=[with_slug(proposal_id="review"), with_slug(proposal_id="draft")],
                         shows=lambda o, w: [])
D["cfp.edit"] = Decl({"GET": SPEAKERS_SEE, "POST": SPEAKERS_ACT}, params=with_slug(proposal_id="draft"),
                     clock=DURING_CFP, shows=title("draft"))
D["cfp.submit"] = Decl({"POST": SPEAKERS_ACT}, params=with_slug(proposal_id="draft"), clock=DURING_CFP)
D["cfp.withdraw"] = Decl({"GET": SPEAKERS_SEE, "POST": SPEAKERS_ACT}, params=with_slug(proposal_id="review"))
D["cfp.delete"] = Decl({"GET": SPEAKERS_SEE, "POST": SPEAKERS_ACT}, params=with_slug(proposal_id="draft"),
                       clock=DURING_CFP)
D["cfp.confirm"] = Decl({"POST": SPEAKERS_ACT}, params=with_slug(proposal_id="accepted"))
D["cfp.decline"] = Decl({"GET": SPEAKERS_SEE, "POST": SPEAKERS_ACT}, params=with_slug(proposal_id="accepted"))
# a confirmed session may be called off by its speakers or the committee
D["cfp.cancel"] = Decl({"GET": who(HIDDEN, speakers=OK, committee_side=OK),
                        "POST": who(HIDDEN, speakers=ACCEPTED, committee_side=ACCEPTED)},
                       params=with_slug(proposal_id="confirmed"), data=lambda o, w: {"reason": "Ill."})
D["cfp.invite"] = Decl({"POST": SPEAKERS_ACT}, params=with_slug(proposal_id="draft"), clock=DURING_CFP,
                       data=lambda o, w: {"email": "newcomer@example.org"})
D["cfp.cancel_invitation"] = Decl({"POST": SPEAKERS_ACT},
                                  params=with_slug(proposal_id="draft", invitation_id="invitation"), clock=DURING_CFP)
# invitations: the link is the key (anyone holding it sees the page and may decline); accepting needs the
# addressee's account; the dashboard's buttons find only one's own invitations
D["cfp.invitation"] = Decl(TOKEN_PAGE, params=lambda o, w: {"token": o.invitation_token}, clock=DURING_CFP,
                           foreign=False, shows=title("draft"), reveals=title("draft"))
D["cfp.decline_invitation"] = Decl({"POST": who(FORBIDDEN, anonymous=ACCEPTED, other_speaker=ACCEPTED)},
                                   params=lambda o, w: {"token": o.invitation_token}, clock=DURING_CFP, foreign=False)
D["cfp.accept_my_invitation"] = Decl({"POST": who(HIDDEN, other_speaker=ACCEPTED)},
                                     params=lambda o, w: {"invitation_id": o.invitation}, clock=DURING_CFP)
D["cfp.decline_my_invitation"] = Decl({"POST": who(HIDDEN, other_speaker=ACCEPTED)},
                                      params=lambda o, w: {"invitation_id": o.invitation}, clock=DURING_CFP)
# declaring a conflict is the speakers' alone: to the committee the page does not exist either
D["review_speaker.conflicts"] = Decl({"GET": who(HIDDEN, speakers=OK), "POST": who(HIDDEN, speakers=ACCEPTED)},
                                     params=with_slug(proposal_id="review"),
                                     data=lambda o, w: {"user_id": str(w.users["committee"]), "reason": "We work "
                                                        "together."})
# a declaration is withdrawn by the speaker who made it (the owner); to the co-speaker it looks missing
D["review_speaker.withdraw"] = Decl({"POST": who(HIDDEN, owner=ACCEPTED)},
                                    params=with_slug(proposal_id="review", declaration_id="speaker_declaration"))

# --- reviewing ----------------------------------------------------------------------------------------------------
D["review.reviewing"] = Decl({"GET": logged_in(OK)})
D["review.review"] = Decl({"GET": who(HIDDEN, assigned=OK), "POST": who(HIDDEN, assigned=ACCEPTED)},
                          params=with_slug(proposal_id="review"), shows=title("review"),
                          data=lambda o, w: {"comment_committee": "Fine.", "version": ""})
D["review_committee.preferences"] = Decl({"GET": who(HIDDEN, reviewers=OK), "POST": who(HIDDEN, reviewers=ACCEPTED)},
                                         params=slug)
D["review_committee.take_back_declaration"] = Decl({"POST": who(HIDDEN, conflicted_reviewer=ACCEPTED)},
                                                   params=with_slug(declaration_id="reviewer_declaration"))
D["review_committee.reviewer_invitation"] = Decl(TOKEN_PAGE, params=lambda o, w: {"token": o.reviewer_invitation_token},
                                                 foreign=False)

# --- the committee's pages (and the site admin's): everyone else finds nothing -----------------------------------
for _endpoint, _params in {
    "manage.overview": slug, "manage.items": with_slug({"kind_name": "rooms"}),
    "review_committee.assignments": slug, "review_committee.conflicts": slug, "cfp.committee_proposals": slug,
    "review_decisions.ranking": slug, "review_decisions.ranking_csv": slug, "review_decisions.reviews_csv": slug,
    "schedule.editor": slug, "schedule.versions": slug,
    "review_committee.proposal_assignments": with_slug(proposal_id="review"),
}.items():
    D[_endpoint] = Decl({"GET": committee_only()}, params=_params)
for _endpoint, _params in {
    "manage.settings": slug, "manage.travel_times": slug, "manage.people": slug,
    "review_committee.reviewers": slug, "review_committee.reviewer_limits": with_slug(user_id="reviewer_user"),
    "schedule.blocks": slug, "schedule.edit_block": with_slug(block_id="block"), "schedule.release": slug,
    "schedule.sessions": slug, "schedule.weights": slug, "schedule.automatic": slug,
    "manage.remove_role": with_slug(role_id="role_row"),
}.items():
    D[_endpoint] = Decl(GET_POST_COMMITTEE, params=_params)
D["manage.delete_item"] = Decl(GET_POST_COMMITTEE, params=lambda o, w: {
    "slug": o.slug, "kind_name": "audiences", "item_id": o.unused_audience})
D["manage.edit_item"] = Decl(GET_POST_COMMITTEE, params=[
    with_slug({"kind_name": "rooms"}),
    lambda o, w: {"slug": o.slug, "kind_name": "rooms", "item_id": o.items["rooms"]}])
# the whole form: a body missing the dates falls back to the event's own (aware) datetimes and answers 500
# (EventForm.validate compares them with naive ones; reported)
D["manage.settings"].data = lambda o, w: {
    "name": "Renamed", "motto_de": "Motto", "colour": "#00527a", "starts_on": "2025-02-05", "ends_on": "2025-02-06",
    "timezone": "Europe/Berlin", "cfp_opens_at": "2024-09-01T10:00", "cfp_closes_at": "2024-12-01T23:59",
    "review_opens_at": "2024-12-02T23:59", "review_closes_at": "2024-12-31T23:59", "changeover_minutes": "10"}
D["manage.people"].data = lambda o, w: {"email": w.emails["other_speaker"], "role": "reviewer"}
for _endpoint, _params in {
    "review_committee.add_assignment": with_slug(proposal_id="review"),
    "review_committee.remove_assignment": with_slug(proposal_id="review", assignment_id="open_assignment"),
    "review_committee.assign_automatically": slug,
    "review_committee.override_conflict": slug, "review_committee.add_alias": slug,
    "review_committee.restore_conflict": with_slug(override_id="override"),
    "review_committee.remove_alias": with_slug(alias_id="alias"),
    "review_decisions.decide": slug, "review_decisions.release": slug, "review_decisions.start_review": slug,
    "schedule.place": slug, "schedule.unplace": slug, "schedule.pin": slug,
    "schedule.delete_block": with_slug(block_id="block"),
}.items():
    D[_endpoint] = Decl({"POST": committee_only(ACCEPTED)}, params=_params)
D["review_committee.add_assignment"].data = lambda o, w: {"reviewer_id": str(o.reviewer_of_choice)}
D["review_committee.add_alias"].data = lambda o, w: {"name_a": "Stadt Herne", "name_b": "Stadtverwaltung Herne"}
D["review_committee.override_conflict"].data = lambda o, w: {
    "user_id": str(w.users["conflicted_reviewer"]), "proposal_id": str(o.review), "reason": "Another department."}
D["review_decisions.decide"].data = lambda o, w: {"proposal": str(o.review), "outcome": "reject"}
D["review_decisions.release"].data = lambda o, w: {"scope": "all"}
D["schedule.unplace"].data = D["schedule.pin"].data = lambda o, w: {"proposal_id": str(o.confirmed), "pinned": "1"}
D["schedule.place"].data = lambda o, w: {"proposal_id": str(o.confirmed), "room_id": str(o.room),
                                         "start": f"{o.day}T14:00"}
D["schedule.sessions"].data = lambda o, w: {"proposal_id": str(o.confirmed), "minutes": "45", "audience": "80"}
D["schedule.automatic"].data = lambda o, w: {"keep_placed": "y"}

# the site admin's pages
D["manage.admin_events"] = Decl({"GET": admin_only()})
D["manage.new_event"] = Decl({"GET": admin_only(), "POST": admin_only(ACCEPTED)})
D["manage.my_events"] = Decl({"GET": logged_in(OK)})


# --- added while this matrix was written: login sessions, the outbox, people, personal data, the audit log ------
D["accounts.sessions"] = Decl({"GET": logged_in(OK)})
# the owner's login in another browser: theirs to end; to anyone else it does not exist
D["accounts.end_session"] = Decl({"POST": who(HIDDEN, owner=ACCEPTED)},
                                 params=lambda o, w: {"session_id": w.extra["other_session"]}, foreign=False)
D["accounts.end_other_sessions"] = Decl({"POST": logged_in(ACCEPTED)})
D["accounts.admin_people"] = Decl({"GET": admin_only()})
D["accounts.deactivate_user"] = Decl({"POST": admin_only(ACCEPTED)},
                                     params=lambda o, w: {"user_id": w.extra["forgetful"]}, foreign=False)
D["accounts.reactivate_user"] = Decl({"POST": admin_only(ACCEPTED)},
                                     params=lambda o, w: {"user_id": w.extra["deactivated"]}, foreign=False)
D["manage.outbox"] = Decl({"GET": committee_only()}, params=slug)
D["manage.resend"] = Decl({"POST": committee_only(ACCEPTED)}, params=with_slug(message_id="failed_mail"))
D["manage.admin_outbox"] = Decl({"GET": admin_only()})
D["manage.admin_resend"] = Decl({"POST": admin_only(ACCEPTED)},
                                params=lambda o, w: {"message_id": w.extra["site_mail"]}, foreign=False)
D["privacy.my_data"] = Decl({"GET": logged_in(OK)})
D["privacy.download_data"] = Decl({"POST": logged_in(OK)}, changes=frozenset())  # the export (an audit row)
D["privacy.delete_account"] = Decl({"GET": logged_in(OK), "POST": logged_in(ACCEPTED)})  # no password: 4xx
D["privacy.audit"] = Decl({"GET": admin_only()})


def declarations() -> dict[str, Decl]:
    return D


__all__ = ["ACCEPTED", "D", "Decl", "FORBIDDEN", "GROUPS", "HIDDEN", "LOGIN", "OK", "REDIRECT", "TO_LOGIN"]
