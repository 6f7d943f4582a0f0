"""The site admin's view of the audit log: filters and one page of entries, in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..audit.models import AuditEntry
from ..db import db
from ..events.models import Event

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""  # part of the actor's email address
    event_id: int | None = None
    object_type: str = ""
    date_from: date | None = None  # whole days in `zone`, both ends included
    date_to: date | None = None
    zone: str = "Europe/Berlin"


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def object_types() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)))


def events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_on.desc(), Event.id.desc())))


def _start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _query(f: AuditFilter):
    query = select(AuditEntry)
    if f.action:
        query = query.where(AuditEntry.action == f.action)
    if f.object_type:
        query = query.where(AuditEntry.object_type == f.object_type)
    if f.event_id is not None:
        query = query.where(AuditEntry.event_id == f.event_id)
    if f.actor:
        query = query.where(AuditEntry.actor_id.in_(
            select(User.id).where(User.email.contains(f.actor.strip().lower(), autoescape=True))))
    if f.date_from:
        query = query.where(AuditEntry.at >= _start(f.date_from, f.zone))
    if f.date_to:
        query = query.where(AuditEntry.at < _start(f.date_to + timedelta(days=1), f.zone))
    return query


def entries(f: AuditFilter, page: int) -> tuple[list[AuditEntry], int]:
    """One page (1-based) of matching entries, newest first, with their actors; and how many match in all."""
    query = _query(f)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(db.session.scalars(query.options(joinedload(AuditEntry.actor))
                                   .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                   .limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    return rows, total
