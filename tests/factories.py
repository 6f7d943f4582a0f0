"""Builders for test data; they go through the same service functions as the app."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from review_app.accounts import services as accounts
from review_app.accounts.models import User
from review_app.cfp import services as cfp
from review_app.cfp.models import Proposal, ProposalState
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Audience, Event, ReviewCriterion, Role, Room, SessionFormat, Theme, Venue

from .conftest import TEST_PASSWORD

_n = count(1)

# The default test event: the call closes at 2024-12-01 23:59 Berlin time (22:59 UTC).
EVENT_START = date(2025, 2, 5)
CFP_OPENS = datetime(2024, 9, 1, 8, 0, tzinfo=UTC)
CFP_CLOSES = datetime(2024, 12, 1, 22, 59, tzinfo=UTC)
DURING_CFP = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)
AFTER_CFP = datetime(2024, 12, 15, 12, 0, tzinfo=UTC)
# a person's details sharing no organisation or city with make_user's defaults (give them an email domain of their
# own too): a committee member with these is conflicted with none of the default speakers' proposals
OUTSIDE = {"organisation": "Programmbeirat", "organisation_type": "other", "city": "Gelsenkirchen"}


def make_user(*, email: str | None = None, name: str | None = None, confirmed: bool = True, language: str = "de",
              organisation: str = "Stadt Herne", organisation_type: str = "city", city: str = "Herne",
              admin: bool = False, now: datetime = DURING_CFP) -> User:
    i = next(_n)
    user = accounts.register(name=name or f"Person {i}", email=email or f"person{i}@example.org",
                             password=TEST_PASSWORD, organisation=organisation,
                             organisation_type=organisation_type, city=city, language=language,
                             privacy_consented=True, now=now)
    if confirmed:
        user.email_confirmed_at = now
    user.is_admin = admin
    db.session.flush()
    return user


def make_event(*, slug: str | None = None, committee: User | None = None, cfp_opens: datetime = CFP_OPENS,
               cfp_closes: datetime = CFP_CLOSES, starts_on: date = EVENT_START, days: int = 2) -> Event:
    i = next(_n)
    event = events.create_event(
        actor=None, now=CFP_OPENS - timedelta(days=10), slug=slug or f"event-{i}", name=f"Smart City Days {i}",
        motto_de="Transformationsprozess Metropolregion Ruhr", description_de="", starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1), timezone="Europe/Berlin", cfp_opens_at=cfp_opens,
        cfp_closes_at=cfp_closes, review_opens_at=cfp_closes + timedelta(days=1),
        review_closes_at=cfp_closes + timedelta(days=30))
    villa = Venue(event_id=event.id, name="Mulvany Villa", address="Shamrockring 1, 44623 Herne")
    druckerei = Venue(event_id=event.id, name="Alte Druckerei", address="Bebelstraße 20, 44623 Herne")
    talk = SessionFormat(event_id=event.id, name_de="Praxisvortrag", name_en="Best-practice talk", default_minutes=30)
    workshop = SessionFormat(event_id=event.id, name_de="Workshop", name_en="Workshop", default_minutes=90)
    db.session.add_all([villa, druckerei, talk, workshop])
    db.session.flush()
    talk.venues = [villa, druckerei]
    workshop.venues = [villa]
    db.session.add(Room(event_id=event.id, venue_id=villa.id, name="Saal", capacity=120, formats=[talk, workshop]))
    for j, (de, en) in enumerate([("Künstliche Intelligenz", "Artificial intelligence"), ("Data Spaces", "Data spaces"),
                                  ("Digitale Verwaltung", "Digital administration")]):
        db.session.add(Theme(event_id=event.id, name_de=de, name_en=en, colour="#005a9c", position=j))
    db.session.add_all([Audience(event_id=event.id, name_de="Kommunen", name_en="Municipalities"),
                        Audience(event_id=event.id, name_de="Bürger*innen", name_en="Citizens")])
    db.session.add(ReviewCriterion(event_id=event.id, name_de="Praxisrelevanz", name_en="Practical relevance",
                                   weight=2, scale_min=1, scale_max=5))
    db.session.flush()
    db.session.refresh(event)
    if committee is not None:
        events.grant_role(event, committee, Role.committee, actor=None, now=CFP_OPENS)
    return event


def proposal_data(event: Event, **overrides) -> cfp.ProposalData:
    day = event.starts_on
    values = {
        "title": "Digitale Bürgerdienste in Herne", "abstract": "Wie Herne das Online-Serviceportal aufgebaut hat.",
        "description": "## Ablauf\n\nBericht aus der Praxis.", "format_id": event.formats[0].id,
        "main_theme_id": event.themes[0].id, "language": "de", "further_theme_ids": [event.themes[1].id],
        "audience_ids": [event.audiences[0].id], "project_organisation": "Stadt Herne", "project_city": "Herne",
        "availability": [(event.at(day, time(9)), event.at(day, time(17)))]}
    values.update(overrides)
    return cfp.ProposalData(**values)


def proposal_form(format_id: int, main_theme_id: int, **overrides) -> dict:
    """What the proposal form posts: a complete proposal, available on the first event day from 9 to 12."""
    data = {"title": "Smarte Parkplätze", "abstract": "Kurz.", "description": "Lang.", "format_id": format_id,
            "main_theme_id": main_theme_id, "language": "de", "project_stage": "pilot",
            "day0_available": "y", "day0_from": "09:00", "day0_to": "12:00"}
    data.update(overrides)
    return data


# the path through the life cycle to each state, as (action, actor) steps after creation
PATHS: dict[ProposalState, list[str]] = {
    ProposalState.draft: [],
    ProposalState.submitted: ["submit"],
    ProposalState.withdrawn: ["submit", "withdraw"],
    ProposalState.under_review: ["submit", "start_review"],
    ProposalState.accepted: ["submit", "start_review", "accept"],
    ProposalState.waitlisted: ["submit", "start_review", "waitlist"],
    ProposalState.rejected: ["submit", "start_review", "reject"],
    ProposalState.confirmed: ["submit", "start_review", "accept", "confirm"],
    ProposalState.declined: ["submit", "start_review", "accept", "decline"],
    ProposalState.cancelled: ["submit", "start_review", "accept", "confirm", "cancel"],
}


def make_proposal(event: Event, owner: User, *, state: ProposalState = ProposalState.draft,
                  committee: User | None = None, **overrides) -> Proposal:
    """A proposal brought to `state` through the real transitions (with the clock moved as needed)."""
    proposal = cfp.create_proposal(event, proposal_data(event, **overrides), actor=owner, now=DURING_CFP)
    if committee is None and any(step in ("start_review", "accept", "waitlist", "reject")
                                 for step in PATHS[state]):
        committee = make_user(name="Committee")
        events.grant_role(event, committee, Role.committee, actor=None, now=DURING_CFP)
    drive_to(proposal, state, owner=owner, committee=committee)
    return proposal


def drive_to(proposal: Proposal, state: ProposalState, *, owner: User, committee: User | None) -> None:
    """Move a fresh draft to `state` along PATHS: speaker steps during the call, committee steps after it."""
    after = max(proposal.event.cfp_closes_at, DURING_CFP) + timedelta(days=1)
    decisions = {"accept": ProposalState.accepted, "waitlist": ProposalState.waitlisted,
                 "reject": ProposalState.rejected}
    for step in PATHS[state]:
        if step == "submit":
            cfp.submit(proposal, actor=owner, now=DURING_CFP)
        elif step == "withdraw":
            cfp.withdraw(proposal, actor=owner, now=DURING_CFP)
        elif step == "start_review":
            cfp.start_review(proposal, actor=committee, now=after)
        elif step in decisions:
            cfp.decide(proposal, decisions[step], actor=committee, now=after)
        elif step == "confirm":
            cfp.confirm(proposal, actor=owner, now=after)
        elif step == "decline":
            cfp.decline(proposal, actor=owner, now=after)
        elif step == "cancel":
            cfp.cancel(proposal, "Die Referentin ist erkrankt.", actor=owner, now=after)
    db.session.flush()
    assert proposal.state is state


def login(client, user: User | str, password: str = TEST_PASSWORD):
    """Log in through the form; pass the user or (outside an app context) the email address."""
    email = user if isinstance(user, str) else user.email
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response
