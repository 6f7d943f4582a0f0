"""The declarative base, its naming convention, UTC timestamps, and SQLite set up for concurrent writers."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


# how long a SQLite writer waits for another one's lock before giving up with "database is locked"
SQLITE_BUSY_TIMEOUT_MS = 10_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Per SQLite connection: foreign keys enforced (SQLite ignores them unless asked; without this a row in use
    could be deleted on SQLite while PostgreSQL refuses it); WAL, so that readers never wait for a writer and a
    writer never waits for readers (a file database remembers it; an in-memory one stays "memory"); and a busy
    timeout, so that concurrent writers (gunicorn's workers, the dev server's threads) queue for the write lock
    instead of failing at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_immediate_writes(conn) -> None:
    """A request that may write (anything but GET/HEAD/OPTIONS) takes SQLite's write lock when its transaction
    begins (BEGIN IMMEDIATE): write requests run one after the other, what one read to check a rule (a state, a
    deadline, a version) cannot change before it writes, and two writers never meet half-way (a deferred
    transaction that has read and then wants to write fails at once with "database is locked", whatever the busy
    timeout). Everything else keeps the driver's own BEGIN, sent just before the first write. A second
    transaction of the same writing request would wait for the first in vain: end the first before (see
    accounts.services._record_failed_login). PostgreSQL needs none of this: row locks and version columns do the
    work there."""
    if conn.dialect.name != "sqlite" or not has_request_context() or request.method in SAFE_METHODS:
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC; refuses naive datetimes so that no local time slips in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
