"""The read-only API of released programmes: its OpenAPI document describes every answer (schemathesis checks each
operation with generated requests against it: no 5xx, answers that match the schema), it shows only the latest
released version, and bad input answers a JSON 4xx."""
from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.db import db
from review_app.events.models import Event
from review_app.public import cache
from review_app.schedule import releases, services
from review_app.schedule.models import ScheduleEntry

from .schedule_helpers import CHAIR_EMAIL, DAY1, SLUG, T, build_world, local

SESSIONS = [{"title": "Open data in Herne", "speaker": "Ada Open"},
            {"title": "Sensoren für saubere Luft 🌳", "speaker": "Bernd Luft", "language": "de"},
            {"title": "Fibre for every school", "speaker": "Cleo Fibre"}]


@pytest.fixture
def released(app):
    """A programme of three placed sessions, released as version 1: (slug, session ids)."""
    cache.clear()
    w = build_world(app, sessions=SESSIONS)
    with app.app_context():
        event = db.session.get(Event, w.event_id)
        chair = db.session.get(User, w.chair_id)
        for i, pid in enumerate(w.sessions.values()):
            services.place(event, pid, w.saal_id, local(DAY1, 10 + i), actor=chair, now=T)
        releases.release(event, "v1", actor=chair, now=T)
        db.session.commit()
    yield SLUG, list(w.sessions.values())
    cache.clear()


def test_every_api_operation_answers_as_its_openapi_document_says(app, released):
    """schemathesis generates requests for every operation of the document (valid ids and slugs and others);
    each answer is below 500 and matches the document (status, content type, schema)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call()
            assert response.status_code < 500, (case.path, response.status_code, response.text[:500])
            case.validate_response(response)

        check()


def test_the_api_shows_only_the_latest_release_never_the_draft(app, client, released):
    slug, ids = released
    data = client.get(f"/api/v1/events/{slug}/sessions").get_json()
    assert data["version"] == 1 and sorted(s["id"] for s in data["sessions"]) == sorted(ids)
    first = ids[0]
    before = client.get(f"/api/v1/events/{slug}/sessions/{first}").get_json()
    with app.app_context():  # the committee moves a session in the draft, without releasing
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        chair = db.session.scalar(select(User).where(User.email == CHAIR_EMAIL))
        entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == first))
        services.place(event, first, entry.room_id, entry.starts_at + timedelta(hours=3), actor=chair, now=T,
                       expected_version=entry.version)
        db.session.commit()
    after = client.get(f"/api/v1/events/{slug}/sessions/{first}").get_json()
    assert after["start"] == before["start"]
    assert after["start"].endswith("+01:00") or after["start"].endswith("+00:00")


def test_bad_input_answers_json_4xx(client, released):
    slug, ids = released
    cases = {
        "/api/v1/events/no-such-event": 404,
        f"/api/v1/events/{slug}/sessions/999999": 404,
        f"/api/v1/events/{slug}/speakers/999999": 404,
        f"/api/v1/events/{slug}/sessions?theme=abc": 400,
        f"/api/v1/events/{slug}/sessions?theme=1&theme=2": 400,
        f"/api/v1/events/{slug}/sessions?colour=red": 400,
        f"/api/v1/events/{slug}/sessions?language=" + "x" * 100: 400,
        "/api/v1/events?" + "a=1&" * 300: 400,
    }
    for path, status in cases.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert response.is_json and response.get_json()["error"], path
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_api_answers_are_conditional(client, released):
    slug, _ids = released
    first = client.get(f"/api/v1/events/{slug}/sessions")
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(f"/api/v1/events/{slug}/sessions", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_without_a_release_the_event_is_not_in_the_api(app, client):
    cache.clear()
    build_world(app, sessions=SESSIONS[:2])
    assert client.get("/api/v1/events").get_json() == {"events": []}
    assert client.get(f"/api/v1/events/{SLUG}/sessions").status_code == 404
