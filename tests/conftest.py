"""Fixtures: one app and database per test session (SQLite, or PostgreSQL with TEST_DATABASE_URL),
every table emptied after each test, a real SMTP server on loopback, a settable clock."""
from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from review_app import create_app
from review_app.db import Base, db

TEST_PASSWORD = "correct horse battery"


def _postgres_database(admin_url: str) -> Iterator[str]:
    """Create a fresh database for this run and drop it afterwards."""
    url = make_url(admin_url)
    name = f"review_app_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url:
        yield from _postgres_database(admin_url)
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


class Clock:
    """A settable clock for the app (config CLOCK); None means real time."""

    def __init__(self):
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        self.moment = moment


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 9,  # nothing listens; tests that send mail use the smtp_server fixture
        "MAIL_SUPPRESS_SEND": False,
        "PASSWORD_HASHING": "fast",
    })
    with app.app_context():
        upgrade()  # the schema comes from the migrations, as in production
    return app


def empty_database() -> None:
    """Delete every row of every table (inside an app context); ids start again at 1 on PostgreSQL."""
    db.session.rollback()
    db.session.remove()
    with db.engine.begin() as conn:
        # DELETE, not TRUNCATE: truncating 35 mostly empty tables costs PostgreSQL a tenth of a second per test
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE c.relkind = 'S' AND n.nspname = current_schema()"))


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        empty_database()
    from review_app.public import cache

    # the public renderings, the kept versions and the front door's answers were of the rows just deleted: the next
    # test's event 1, version 1 is another one
    cache.clear()
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["RATELIMIT_ENABLED"] = False
    from review_app.extensions import limiter

    # the limiter is one object for every app built in this process: a test that built a rate-limited app
    # must not leave it switched on, nor leave counts that answer 429 in the next test
    limiter.enabled = False
    if getattr(limiter, "_storage", None) is not None:
        limiter.reset()
    app.config.pop("CLOCK", None)


@pytest.fixture
def ctx(app):
    """An application context for calling services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def clock(app) -> Clock:
    c = Clock()
    app.config["CLOCK"] = c
    return c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the loopback SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append({"envelope_to": list(envelope.rcpt_tos), "msg": msg, "raw": envelope.content,
                              "subject": str(msg["subject"]), "to": str(msg["to"]),
                              "body": msg.get_body(preferencelist=("plain",)).get_content()})
        return "250 OK"

    def to(self, address: str) -> list[dict]:
        return [m for m in self.messages if address in m["envelope_to"]]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback; the app's Flask-Mail points at it for this test."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    state = app.extensions["mail"]
    old = (state.server, state.port)
    state.server, state.port = "127.0.0.1", port
    try:
        yield inbox
    finally:
        state.server, state.port = old
        controller.stop()
