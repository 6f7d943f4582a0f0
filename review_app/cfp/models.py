"""Proposals, their speakers, co-speaker invitations, and when each person can present."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from ..accounts.models import User
from ..db import Base, UTCDateTime, utcnow
from ..events.models import Audience, Event, SessionFormat, Theme


class ProposalState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"
    under_review = "under_review"
    accepted = "accepted"
    waitlisted = "waitlisted"
    rejected = "rejected"
    confirmed = "confirmed"
    declined = "declined"
    cancelled = "cancelled"  # a confirmed session called off later, by a speaker or the committee


STATE_LABELS = {
    ProposalState.draft: _l("Draft"),
    ProposalState.submitted: _l("Submitted"),
    ProposalState.withdrawn: _l("Withdrawn"),
    ProposalState.under_review: _l("Under review"),
    ProposalState.accepted: _l("Accepted"),
    ProposalState.waitlisted: _l("Waitlisted"),
    ProposalState.rejected: _l("Rejected"),
    ProposalState.confirmed: _l("Confirmed"),
    ProposalState.declined: _l("Declined"),
    ProposalState.cancelled: _l("Cancelled"),
}

# Named groups of states (funnel's habit): rules speak of these, not of lists scattered in code.
EDITABLE = frozenset({ProposalState.draft, ProposalState.submitted})
WITHDRAWABLE = frozenset({ProposalState.submitted, ProposalState.under_review, ProposalState.waitlisted})
TEAM_OPEN = frozenset({ProposalState.draft, ProposalState.submitted, ProposalState.under_review,
                       ProposalState.accepted, ProposalState.waitlisted, ProposalState.confirmed})


class ProjectStage(enum.StrEnum):
    idea = "idea"
    pilot = "pilot"
    operation = "operation"
    scaled = "scaled"


STAGE_LABELS = {
    ProjectStage.idea: _l("Idea or concept"),
    ProjectStage.pilot: _l("Pilot"),
    ProjectStage.operation: _l("In operation"),
    ProjectStage.scaled: _l("Rolled out / adopted elsewhere"),
}

LANGUAGE_LABELS = {"de": _l("German"), "en": _l("English")}


@dataclass(frozen=True)
class Requirement:
    """Something a proposal needs before it can be submitted. `name` is both the attribute (on a Proposal and on
    the form's data) and the form field; `label` names it on the form and on the call page; `ask` completes
    "Before you can submit, please add: …"."""

    name: str
    label: Any
    ask: Any
    for_draft: bool = False  # needed already to save a draft (the form refuses to save without it)

    def is_missing(self, obj) -> bool:
        value = getattr(obj, self.name)
        if isinstance(value, str):
            return not value.strip()
        if isinstance(value, list | tuple):
            return not value
        return value is None


# What submitting requires, in the order of the form: the one list the rule, the form and the call page share.
SUBMISSION_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("title", _l("Title"), _l("a title"), for_draft=True),
    Requirement("abstract", _l("Short abstract"), _l("a short abstract")),
    Requirement("description", _l("Description"), _l("a description")),
    Requirement("format_id", _l("Session format"), _l("a session format"), for_draft=True),
    Requirement("language", _l("Language of the session"), _l("the language of the session"), for_draft=True),
    Requirement("main_theme_id", _l("Main theme"), _l("a main theme"), for_draft=True),
    Requirement("availability", _l("When you can present"), _l("your availability on at least one event day")),
)
REQUIREMENT = {r.name: r for r in SUBMISSION_REQUIREMENTS}

proposal_themes = Table(
    "proposal_theme",
    Base.metadata,
    Column("proposal_id", ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True),
    # no cascade from the theme: a theme that proposals use cannot be deleted under them
    Column("theme_id", ForeignKey("theme.id"), primary_key=True, index=True),
)

proposal_audiences = Table(
    "proposal_audience",
    Base.metadata,
    Column("proposal_id", ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True),
    Column("audience_id", ForeignKey("audience.id"), primary_key=True, index=True),
)


def _state_enum() -> Enum:
    return Enum(ProposalState, native_enum=False, length=20, validate_strings=True,
                create_constraint=True, name="proposal_state")


class Proposal(Base):
    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint("language IN ('de', 'en')", name="language"),
        # a proposal that has left the draft state carries the moment it was first submitted
        CheckConstraint("state = 'draft' OR submitted_at IS NOT NULL", name="submitted_at"),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes BETWEEN 5 AND 1440", name="duration_minutes"),
        CheckConstraint("expected_audience IS NULL OR expected_audience > 0", name="expected_audience"),
        CheckConstraint("state != 'cancelled' OR cancel_reason != ''", name="cancel_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    state: Mapped[ProposalState] = mapped_column(_state_enum(), default=ProposalState.draft, index=True)
    title: Mapped[str] = mapped_column(String(200))
    abstract: Mapped[str] = mapped_column(String(600))
    description: Mapped[str] = mapped_column(Text, default="")
    format_id: Mapped[int] = mapped_column(ForeignKey("session_format.id"), index=True)
    main_theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="de")
    project_organisation: Mapped[str] = mapped_column(String(200), default="")
    project_city: Mapped[str] = mapped_column(String(120), default="")
    project_partners: Mapped[str] = mapped_column(Text, default="")
    project_stage: Mapped[ProjectStage] = mapped_column(
        Enum(ProjectStage, native_enum=False, length=20, validate_strings=True,
             create_constraint=True, name="project_stage"), default=ProjectStage.pilot)
    project_results: Mapped[str] = mapped_column(Text, default="")
    project_transfer: Mapped[str] = mapped_column(Text, default="")
    notes_for_committee: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # `flask retention` replaced the texts and the people's details of a rejected or withdrawn proposal
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # an accepted proposal must be confirmed by then (set when the committee releases its decision)
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set by the committee for the programme; None: the format's default length and audience
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    expected_audience: Mapped[int | None] = mapped_column(Integer)
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship()
    format: Mapped[SessionFormat] = relationship()
    main_theme: Mapped[Theme] = relationship()
    further_themes: Mapped[list[Theme]] = relationship(secondary=proposal_themes, order_by="Theme.position, Theme.id")
    audiences: Mapped[list[Audience]] = relationship(secondary=proposal_audiences, order_by="Audience.id")
    speakers: Mapped[list[ProposalSpeaker]] = relationship(back_populates="proposal", order_by="ProposalSpeaker.id",
                                                          cascade="all, delete-orphan")
    invitations: Mapped[list[Invitation]] = relationship(back_populates="proposal", order_by="Invitation.id",
                                                         cascade="all, delete-orphan")

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def minutes(self) -> int:
        """The session's length: the committee's, or the format's default."""
        return self.duration_minutes or self.format.default_minutes

    @property
    def audience_size(self) -> int | None:
        """The audience the session is expected to draw: the committee's figure, or the format's."""
        return self.expected_audience or self.format.expected_audience

    @property
    def availability(self) -> list[Availability]:
        """The windows its speakers stated for this event (each a person's, given once for all their proposals):
        submitting asks that one of them has. What they share, for the schedule: `cfp.availability.shared`."""
        ids = sorted(self.speaker_ids())
        session = object_session(self)
        if not ids or session is None or self.event_id is None:
            return []
        return list(session.scalars(select(Availability).where(
            Availability.event_id == self.event_id, Availability.user_id.in_(ids))
            .order_by(Availability.day, Availability.starts, Availability.user_id)))

    def speaker_ids(self) -> set[int]:
        return {s.user_id for s in self.speakers}


class ProposalSpeaker(Base):
    """A person who owns a proposal; the submitter and every co-speaker who accepted are co-owners."""

    __tablename__ = "proposal_speaker"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    is_submitter: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="speakers")
    user: Mapped[User] = relationship()


class InvitationState(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class Invitation(Base):
    """A co-speaker invitation by email; only the token's hash is stored."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("proposal_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[InvitationState] = mapped_column(
        Enum(InvitationState, native_enum=False, length=20, validate_strings=True,
             create_constraint=True, name="invitation_state"), default=InvitationState.pending)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="invitations")
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    token = None  # the plain token, set in memory by invite_co_speaker for its caller; not a column


class Availability(Base):
    """A window in which a person can present at an event, on one event day in the event's wall-clock time. It is
    the person's, not a proposal's: given once, it holds for every proposal of theirs, and a session can run only
    where all its speakers are available."""

    __tablename__ = "speaker_availability"
    __table_args__ = (CheckConstraint("ends > starts", name="window"),
                      UniqueConstraint("event_id", "user_id", "day", "starts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
