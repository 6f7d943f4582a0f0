"""The committee configures its event through forms; the site admin creates events."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from review_app.audit.models import AuditEntry
from review_app.db import db
from review_app.events.models import (
    Audience,
    Event,
    EventRole,
    ReviewCriterion,
    Role,
    Room,
    SessionFormat,
    Theme,
    TravelTime,
    Venue,
)

from ..factories import login, make_event, make_user


def _committee_client(app, client):
    with app.app_context():
        chair = make_user(name="Chair")
        event = make_event(slug="scd", committee=chair)
        db.session.commit()
        email, event_id = chair.email, event.id
    login(client, email)
    return event_id


def test_committee_adds_venue_room_with_hours_and_formats_and_travel_time(app, client):
    event_id = _committee_client(app, client)
    r = client.post("/events/scd/manage/venues/new", data={"name": "Kulturzentrum", "address": "Berliner Platz 11"})
    assert r.status_code == 302
    with app.app_context():
        venue = db.session.scalar(select(Venue).where(Venue.name == "Kulturzentrum"))
        villa = db.session.scalar(select(Venue).where(Venue.event_id == event_id, Venue.name == "Mulvany Villa"))
        talk = db.session.scalar(select(SessionFormat).where(SessionFormat.event_id == event_id,
                                                             SessionFormat.name_en == "Best-practice talk"))
        venue_id, villa_id, talk_id = venue.id, villa.id, talk.id
        assert venue.event_id == event_id and venue.address == "Berliner Platz 11"
    r = client.post("/events/scd/manage/rooms/new", data={
        "venue_id": venue_id, "name": "Großer Saal", "capacity": "250", "format_ids": [talk_id],
        "day0_open": "y", "day0_opens": "10:00", "day0_closes": "16:30"})  # day 2 left closed
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        room = db.session.scalar(select(Room).where(Room.name == "Großer Saal"))
        assert room.capacity == 250 and room.venue_id == venue_id and [f.id for f in room.formats] == [talk_id]
        assert [(o.day, o.opens, o.closes) for o in room.openings] == [(date(2025, 2, 5), time(10), time(16, 30))]
    page = client.get("/events/scd/manage/rooms/").get_data(as_text=True)
    assert "Großer Saal" in page and "250" in page
    r = client.post("/events/scd/manage/travel-times", data={"venue_a_id": venue_id, "venue_b_id": villa_id,
                                                              "minutes": "20"})
    assert r.status_code == 302
    # setting the same pair the other way round updates the one row
    client.post("/events/scd/manage/travel-times", data={"venue_a_id": villa_id, "venue_b_id": venue_id,
                                                          "minutes": "25"})
    with app.app_context():
        rows = list(db.session.scalars(select(TravelTime).where(TravelTime.event_id == event_id)))
        assert [(min(r.venue_a_id, r.venue_b_id), max(r.venue_a_id, r.venue_b_id), r.minutes) for r in rows] == [
            (min(venue_id, villa_id), max(venue_id, villa_id), 25)]
    assert "25" in client.get("/events/scd/manage/travel-times").get_data(as_text=True)


def test_committee_manages_themes_audiences_formats_and_criteria(app, client):
    event_id = _committee_client(app, client)
    assert client.post("/events/scd/manage/themes/new", data={
        "name_de": "Intelligente Mobilität", "name_en": "Smart mobility", "description_de": "Verkehr",
        "colour": "#aa3300", "position": "4"}).status_code == 302
    assert client.post("/events/scd/manage/audiences/new", data={
        "name_de": "Schüler*innen", "name_en": "Pupils"}).status_code == 302
    with app.app_context():
        villa_id = db.session.scalar(select(Venue.id).where(Venue.event_id == event_id,
                                                            Venue.name == "Mulvany Villa"))
    assert client.post("/events/scd/manage/formats/new", data={
        "name_de": "Podiumsdiskussion", "name_en": "Panel", "default_minutes": "60",
        "venue_ids": [villa_id]}).status_code == 302
    assert client.post("/events/scd/manage/criteria/new", data={
        "name_de": "Übertragbarkeit", "name_en": "Transferability", "weight": "3", "scale_min": "1",
        "scale_max": "5"}).status_code == 302
    with app.app_context():
        theme = db.session.scalar(select(Theme).where(Theme.name_en == "Smart mobility"))
        assert (theme.event_id, theme.colour, theme.position) == (event_id, "#aa3300", 4)
        assert db.session.scalar(select(Audience).where(Audience.name_en == "Pupils")).event_id == event_id
        panel = db.session.scalar(select(SessionFormat).where(SessionFormat.name_en == "Panel"))
        assert panel.default_minutes == 60 and [v.id for v in panel.venues] == [villa_id]
        crit = db.session.scalar(select(ReviewCriterion).where(ReviewCriterion.name_en == "Transferability"))
        assert (crit.weight, crit.scale_min, crit.scale_max) == (3, 1, 5)
        theme_id = theme.id
        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event_id)))
        assert {"theme.create", "audience.create", "session_format.create", "review_criterion.create"} <= actions
    # edit and delete
    assert client.post(f"/events/scd/manage/themes/{theme_id}/edit", data={
        "name_de": "Mobilität", "name_en": "Mobility", "colour": "#aa3300", "position": "4"}).status_code == 302
    with app.app_context():
        assert db.session.get(Theme, theme_id).name_de == "Mobilität"
    assert client.post(f"/events/scd/manage/themes/{theme_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Theme, theme_id) is None
    # a duplicate name in the same event is a clear conflict, not a 500
    r = client.post("/events/scd/manage/audiences/new", data={"name_de": "Schüler*innen", "name_en": "Pupils"})
    assert r.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Audience).where(
            Audience.event_id == event_id, Audience.name_de == "Schüler*innen")) == 1


def test_criterion_scale_must_rise(app, client):
    _committee_client(app, client)
    r = client.post("/events/scd/manage/criteria/new", data={
        "name_de": "X", "name_en": "X", "weight": "1", "scale_min": "5", "scale_max": "5"})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(ReviewCriterion).where(ReviewCriterion.name_de == "X")) is None


def test_event_settings_are_wall_clock_times_in_the_event_zone(app, client):
    event_id = _committee_client(app, client)
    r = client.post("/events/scd/manage/settings", data={
        "name": "Smart City Days 2025", "motto_de": "Transformationsprozess Metropolregion Ruhr", "colour": "#00527a",
        "starts_on": "2025-02-05", "ends_on": "2025-02-06", "timezone": "Europe/Berlin",
        "cfp_opens_at": "2024-09-02T09:00", "cfp_closes_at": "2024-12-01T23:59",
        "review_opens_at": "2024-12-02T00:00", "review_closes_at": "2024-12-20T18:00"})
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.cfp_closes_at == datetime(2024, 12, 1, 22, 59, tzinfo=UTC)  # CET = UTC+1
        assert event.cfp_opens_at == datetime(2024, 9, 2, 7, 0, tzinfo=UTC)  # CEST = UTC+2
    form = client.get("/events/scd/manage/settings").get_data(as_text=True)
    assert 'value="2024-12-01T23:59"' in form
    r = client.post("/events/scd/manage/settings", data={
        "name": "X", "starts_on": "2025-02-05", "ends_on": "2025-02-04", "timezone": "Mars/Olympus",
        "cfp_opens_at": "2024-09-02T09:00", "cfp_closes_at": "2024-09-01T23:59",
        "review_opens_at": "2024-12-02T00:00", "review_closes_at": "2024-12-20T18:00"})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.get(Event, event_id).name == "Smart City Days 2025"


def test_event_settings_sent_without_their_dates_answer_422_naming_them_and_change_nothing(app, client):
    """A post that leaves out the dates (a hand-made request, a broken form) must not reach the date rules with the
    stored, time-zone-aware values: a clear 422 in the page's language, nothing saved."""
    event_id = _committee_client(app, client)
    with app.app_context():
        before = db.session.get(Event, event_id)
        before = (before.name, before.starts_on, before.cfp_closes_at, before.review_closes_at)
    for missing in (["starts_on", "cfp_opens_at", "cfp_closes_at", "review_opens_at", "review_closes_at"],
                    ["review_closes_at"], ["starts_on"]):
        data = {"name": "Renamed", "starts_on": "2025-02-05", "ends_on": "2025-02-06", "timezone": "Europe/Berlin",
                "colour": "#00527a", "cfp_opens_at": "2024-09-02T09:00", "cfp_closes_at": "2024-12-01T23:59",
                "review_opens_at": "2024-12-02T00:00", "review_closes_at": "2024-12-20T18:00"}
        for name in missing:
            del data[name]
        r = client.post("/events/scd/manage/settings", data=data)
        body = r.get_data(as_text=True)
        assert r.status_code == 422, (missing, body[:500])
        for name in missing:  # the chair speaks German: each left-out field is named in the summary
            assert f'<a href="#{name}">' in body and "bitte ausfüllen." in body
        with app.app_context():
            after = db.session.get(Event, event_id)
            assert (after.name, after.starts_on, after.cfp_closes_at, after.review_closes_at) == before


def test_committee_gives_roles_to_registered_people(app, client):
    event_id = _committee_client(app, client)
    with app.app_context():
        reviewer = make_user(email="reviewer@example.org", name="Rita Reviewer")
        db.session.commit()
        reviewer_id = reviewer.id
    assert client.post("/events/scd/manage/people", data={"email": "Reviewer@example.org",
                                                          "role": "reviewer"}).status_code == 302
    r = client.post("/events/scd/manage/people", data={"email": "nobody@example.org", "role": "reviewer"})
    assert r.status_code == 422 and 'id="email-errors"' in r.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(EventRole).where(EventRole.user_id == reviewer_id))
        assert (row.event_id, row.role) == (event_id, Role.reviewer)
        row_id = row.id
    assert "Rita Reviewer" in client.get("/events/scd/manage/people").get_data(as_text=True)
    assert client.post(f"/events/scd/manage/people/{row_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(EventRole, row_id) is None


def test_only_site_admins_create_events_and_become_its_committee(app, client):
    with app.app_context():
        admin = make_user(name="Admin", admin=True)
        plain = make_user(name="Plain")
        db.session.commit()
        admin, plain = admin.email, plain.email
    data = {"slug": "scd-2027", "name": "Smart City Days 2027", "starts_on": "2027-02-03",
            "ends_on": "2027-02-04", "timezone": "Europe/Berlin", "cfp_opens_at": "2026-09-01T09:00",
            "cfp_closes_at": "2027-01-10T23:59", "review_opens_at": "2027-01-11T00:00",
            "review_closes_at": "2027-01-25T18:00"}
    login(client, plain)
    assert client.post("/manage/events/new", data=data).status_code == 404
    client.post("/logout")
    login(client, admin)
    assert client.post("/manage/events/new", data=data).status_code == 302
    assert client.post("/manage/events/new", data=data).status_code == 409  # the slug is taken
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "scd-2027"))
        assert event.name == "Smart City Days 2027"
        roles = list(db.session.scalars(select(EventRole).where(EventRole.event_id == event.id)))
        assert [(r.user.name, r.role) for r in roles] == [("Admin", Role.committee)]
    assert "Smart City Days 2027" in client.get("/").get_data(as_text=True)
