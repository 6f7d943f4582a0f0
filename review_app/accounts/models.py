"""People, their server-side login sessions and their single-use account tokens."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow


class OrganisationType(enum.StrEnum):
    city = "city"
    administration = "administration"
    company = "company"
    startup = "startup"
    research = "research"
    other = "other"


ORGANISATION_TYPE_LABELS = {
    OrganisationType.city: _l("City / municipality"),
    OrganisationType.administration: _l("Public administration"),
    OrganisationType.company: _l("Company"),
    OrganisationType.startup: _l("Start-up"),
    OrganisationType.research: _l("Research"),
    OrganisationType.other: _l("Association / other"),
}


class User(Base):
    __tablename__ = "user"
    __table_args__ = (CheckConstraint("language IN ('de', 'en')", name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    organisation_type: Mapped[OrganisationType] = mapped_column(
        Enum(OrganisationType, native_enum=False, length=20, validate_strings=True,
             create_constraint=True, name="organisation_type")
    )
    city: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="de")
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # when the person agreed to the privacy notice at registration (None: accounts made before it was asked)
    privacy_consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the site admin switched the account off: it cannot log in, and its login sessions were ended
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the person deleted their account: name, address and profile were replaced (records that must stay remain)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sessions: Mapped[list[LoginSession]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Flask-Login protocol. The id Flask-Login keeps in the cookie is the login-session token,
    # not the user id, so that deleting the LoginSession row ends that login everywhere.
    current_session_token = None  # set per request by the login-session loader; not a column
    confirmation_token = None  # set in memory by send_confirmation for its caller; the database keeps the hash
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None and self.deleted_at is None

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str | None:
        return self.current_session_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class LoginSession(Base):
    """A server-side record of one login; the cookie only carries a random token whose hash is kept here."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest request with this login

    user: Mapped[User] = relationship(back_populates="sessions")


class TokenPurpose(enum.StrEnum):
    confirm_email = "confirm_email"
    reset_password = "reset_password"  # noqa: S105 - a token purpose, not a password


class AccountToken(Base):
    """A single-use, expiring token sent by mail; only its hash is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, native_enum=False, length=20, validate_strings=True,
             create_constraint=True, name="token_purpose")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
