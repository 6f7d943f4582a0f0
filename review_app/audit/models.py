"""One row per state change or configuration change."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import Base, UTCDateTime, db, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str | None] = mapped_column(String(30))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record(*, actor: User | None, action: str, obj: Base, now: datetime, event_id: int | None = None,
           from_state: str | None = None, to_state: str | None = None, **details) -> AuditEntry:
    """Write an audit row for `action` on `obj`; the caller's transaction carries it."""
    db.session.flush()  # the object needs its id
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        event_id=event_id if event_id is not None else getattr(obj, "event_id", None),
        action=action,
        object_type=type(obj).__tablename__,
        object_id=getattr(obj, "id", None),
        from_state=from_state,
        to_state=to_state,
        details={k: v for k, v in details.items() if v is not None},
        at=now,
    )
    db.session.add(entry)
    return entry
