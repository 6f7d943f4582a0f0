"""The world of the access matrix: two events, each with the same kinds of objects (proposals in the states that
matter, a co-speaker who accepted, reviewers with assignments and a review, conflicts declared and detected, a
lifted conflict and an alias, a pending co-speaker invitation, blocks, a released schedule version), and the ten
people whose answers the matrix declares. Built through the services (and the test builders) in well under a
second, so that every endpoint can have a world of its own."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import delete, select, text

from review_app.accounts import services as accounts
from review_app.accounts.models import LoginSession, User
from review_app.cfp import services as cfp
from review_app.cfp.models import ProposalState
from review_app.db import Base, db
from review_app.events import services as events
from review_app.events.models import (
    Audience,
    Event,
    EventRole,
    ReviewCriterion,
    Role,
    Room,
    SessionFormat,
    Theme,
    Venue,
)
from review_app.mail.models import OutboxMessage, OutboxStatus
from review_app.review import reviewers as reviewer_services
from review_app.review.models import (
    Assignment,
    ConflictDeclaration,
    ConflictOverride,
    OrganisationAlias,
    Reviewer,
    ReviewSettings,
)
from review_app.schedule import releases
from review_app.schedule import services as schedule

from ..factories import AFTER_CFP, CFP_CLOSES, DURING_CFP, drive_to, make_event, make_user, proposal_data
from .decision_helpers import assign_only, submitted_review

# the ten roles, in the order the matrix asks them
ROLES = ("anonymous", "owner", "other_speaker", "co_speaker", "reviewer", "conflicted_reviewer", "blind_reviewer",
         "committee", "other_committee", "admin")

SCHEDULED_AT = AFTER_CFP  # when the committee placed and released the programme
KINDS = {"venues": Venue, "rooms": Room, "themes": Theme, "audiences": Audience, "formats": SessionFormat,
         "criteria": ReviewCriterion}


@dataclass
class EventObjects:
    """The ids of one event's objects, under the same names in both events (so that a declaration fills the URL of
    event A with event B's objects by asking the other namespace)."""

    slug: str
    id: int
    draft: int = 0  # the owner's draft (co-speaker on it; an open invitation to the other speaker)
    submitted: int = 0  # the other speaker's submitted proposal
    review: int = 0  # the owner's proposal under review: three assignments, a submitted review, a pending decision
    accepted: int = 0  # the owner's accepted proposal (the acceptance released)
    confirmed: int = 0  # the owner's confirmed session, placed and released in version 1
    assignment: int = 0  # the reviewer's assignment of `review`
    invitation: int = 0  # the pending invitation of the other speaker to `draft`
    invitation_token: str = ""
    reviewer_invitation_token: str = ""  # a signed link inviting the other speaker to review
    speaker_declaration: int = 0  # the owner's declaration that the conflicted reviewer must not review `review`
    reviewer_declaration: int = 0  # the conflicted reviewer's own declaration about `submitted`
    override: int = 0  # a lifted (organisation) conflict of an extra reviewer with `submitted`
    alias: int = 0
    block: int = 0
    version: int = 0  # the number of the released schedule version
    venue: int = 0
    room: int = 0
    day: str = ""
    items: dict[str, int] = field(default_factory=dict)  # kind → the id of one of its items
    role_row: int = 0  # the reviewer's event role (removable by the committee)
    reviewer_user: int = 0  # the reviewer's user id (the committee's limits page)
    speaker: int = 0  # the owner's user id: a speaker of the released programme
    reviewer_of_choice: int = 0  # a reviewer not yet assigned to `review` (the extra one)
    titles: dict[str, str] = field(default_factory=dict)  # draft, submitted … → the proposal's title
    open_assignment: int = 0  # the blind reviewer's assignment of `review` (no review written yet)
    unused_audience: int = 0  # an audience nothing uses (deletable)
    failed_mail: int = 0  # a mail of the event that could not be delivered (the outbox's resend)


@dataclass
class World:
    a: EventObjects
    b: EventObjects
    users: dict[str, int]  # role → user id (no anonymous)
    emails: dict[str, str]
    names: dict[str, str]
    confirm_token: str = ""  # an email confirmation link of an unconfirmed extra account
    reset_token: str = ""  # a password reset link of an extra account
    secrets: dict[str, frozenset[str]] = field(default_factory=dict)  # a text → the only roles that may read it
    sessions: dict[str, str] = field(default_factory=dict)  # role → a login session's token (the cookie's value)
    # site_mail (a failed mail of no event), forgetful (an active account), deactivated (a switched-off one),
    # other_session (the owner's login in another browser)
    extra: dict[str, int] = field(default_factory=dict)
    rows: dict[str, list] = field(default_factory=dict)  # every table's rows as built, to restore
    raw: dict[str, list] = field(default_factory=dict)  # the same as the driver reads them, to compare


def _person(name: str, email: str, *, organisation: str, city: str, kind: str = "company", admin=False) -> User:
    return make_user(name=name, email=email, organisation=organisation, organisation_type=kind, city=city,
                     language="en", admin=admin)


def _cast(tag: str) -> dict[str, User]:
    """The people of one event; each of their own organisation, city and mail domain unless a conflict is meant."""
    people = {
        "owner": _person(f"Olga Owner{tag}", f"olga{tag}@owner{tag}.test", organisation=f"Owner Works{tag}",
                         city=f"Ownerton{tag}"),
        "co_speaker": _person(f"Conrad Cospeaker{tag}", f"conrad{tag}@co{tag}.test",
                              organisation=f"Co Studio{tag}", city=f"Coburgh{tag}"),
        "other_speaker": _person(f"Sven Other{tag}", f"sven{tag}@other{tag}.test", organisation=f"Other Lab{tag}",
                                 city=f"Otherville{tag}"),
        "reviewer": _person(f"Rita Reviewer{tag}", f"rita{tag}@review{tag}.test", organisation=f"Review Ltd{tag}",
                            city=f"Reviewham{tag}"),
        # works where the owner works: a detected (organisation) conflict, and the owner declared one too
        "conflicted_reviewer": _person(f"Conny Conflict{tag}", f"conny{tag}@conflict{tag}.test",
                                       organisation=f"Owner Works{tag}", city=f"Conflictown{tag}"),
        "blind_reviewer": _person(f"Bea Blind{tag}", f"bea{tag}@blind{tag}.test", organisation=f"Blind Trust{tag}",
                                  city=f"Blindburg{tag}"),
        "committee": _person(f"Clara Chair{tag}", f"clara{tag}@committee{tag}.test",
                             organisation=f"Programmbeirat{tag}", city=f"Chairford{tag}", kind="other"),
        # an extra reviewer from the other speaker's lab, whose conflict the committee lifted
        "lifted": _person(f"Lia Lifted{tag}", f"lia{tag}@lifted{tag}.test", organisation=f"Other Lab{tag}",
                          city=f"Liftham{tag}"),
    }
    return people


def _populate(event: Event, people: dict[str, User]) -> EventObjects:
    """Every object of one event, through the services; the committee member acts after the call."""
    chair, owner, co, other = people["committee"], people["owner"], people["co_speaker"], people["other_speaker"]
    after = CFP_CLOSES + timedelta(days=1)
    events.grant_role(event, chair, Role.committee, actor=None, now=DURING_CFP)
    objects = EventObjects(slug=event.slug, id=event.id)
    tag = event.slug

    def proposal(key: str, title: str, owner_: User, state: ProposalState, *, co_speaker: bool = True):
        p = cfp.create_proposal(event, proposal_data(event, title=title, project_organisation="",
                                                     project_city=""), actor=owner_, now=DURING_CFP)
        if co_speaker:
            invitation = cfp.invite_co_speaker(p, co.email, actor=owner_, now=DURING_CFP)
            cfp.accept(invitation, actor=co, now=DURING_CFP)
        drive_to(p, state, owner=owner_, committee=chair)
        objects.titles[key] = title
        return p

    draft = proposal("draft", f"Secret draft of {tag}", owner, ProposalState.draft)
    submitted = proposal("submitted", f"Other submission of {tag}", other, ProposalState.submitted, co_speaker=False)
    review = proposal("review", f"Proposal under review in {tag}", owner, ProposalState.under_review)
    accepted = proposal("accepted", f"Accepted proposal in {tag}", owner, ProposalState.accepted)
    confirmed = proposal("confirmed", f"Confirmed session in {tag}", owner, ProposalState.confirmed)
    objects.draft, objects.submitted, objects.review = draft.id, submitted.id, review.id
    objects.accepted, objects.confirmed = accepted.id, confirmed.id

    invitation = cfp.invite_co_speaker(draft, other.email, actor=owner, now=DURING_CFP)
    objects.invitation, objects.invitation_token = invitation.id, invitation.token
    objects.reviewer_invitation_token = reviewer_services.invitation_token(event, other.email, now=AFTER_CFP)

    rows = {}
    for role in ("reviewer", "conflicted_reviewer", "blind_reviewer", "lifted"):
        events.grant_role(event, people[role], Role.reviewer, actor=None, now=after)
        rows[role] = Reviewer(event_id=event.id, user_id=people[role].id, languages="de,en")
        db.session.add(rows[role])
    db.session.flush()
    criterion = event.criteria[0].id
    review_row = submitted_review(rows["reviewer"], review, {criterion: 4}, comment_committee=f"Committee-only {tag}",
                                  comment_speakers=f"For the speakers {tag}")
    objects.assignment = review_row.assignment_id
    # assigned before the conflicts came to light: the assignment is there, but must lead nowhere
    assign_only(rows["conflicted_reviewer"], review)
    assign_only(rows["blind_reviewer"], review)
    objects.open_assignment = db.session.scalar(select(Assignment.id).where(
        Assignment.reviewer_id == rows["blind_reviewer"].id, Assignment.proposal_id == review.id))
    unused = Audience(event_id=event.id, name_de="Niemand", name_en="Nobody")
    db.session.add(unused)
    db.session.flush()
    objects.unused_audience = unused.id
    objects.reviewer_user = people["reviewer"].id
    objects.speaker = owner.id
    objects.reviewer_of_choice = people["lifted"].id
    objects.role_row = db.session.scalar(select(EventRole.id).where(
        EventRole.event_id == event.id, EventRole.user_id == people["reviewer"].id, EventRole.role == Role.reviewer))

    declaration = ConflictDeclaration(event_id=event.id, user_id=people["conflicted_reviewer"].id,
                                      proposal_id=review.id, declared_by_id=owner.id, reason="Same employer",
                                      created_at=after)
    own = ConflictDeclaration(event_id=event.id, user_id=people["conflicted_reviewer"].id, proposal_id=submitted.id,
                              declared_by_id=people["conflicted_reviewer"].id, reason="A friend of mine",
                              created_at=after)
    override = ConflictOverride(event_id=event.id, user_id=people["lifted"].id, proposal_id=submitted.id,
                                reason="Different department", created_by_id=chair.id, created_at=after)
    alias = OrganisationAlias(event_id=event.id, name_a=f"Stadt {tag}", name_b=f"Stadtverwaltung {tag}",
                              created_by_id=chair.id, created_at=after)
    db.session.add_all([declaration, own, override, alias])
    db.session.flush()
    objects.speaker_declaration, objects.reviewer_declaration = declaration.id, own.id
    objects.override, objects.alias = override.id, alias.id
    from review_app.review import decisions

    decisions.decide(review, "accept", actor=chair, now=after)  # pending, not released

    room = db.session.scalar(select(Room).where(Room.event_id == event.id))
    venue_id = room.venue_id
    day = event.starts_on
    objects.venue, objects.room, objects.day = venue_id, room.id, day.isoformat()
    block = schedule.save_block(event, schedule.BlockData(
        kind="lunch", title_de="Mittagspause", title_en="Lunch break", starts_at=event.at(day, time(12)),
        ends_at=event.at(day, time(13)), venue_id=venue_id, room_ids=[], public=True), actor=chair, now=SCHEDULED_AT)
    objects.block = block.id
    schedule.place(event, confirmed.id, room.id, event.at(day, time(10)), actor=chair, now=SCHEDULED_AT)
    objects.version = releases.release(event, "First version", actor=chair, now=SCHEDULED_AT).number
    mail = OutboxMessage(event_id=event.id, template="proposal_submitted", recipient=owner.email, language="en",
                         subject=f"Your proposal “{review.title}”", body_text="Thank you.", status=OutboxStatus.failed,
                         attempts=8, created_at=after, next_attempt_at=after, last_error="550 No such user")
    db.session.add(mail)
    db.session.flush()
    objects.failed_mail = mail.id
    objects.items = {kind: db.session.scalar(select(model.id).where(model.event_id == event.id).order_by(model.id))
                     for kind, model in KINDS.items()}
    return objects


def build(app) -> World:
    """The whole world, committed; the outbox emptied (the mails of building it are not the matrix's)."""
    with app.app_context():
        admin = _person("Ada Admin", "ada@site-admin.test", organisation="Site Operations", city="Adminstadt",
                        admin=True)
        event_a = make_event(slug="event-a")
        event_b = make_event(slug="event-b")
        cast_a, cast_b = _cast(""), _cast("-b")
        a = _populate(event_a, cast_a)
        b = _populate(event_b, cast_b)
        users = {role: cast_a[role] for role in ROLES if role in cast_a}
        users["other_committee"] = cast_b["committee"]
        users["admin"] = admin
        from review_app.review.queries import settings_of

        settings_of(event_a), settings_of(event_b)  # a row each, so that switching blind review on and off is exact
        sessions = {role: accounts.start_session(user, now=AFTER_CFP) for role, user in users.items()}
        unconfirmed = make_user(name="Una Unconfirmed", email="una@unconfirmed.test", confirmed=False)
        accounts.send_confirmation(unconfirmed, now=AFTER_CFP)
        forgetful = make_user(name="Fritz Forgetful", email="fritz@forgetful.test")
        accounts.request_password_reset(forgetful.email, now=AFTER_CFP)
        reset_token = _last_reset_token(forgetful)
        events_mail = [o.failed_mail for o in (a, b)]
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.not_in(events_mail)))
        site_mail = OutboxMessage(event_id=None, template="confirm_email", recipient=forgetful.email, language="en",
                                  subject="Confirm your address", body_text="A link.", status=OutboxStatus.failed,
                                  attempts=8, created_at=AFTER_CFP, next_attempt_at=AFTER_CFP, last_error="550")
        # the owner's login in another browser (the sessions page ends it); an account the admin switched off
        accounts.start_session(users["owner"], now=AFTER_CFP, user_agent="Other browser")
        other_session = users["owner"].current_session_token
        switched_off = make_user(name="Dora Deactivated", email="dora@deactivated.test")
        switched_off.deactivated_at = AFTER_CFP
        db.session.add(site_mail)
        db.session.commit()
        extra = {"site_mail": site_mail.id, "forgetful": forgetful.id, "deactivated": switched_off.id,
                 "other_session": db.session.scalar(select(LoginSession.id).where(
                     LoginSession.token_hash == accounts.hash_token(other_session)))}
        secrets = secrets_of(a, b)
        return World(a=a, b=b, users={r: u.id for r, u in users.items()}, emails={r: u.email for r, u in users.items()},
                     names={r: u.name for r, u in users.items()}, confirm_token=unconfirmed.confirmation_token,
                     reset_token=reset_token, secrets=secrets, sessions=sessions, extra=extra, rows=dump(),
                     raw=raw_dump())


def secrets_of(a: EventObjects, b: EventObjects) -> dict[str, frozenset[str]]:
    """The texts of event A that only some roles may read, anywhere (the confirmed session is public); event B's
    are for its committee and the site admin alone."""
    team = {"owner", "co_speaker"}
    staff = {"committee", "admin"}
    readers = {
        "draft": team | {"other_speaker"} | staff,  # the other speaker is invited to it
        "submitted": {"other_speaker", "reviewer", "blind_reviewer", "conflicted_reviewer"} | staff,
        "review": team | {"reviewer", "blind_reviewer"} | staff,
        "accepted": team | staff,
    }
    out = {a.titles[key]: frozenset(roles) for key, roles in readers.items()}
    out[f"Committee-only {a.slug}"] = frozenset({"reviewer"} | staff)  # the reviewer's comment for the committee
    out["Same employer"] = frozenset(team | staff)  # the owner's declaration about the conflicted reviewer
    out["A friend of mine"] = frozenset({"conflicted_reviewer"} | staff)  # her own declaration
    out["Different department"] = frozenset(staff)  # why the committee lifted a conflict
    for key in readers:
        out[b.titles[key]] = frozenset({"other_committee", "admin"})
    out[f"Committee-only {b.slug}"] = frozenset({"other_committee", "admin"})
    return out


def _last_reset_token(user: User) -> str:
    """request_password_reset mails the token only; issue one the test can hold (replacing the mailed one)."""
    from review_app.accounts.models import TokenPurpose

    return accounts._issue_token(user, TokenPurpose.reset_password, 3600 * 24 * 365, AFTER_CFP)


def set_blind(app, event_id: int, blind: bool) -> None:
    """Blind review is the event's ReviewSettings.blind (no form sets it yet)."""
    with app.app_context():
        row = db.session.get(ReviewSettings, event_id)
        if row is None:
            row = ReviewSettings(event_id=event_id, blind=blind, visibility="after_own", reviews_per_proposal=3,
                                 max_load=12, confirm_days=14)
            db.session.add(row)
        row.blind = blind
        db.session.commit()


def session_token(app, user_id: int, now: datetime) -> str:
    """A login session for the user, as logging in makes one (the login form itself is tested elsewhere)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        token = accounts.start_session(user, now=now)
        db.session.commit()
        return token


# a login's last request is written by every request; nothing else may change on a refused one
VOLATILE_COLUMNS = {"login_session": {"last_seen_at"}}


def dump() -> dict[str, list]:
    """Every row of every table (inside an app context), in primary key order."""
    out = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            out[table.name] = [dict(r._mapping) for r in
                               conn.execute(select(table).order_by(*table.primary_key.columns))]
    return out


def raw_dump() -> dict[str, list[tuple]]:
    """Every row of every table (but the volatile columns) as the driver returns them, sorted: cheap enough to
    compare after each of some thousand requests."""
    out = {}
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for table in Base.metadata.sorted_tables:
            columns = ", ".join(f'"{c.name}"' for c in table.columns
                                if c.name not in VOLATILE_COLUMNS.get(table.name, ()))
            cursor.execute(f'SELECT {columns} FROM "{table.name}"')  # noqa: S608 - the models' own names
            out[table.name] = sorted(cursor.fetchall(), key=repr)
        cursor.close()
    finally:
        connection.close()
    return out


def changed_tables(app, raw: dict[str, list[tuple]]) -> list[str]:
    """The tables whose rows differ from `raw` (a raw_dump; the volatile columns left out)."""
    with app.app_context():
        db.session.remove()
        now = raw_dump()
    return [name for name, before in raw.items() if now[name] != before]


def restore(app, rows: dict[str, list]) -> None:
    """Put back every table as it was built: a fresh world in a few milliseconds, the same ids."""
    from review_app.public import cache

    with app.app_context():
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
            for table in Base.metadata.sorted_tables:
                if rows[table.name]:
                    conn.execute(table.insert(), rows[table.name])
            if conn.dialect.name == "postgresql":
                for table in Base.metadata.sorted_tables:
                    if "id" in table.c and table.c.id.primary_key:
                        sql = (f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # noqa: S608
                               f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table.name}\"), false)")
                        conn.execute(text(sql))
        cache.clear()
