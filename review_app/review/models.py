"""Reviewers, their bids and assignments, reviews with their scores, conflicts of interest and the committee's
decisions (pending until released)."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..cfp.models import Proposal
from ..db import Base, UTCDateTime, utcnow
from ..events.models import ReviewCriterion, Theme


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, native_enum=False, length=20, validate_strings=True, create_constraint=True, name=name)


class ReviewVisibility(enum.StrEnum):
    never = "never"
    after_own = "after_own"
    always = "always"


VISIBILITY_LABELS = {
    ReviewVisibility.never: _l("Never: each reviewer sees only their own review"),
    ReviewVisibility.after_own: _l("After submitting their own review"),
    ReviewVisibility.always: _l("Always"),
}


class ReviewSettings(Base):
    """How an event reviews; one row per event, made with the defaults when first needed."""

    __tablename__ = "review_settings"
    __table_args__ = (
        CheckConstraint("reviews_per_proposal BETWEEN 1 AND 10", name="reviews_per_proposal"),
        CheckConstraint("max_load BETWEEN 1 AND 500", name="max_load"),
        CheckConstraint("confirm_days BETWEEN 1 AND 90", name="confirm_days"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[ReviewVisibility] = mapped_column(_enum(ReviewVisibility, "review_visibility"),
                                                         default=ReviewVisibility.after_own)
    reviews_per_proposal: Mapped[int] = mapped_column(Integer, default=3)
    max_load: Mapped[int] = mapped_column(Integer, default=12)
    confirm_days: Mapped[int] = mapped_column(Integer, default=14)


reviewer_limited_themes = Table(
    "reviewer_limited_theme",
    Base.metadata,
    Column("reviewer_id", ForeignKey("reviewer.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)

reviewer_expert_themes = Table(
    "reviewer_expert_theme",
    Base.metadata,
    Column("reviewer_id", ForeignKey("reviewer.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Reviewer(Base):
    """A person reviewing for one event: the committee's limits and the reviewer's own statements."""

    __tablename__ = "reviewer"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),
                      CheckConstraint("max_load IS NULL OR max_load >= 0", name="max_load"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    languages: Mapped[str] = mapped_column(String(10), default="")  # "de", "en" or "de,en"; "" = not stated
    max_load: Mapped[int | None] = mapped_column(Integer)  # None: the event's default
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    limited_themes: Mapped[list[Theme]] = relationship(secondary=reviewer_limited_themes,
                                                       order_by="Theme.position, Theme.id")
    expert_themes: Mapped[list[Theme]] = relationship(secondary=reviewer_expert_themes,
                                                      order_by="Theme.position, Theme.id")

    @property
    def language_set(self) -> frozenset[str]:
        return frozenset(x for x in self.languages.split(",") if x)


class BidLevel(enum.StrEnum):
    eager = "eager"
    willing = "willing"
    rather_not = "rather_not"
    conflict = "conflict"


BID_LABELS = {
    BidLevel.eager: _l("Eager"),
    BidLevel.willing: _l("Willing"),
    BidLevel.rather_not: _l("Rather not"),
    BidLevel.conflict: _l("Conflict of interest"),
}


class Bid(Base):
    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("reviewer_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewer.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    level: Mapped[BidLevel] = mapped_column(_enum(BidLevel, "bid_level"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assignment(Base):
    """A reviewer asked to review a proposal; at most one per reviewer and proposal."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("reviewer_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewer.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewer: Mapped[Reviewer] = relationship()
    proposal: Mapped[Proposal] = relationship()
    review: Mapped[Review | None] = relationship(back_populates="assignment", uselist=False,
                                                 cascade="all, delete-orphan")


class ReviewState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"


class Recommendation(enum.StrEnum):
    strong_accept = "strong_accept"
    accept = "accept"
    undecided = "undecided"
    reject = "reject"
    strong_reject = "strong_reject"


RECOMMENDATION_LABELS = {
    Recommendation.strong_accept: _l("Accept, by all means"),
    Recommendation.accept: _l("Accept"),
    Recommendation.undecided: _l("Undecided"),
    Recommendation.reject: _l("Reject"),
    Recommendation.strong_reject: _l("Reject, by all means"),
}

CONFIDENCE_LABELS = {1: _l("Low: not my field"), 2: _l("Medium"), 3: _l("High: my field")}


class Review(Base):
    """One review per assignment (so one per reviewer and proposal); a draft until submitted."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("assignment_id"),
        CheckConstraint("confidence IS NULL OR confidence BETWEEN 1 AND 3", name="confidence"),
        CheckConstraint("state = 'draft' OR (submitted_at IS NOT NULL AND recommendation IS NOT NULL "
                        "AND confidence IS NOT NULL)", name="submitted_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    state: Mapped[ReviewState] = mapped_column(_enum(ReviewState, "review_state"), default=ReviewState.draft)
    recommendation: Mapped[Recommendation | None] = mapped_column(_enum(Recommendation, "recommendation"))
    confidence: Mapped[int | None] = mapped_column(Integer)
    comment_committee: Mapped[str] = mapped_column(Text, default="")
    comment_speakers: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    assignment: Mapped[Assignment] = relationship(back_populates="review")
    scores: Mapped[list[ReviewScore]] = relationship(back_populates="review", cascade="all, delete-orphan")


class ReviewScore(Base):
    __tablename__ = "review_score"

    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), primary_key=True)
    # no cascade from the criterion: criteria are locked once a review is submitted
    criterion_id: Mapped[int] = mapped_column(ForeignKey("review_criterion.id"), primary_key=True, index=True)
    score: Mapped[int] = mapped_column(Integer)

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[ReviewCriterion] = relationship()


class ConflictDeclaration(Base):
    """A conflict declared by the person themself (a reviewer) or by a speaker of the proposal."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (UniqueConstraint("user_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ConflictOverride(Base):
    """The committee lifts a computed conflict (same organisation, city or mail domain), with a reason."""

    __tablename__ = "conflict_override"
    __table_args__ = (UniqueConstraint("user_id", "proposal_id"),
                      CheckConstraint("length(reason) > 0", name="reason"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganisationAlias(Base):
    """Two spellings the committee declared to be the same organisation ("Stadt Herne", "Stadtverwaltung Herne")."""

    __tablename__ = "organisation_alias"
    __table_args__ = (UniqueConstraint("event_id", "name_a", "name_b"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_a: Mapped[str] = mapped_column(String(200))
    name_b: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DecisionOutcome(enum.StrEnum):
    accept = "accept"
    waitlist = "waitlist"
    reject = "reject"


OUTCOME_LABELS = {DecisionOutcome.accept: _l("Accept"), DecisionOutcome.waitlist: _l("Waitlist"),
                  DecisionOutcome.reject: _l("Reject")}


class Decision(Base):
    """The committee's decision on a proposal: pending (revisable, invisible to speakers) until released."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    outcome: Mapped[DecisionOutcome] = mapped_column(_enum(DecisionOutcome, "decision_outcome"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    share_comments: Mapped[bool] = mapped_column(Boolean, default=False)  # rejection mails quote the reviewers
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    proposal: Mapped[Proposal] = relationship()
