"""An event (edition) and everything the committee configures for it."""
from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import Base, UTCDateTime, utcnow


def page_language() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "de"


class Localized:
    """A text kept twice, as `<name>_de` and `<name>_en`; reading `<name>` gives the page's language's
    version, or the other one when that is empty. Every text the committee writes for the public or the
    speakers is declared so, and its form shows both side by side."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        de, en = getattr(obj, f"{self.name}_de"), getattr(obj, f"{self.name}_en")
        return (en or de) if page_language() == "en" else (de or en)


class Bilingual:
    """Objects named in German and English; `name` follows the page's language."""

    name_de: Mapped[str]
    name_en: Mapped[str]
    name = Localized()


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("cfp_closes_at > cfp_opens_at", name="cfp_window"),
        CheckConstraint("review_closes_at > review_opens_at", name="review_window"),
        CheckConstraint("changeover_minutes BETWEEN 0 AND 120", name="changeover_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    motto_de: Mapped[str] = mapped_column(String(200), default="")
    motto_en: Mapped[str] = mapped_column(String(200), default="")
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # the event's identity in the page header: a colour the committee sets (dark enough for white text)
    colour: Mapped[str] = mapped_column(String(7), default="#00527a")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/Berlin")
    cfp_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cfp_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the time a room needs between two sessions (people out, people in, the next speaker's laptop)
    changeover_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    motto = Localized()
    description = Localized()

    venues: Mapped[list[Venue]] = relationship(back_populates="event", order_by="Venue.name",
                                                cascade="all, delete-orphan")
    themes: Mapped[list[Theme]] = relationship(order_by="Theme.position, Theme.id", cascade="all, delete-orphan")
    audiences: Mapped[list[Audience]] = relationship(order_by="Audience.id", cascade="all, delete-orphan")
    formats: Mapped[list[SessionFormat]] = relationship(order_by="SessionFormat.id", cascade="all, delete-orphan")
    criteria: Mapped[list[ReviewCriterion]] = relationship(order_by="ReviewCriterion.position, ReviewCriterion.id",
                                                           cascade="all, delete-orphan")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> list[date]:
        return [self.starts_on + timedelta(days=i) for i in range((self.ends_on - self.starts_on).days + 1)]

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def at(self, day: date, clock: time) -> datetime:
        """A wall-clock time on an event day, as an aware datetime in the event's zone."""
        return datetime.combine(day, clock, tzinfo=self.tz)

    def cfp_is_open(self, now: datetime) -> bool:
        return self.cfp_opens_at <= now < self.cfp_closes_at

    def window(self, day: date, starts: time, ends: time) -> tuple[datetime, datetime]:
        """A wall-clock window on an event day as UTC-comparable aware datetimes; an end of 00:00 is midnight."""
        end_day = day + timedelta(days=1) if ends <= starts else day
        return self.at(day, starts), self.at(end_day, ends)


class Role(enum.StrEnum):
    speaker = "speaker"
    reviewer = "reviewer"
    committee = "committee"


ROLE_LABELS = {Role.speaker: _l("Speaker"), Role.reviewer: _l("Reviewer"), Role.committee: _l("Committee member")}


class EventRole(Base):
    """Per event a person can be speaker, reviewer and/or committee member: one row per role."""

    __tablename__ = "event_role"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20, validate_strings=True,
                                            create_constraint=True, name="role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


room_formats = Table(
    "room_format",
    Base.metadata,
    Column("room_id", ForeignKey("room.id", ondelete="CASCADE"), primary_key=True),
    Column("format_id", ForeignKey("session_format.id", ondelete="CASCADE"), primary_key=True, index=True),
)

venue_audiences = Table(
    "venue_audience",
    Base.metadata,
    Column("venue_id", ForeignKey("venue.id", ondelete="CASCADE"), primary_key=True),
    Column("audience_id", ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True, index=True),
)

format_venues = Table(
    "format_venue",
    Base.metadata,
    Column("format_id", ForeignKey("session_format.id", ondelete="CASCADE"), primary_key=True),
    Column("venue_id", ForeignKey("venue.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Venue(Base):
    __tablename__ = "venue"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    description = Localized()

    event: Mapped[Event] = relationship(back_populates="venues")
    rooms: Mapped[list[Room]] = relationship(back_populates="venue", order_by="Room.name",
                                             cascade="all, delete-orphan")
    # the audiences the venue's programme is for (the scheduler prefers sessions for them here); none: any
    audiences: Mapped[list[Audience]] = relationship(secondary=venue_audiences, order_by="Audience.id")


class Room(Base):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("venue_id", "name"), CheckConstraint("capacity > 0", name="capacity"),
                      CheckConstraint("stands IS NULL OR stands BETWEEN 1 AND 200", name="stands"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(Integer)
    # an exhibition space holds this many stands at once (each a session, e.g. a hands-on demo); None: a room
    # that holds one session at a time
    stands: Mapped[int | None] = mapped_column(Integer)

    venue: Mapped[Venue] = relationship(back_populates="rooms")
    formats: Mapped[list[SessionFormat]] = relationship(secondary=room_formats, order_by="SessionFormat.id")
    openings: Mapped[list[RoomOpening]] = relationship(back_populates="room",
                                                       order_by="RoomOpening.day, RoomOpening.opens",
                                                       cascade="all, delete-orphan")

    @property
    def parallel(self) -> int:
        """How many sessions the room holds at once."""
        return self.stands or 1


class RoomOpening(Base):
    """A window in which a room is open on one event day, in the event's wall-clock time; a room may have several
    a day (closed over lunch). The services keep a room's windows of a day apart."""

    __tablename__ = "room_opening"
    __table_args__ = (CheckConstraint("closes > opens", name="hours"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    room: Mapped[Room] = relationship(back_populates="openings")


class TravelTime(Base):
    """Minutes needed between two venues; stored once per unordered pair (venue_a_id < venue_b_id)."""

    __tablename__ = "travel_time"
    __table_args__ = (
        UniqueConstraint("venue_a_id", "venue_b_id"),
        CheckConstraint("venue_a_id < venue_b_id", name="ordered_pair"),
        CheckConstraint("minutes >= 0", name="minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    venue_a_id: Mapped[int] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"))
    venue_b_id: Mapped[int] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)

    venue_a: Mapped[Venue] = relationship(foreign_keys=[venue_a_id])
    venue_b: Mapped[Venue] = relationship(foreign_keys=[venue_b_id])


class Theme(Bilingual, Base):
    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("event_id", "name_de"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_de: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description = Localized()
    colour: Mapped[str] = mapped_column(String(7), default="#005a9c")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Audience(Bilingual, Base):
    __tablename__ = "audience"
    __table_args__ = (UniqueConstraint("event_id", "name_de"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_de: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))


class SessionFormat(Bilingual, Base):
    __tablename__ = "session_format"
    __table_args__ = (UniqueConstraint("event_id", "name_de"),
                      CheckConstraint("default_minutes > 0", name="default_minutes"),
                      CheckConstraint("expected_audience IS NULL OR expected_audience > 0", name="expected_audience"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_de: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description = Localized()
    default_minutes: Mapped[int] = mapped_column(Integer)
    # the audience a session of this format usually draws, the default of each session's expected audience
    expected_audience: Mapped[int | None] = mapped_column(Integer)

    venues: Mapped[list[Venue]] = relationship(secondary=format_venues, order_by="Venue.name")


class ReviewCriterion(Bilingual, Base):
    __tablename__ = "review_criterion"
    __table_args__ = (
        UniqueConstraint("event_id", "name_de"),
        CheckConstraint("weight > 0", name="weight"),
        CheckConstraint("scale_max > scale_min", name="scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name_de: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description = Localized()
    weight: Mapped[int] = mapped_column(Integer, default=1)
    scale_min: Mapped[int] = mapped_column(Integer, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    position: Mapped[int] = mapped_column(Integer, default=0)
