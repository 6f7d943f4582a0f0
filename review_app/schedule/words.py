"""The schedule's problems and the solver's reasons in the page's language, naming sessions, people and rooms."""
from __future__ import annotations

from flask_babel import gettext as _

from ..i18n import format_in_zone
from . import checks
from .queries import Draft


def problem_text(problem: checks.Problem, draft: Draft) -> str:
    titles = [_("“%(name)s”", name=draft.sessions[i].title) for i in problem.session_ids if i in draft.sessions]
    sessions = _(" and ").join(titles)
    people = ", ".join(_name(draft, pid) for pid in problem.person_ids)
    room = draft.rooms[problem.room_id].name if problem.room_id in draft.rooms else ""
    kind = problem.kind
    if kind == "room_overlap":
        if problem.minutes:
            return _("%(room)s: %(sessions)s follow each other with less than %(num)d minutes to change over.",
                     room=room, sessions=sessions, num=problem.minutes)
        return _("%(room)s holds %(sessions)s at the same time.", room=room, sessions=sessions)
    if kind == "block":
        block = next((b.title for b in draft.plan.blocks if b.id == problem.block_id), "")
        return _("%(sessions)s overlaps “%(block)s” in %(room)s.", sessions=sessions, block=block, room=room)
    if kind == "speaker_overlap":
        return _("%(people)s would speak in %(sessions)s at the same time.", people=people, sessions=sessions)
    if kind == "travel":
        return _("%(people)s cannot get between %(sessions)s in time: the venues are %(num)d minutes apart.",
                 people=people, sessions=sessions, num=problem.minutes)
    if kind == "availability":
        return _("%(sessions)s lies outside the time its speakers (%(people)s) can present.", sessions=sessions,
                 people=people)
    if kind == "room_window":
        return _("%(sessions)s lies outside the opening hours of %(room)s.", sessions=sessions, room=room)
    if kind == "event_days":
        return _("%(sessions)s lies outside the event's days.", sessions=sessions)
    if kind == "capacity":
        return _("%(sessions)s expects %(num)d people more than %(room)s holds.", sessions=sessions,
                 num=problem.minutes, room=room)
    if kind == "format_room":
        return _("The format of %(sessions)s does not suit %(room)s or its venue.", sessions=sessions, room=room)
    return _("%(sessions)s: two sessions of the same theme run at the same time.", sessions=sessions)


def _name(draft: Draft, person_id: int) -> str:
    for proposal in draft.sessions.values():
        for s in proposal.speakers:
            if s.user_id == person_id:
                return s.user.name
    return "?"


def when(draft: Draft, moment) -> str:
    return format_in_zone(moment, draft.event.timezone)
