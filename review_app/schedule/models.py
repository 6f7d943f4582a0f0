"""The programme: where and when each confirmed session runs (the draft the committee edits), the blocks that are not
sessions, the solver's weights, and the released versions, each an immutable snapshot with its change log."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
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
from ..events.models import Localized, Room, Venue


class BlockKind(enum.StrEnum):
    opening = "opening"
    keynote = "keynote"
    lunch = "lunch"
    pause = "pause"
    closing = "closing"
    other = "other"


BLOCK_LABELS = {
    BlockKind.opening: _l("Opening"),
    BlockKind.keynote: _l("Keynote"),
    BlockKind.lunch: _l("Lunch"),
    BlockKind.pause: _l("Break"),
    BlockKind.closing: _l("Closing"),
    BlockKind.other: _l("Other"),
}

block_rooms = Table(
    "schedule_block_room",
    Base.metadata,
    Column("block_id", ForeignKey("schedule_block.id", ondelete="CASCADE"), primary_key=True),
    Column("room_id", ForeignKey("room.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ScheduleBlock(Base):
    """A stretch of time that is not a session (opening, a keynote across rooms, lunch, a break, closing): it
    occupies its rooms (none named: every room of its venue, or of the event), so no session is placed there."""

    __tablename__ = "schedule_block"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[BlockKind] = mapped_column(Enum(BlockKind, native_enum=False, length=20, validate_strings=True,
                                                 create_constraint=True, name="block_kind"))
    title_de: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"), index=True)
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # an internal block (set-up) is not published

    title = Localized()

    venue: Mapped[Venue | None] = relationship()
    rooms: Mapped[list[Room]] = relationship(secondary=block_rooms, order_by="Room.name")


class ScheduleEntry(Base):
    """A confirmed session placed in a room at a time (UTC instants; shown in the event's zone). An exhibition space
    holds several at once, each on its own `lane` (a stand); the database refuses two entries on one lane of a room
    that overlap (an exclusion constraint on PostgreSQL, triggers on SQLite: migration 0006)."""

    __tablename__ = "schedule_entry"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="window"),
                      CheckConstraint("lane >= 0", name="lane"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), unique=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    lane: Mapped[int] = mapped_column(Integer, default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # the automatic scheduler leaves it where it is
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    proposal: Mapped[Proposal] = relationship()
    room: Mapped[Room] = relationship()
    updated_by: Mapped[User | None] = relationship()


# the soft goals of the automatic scheduler, with the weights the committee starts from (0 switches one off)
WEIGHTS: dict[str, tuple[Any, int]] = {
    "theme_spread": (_l("Spread each theme over time slots and days, not in parallel"), 10),
    "theme_room": (_l("Keep a theme's sessions together in one room"), 3),
    "audience_venue": (_l("Sessions at the venue whose programme is for their audience"), 5),
    "venue_changes": (_l("Fewer changes of venue for speakers"), 4),
    "rating_room": (_l("Better-rated sessions in larger rooms"), 2),
    "stability": (_l("Move as few sessions as possible when solving again"), 20),
}


class ScheduleSettings(Base):
    """Per event: the solver's weights (see WEIGHTS) and its time limit."""

    __tablename__ = "schedule_settings"
    __table_args__ = (CheckConstraint("time_limit BETWEEN 1 AND 600", name="time_limit"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    time_limit: Mapped[int] = mapped_column(Integer, default=20)

    def weight(self, key: str) -> int:
        return int((self.weights or {}).get(key, WEIGHTS[key][1]))


class ScheduleVersion(Base):
    """A released programme: v1, v2 … of an event, never changed once written. `snapshot` holds everything the
    public pages and feeds show; `changes` what changed against the version before (new, moved, cancelled)."""

    __tablename__ = "schedule_version"
    __table_args__ = (UniqueConstraint("event_id", "number"), CheckConstraint("number > 0", name="number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    snapshot: Mapped[dict] = mapped_column(JSON)
    # when an account deletion rewrote the snapshot (a person's details leave the released programme): part of the
    # public renderings' key, so every worker renders the version again
    revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changes: Mapped[dict] = mapped_column(JSON)

    released_by: Mapped[User | None] = relationship()
