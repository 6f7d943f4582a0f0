"""Errors that tell the truth: an integrity error that a race causes (a UNIQUE, the schedule's room-overlap guard)
answers 409, any other (NOT NULL, CHECK, FOREIGN KEY) is logged as the bug it is and answers 500 in the page's
layout — on the database the suite runs on (psycopg's SQLSTATE on PostgreSQL, sqlite3's messages on SQLite)."""
from __future__ import annotations

import logging
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from review_app import create_app
from review_app.cfp.models import Proposal
from review_app.db import db
from review_app.errors import is_race
from review_app.events.models import Event, Room, Theme
from review_app.schedule.models import ScheduleEntry
from review_app.web import MAX_ID

from ..factories import EVENT_START, make_event, make_proposal, make_user
from .test_errors_and_headers import assert_error_page, assert_security_headers


def _entry(event: Event, room: Room, proposal_id: int, minutes_from_nine: int) -> ScheduleEntry:
    start = event.at(EVENT_START, time(9)) + timedelta(minutes=minutes_from_nine)
    return ScheduleEntry(event_id=event.id, proposal_id=proposal_id, room_id=room.id, lane=0, starts_at=start,
                         ends_at=start + timedelta(minutes=30), pinned=False)


def _theme(event_id: int, name_de: str | None = "Neu", name_en: str | None = "New") -> Theme:
    return Theme(event_id=event_id, name_de=name_de, name_en=name_en, colour="#005a9c", position=9)


# kind -> (what the bug or race does to the database, the answer); each runs in a POST (a writing request)
def _unique(event, room, proposals):  # a second theme of the same name: as when two requests add it at once
    db.session.add(_theme(event.id, name_de=event.themes[0].name_de))


def _overlap(event, room, proposals):  # two sessions in one room at once: the guard behind the editor's check
    db.session.add(_entry(event, room, proposals[0], 0))
    db.session.flush()
    db.session.add(_entry(event, room, proposals[1], 15))


def _not_null(event, room, proposals):
    db.session.add(_theme(event.id, name_en=None))


def _check(event, room, proposals):  # the call closing before it opens (the cfp_window CHECK)
    event.cfp_closes_at = event.cfp_opens_at - timedelta(days=1)


def _foreign_key(event, room, proposals):  # a theme of an event that does not exist
    db.session.add(_theme(MAX_ID))


KINDS = {"unique": (_unique, 409), "overlap": (_overlap, 409), "not_null": (_not_null, 500),
         "check": (_check, 500), "foreign_key": (_foreign_key, 500)}


@pytest.fixture
def probe(app):
    """A second app on the suite's (migrated) database with one test-only route per kind: it changes the database
    the way the kind says and flushes, leaving the IntegrityError to the app's error handler."""
    probe = create_app({"TESTING": True, "SECRET_KEY": "probe-secret",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "PASSWORD_HASHING": "fast"})
    with probe.app_context():
        owner = make_user(name="Sam Sprecher")
        event = make_event(slug="scd")
        first, second = make_proposal(event, owner), make_proposal(event, owner, title="Offene Daten")
        db.session.commit()
        ids = (event.id, [first.id, second.id])

    def bug_or_race(kind: str):
        event = db.session.get(Event, ids[0])
        room = db.session.scalar(select(Room).where(Room.event_id == event.id))
        KINDS[kind][0](event, room, ids[1])
        db.session.flush()
        db.session.commit()
        return "saved"  # never reached: every kind breaks a constraint

    probe.add_url_rule("/_test/integrity/<kind>", "bug_or_race", bug_or_race, methods=["POST"])
    yield probe
    with probe.app_context():
        db.engine.dispose()


def _rows(app) -> tuple:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "scd"))
        return (db.session.scalar(select(func.count()).select_from(Theme)),
                db.session.scalar(select(func.count()).select_from(ScheduleEntry)),
                event.cfp_opens_at, event.cfp_closes_at)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_only_a_race_answers_409_any_other_integrity_error_is_a_logged_500(app, probe, caplog, kind, language):
    client = probe.test_client()
    if language == "en":
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    before = _rows(probe)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        response = client.post(f"/_test/integrity/{kind}")
    status = KINDS[kind][1]
    assert_error_page(probe, response, status, language, default_message=True)
    assert_security_headers(response, f"{kind} page")
    body = response.get_data(as_text=True)
    assert "IntegrityError" not in body and "constraint" not in body.lower() and "theme" not in body
    assert _rows(probe) == before  # nothing of the failed request stayed
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info
              and isinstance(r.exc_info[1], IntegrityError)]
    if status == 500:  # the bug is in the log, with its traceback and the request it broke
        [record] = logged
        assert f"POST /_test/integrity/{kind}" in record.getMessage()
        assert "a bug, not a race" in record.getMessage()
    else:  # a race is no bug: nothing logged as an error
        assert logged == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_is_race_reads_the_databases_own_code(app, probe, kind):
    """The raw error from the driver itself: psycopg's SQLSTATE, sqlite3's message."""
    with probe.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "scd"))
        room = db.session.scalar(select(Room).where(Room.event_id == event.id))
        ids = list(db.session.scalars(select(Proposal.id).where(Proposal.event_id == event.id)
                                      .order_by(Proposal.id)))
        with pytest.raises(IntegrityError) as caught:
            KINDS[kind][0](event, room, ids)
            db.session.flush()
        db.session.rollback()
    err = caught.value
    if probe.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        expected = {"unique": "23505", "overlap": "23P01", "not_null": "23502", "check": "23514",
                    "foreign_key": "23503"}[kind]
        assert err.orig.sqlstate == expected
    else:
        expected = {"unique": "UNIQUE constraint failed", "overlap": "schedule_entry_room_lane_overlap",
                    "not_null": "NOT NULL constraint failed", "check": "CHECK constraint failed",
                    "foreign_key": "FOREIGN KEY constraint failed"}[kind]
        assert expected in str(err.orig)
    assert is_race(err) is (KINDS[kind][1] == 409)
