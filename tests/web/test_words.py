"""Words and looks of forms and committee pages: the app's own validation messages naming the field, a visible
error style, event settings that keep the review window in place, asking before removing a role, saying what
still uses something that cannot be deleted, add buttons and headings, durations, error page titles."""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from datetime import date

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectFieldBase

import review_app
from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events.models import Event, EventRole, Role, Room, SessionFormat, Theme, Venue
from review_app.forms import BaseForm, DayRowsForm, FieldError

from ..factories import DURING_CFP, login, make_event, make_proposal, make_user

# WTForms' stock messages, English and German (its own catalogue), none of which may reach a page
STOCK = ["Not a valid", "This field is required", "Field must be", "Field cannot be", "Number must be",
         "Invalid Choice", "Invalid choice", "not a valid choice", "Invalid email", "Invalid input", "Invalid URL",
         "Keine gültige", "Kein gültiger", "Dieses Feld", "Feld muss", "Feld kann", "Zahl muss", "Ungültige Auswahl",
         "Ungültige E-Mail", "Ungültige Eingabe", "Ungültiger Wert"]


def _committee_client(app, client, language="de"):
    with app.app_context():
        chair = make_user(name="Chair", language=language)
        event = make_event(slug="scd", committee=chair)
        db.session.commit()
        email, event_id = chair.email, event.id
    login(client, email)
    return event_id


# -- 3. every form speaks the app's words -------------------------------------------------------------------

def _app_form_classes() -> list[type]:
    for info in pkgutil.walk_packages(review_app.__path__, "review_app."):
        if info.name.endswith(".forms"):
            importlib.import_module(info.name)
    found, todo = [], [BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        # only the classes a module defines (not the per-event copies DayRowsForm.with_days builds)
        if getattr(sys.modules[cls.__module__], cls.__name__, None) is cls and cls.__module__ != "review_app.forms":
            found.append(cls)
    return sorted(set(found), key=lambda c: (c.__module__, c.__name__))


def _bad_form(cls, value: str):
    data = MultiDict()
    probe = cls.with_days([date(2025, 2, 5)]) if issubclass(cls, DayRowsForm) else cls()
    for f in probe:
        if f.name != "csrf_token":
            data.add(f.name, value)
    form = cls.with_days([date(2025, 2, 5)], formdata=data) if issubclass(cls, DayRowsForm) else cls(formdata=data)
    for f in form:
        if isinstance(f, SelectFieldBase) and getattr(f, "choices", ()) is None:
            f.choices = [(1, "Eins")]  # choices filled per event in the app
    return form


BAD_VALUES = ["", "x", "x" * 20001, "-99999999", "99999999999999", "2024-13-45T25:99"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_form_names_the_field_in_its_own_words_never_wtforms_stock_messages(app, language):
    classes = _app_form_classes()
    assert {"RegisterForm", "ProposalForm", "RoomForm", "EventForm", "CriterionForm"} <= {c.__name__ for c in classes}
    template = ('{% from "_macros/forms.html" import fields, form_errors %}'
                '{{ form_errors(form) }}<form>{{ fields(form) }}</form>')
    replaced = set()
    with app.test_request_context("/", method="POST"), force_locale(language):
        for cls in classes:
            for value in BAD_VALUES:
                form = _bad_form(cls, value)
                form.validate()
                html = render_template_string(template, form=form)
                for stock in STOCK:
                    assert stock not in html, (cls.__name__, value, stock)
                for f in form:
                    for error in f.errors:
                        assert not any(stock in str(error) for stock in STOCK), (cls.__name__, f.name, error)
                        if isinstance(error, FieldError):
                            label = str(f.label.text)
                            label = label[:1].upper() + label[1:]
                            assert str(error).startswith(f"{label}: "), (cls.__name__, f.name, error)
                            errors_html = html.split(f'id="{f.id}-errors"', 1)[1].split("</ul>", 1)[0]
                            assert label in errors_html
                            replaced.add(error.detail)
    # the kinds of message the forms gave: a required field, too long, too short, not a number, not a date …
    expected = {"de": ["bitte ausfüllen.", "höchstens 200 Zeichen.", "mindestens 10 Zeichen.",
                       "bitte eine ganze Zahl eingeben.", "bitte ein Datum eingeben (JJJJ-MM-TT).",
                       "bitte Datum und Uhrzeit eingeben (JJJJ-MM-TT HH:MM).", "bitte eine Uhrzeit eingeben (HH:MM).",
                       "bitte einen der angebotenen Werte wählen.", "bitte eine gültige E-Mail-Adresse eingeben.",
                       "eine Zahl von 1 bis 100000."],
                "en": ["please fill this in.", "at most 200 characters.", "at least 10 characters.",
                       "please enter a whole number.", "please enter a date (YYYY-MM-DD).",
                       "please enter a date and a time (YYYY-MM-DD HH:MM).", "please enter a time (HH:MM).",
                       "please choose one of the options offered.", "please enter a valid email address.",
                       "a number from 1 to 100000."]}[language]
    assert set(expected) <= replaced, set(expected) - replaced


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_wrong_entry_on_a_page_reads_as_the_apps_words(app, client, language):
    _committee_client(app, client, language)
    page = client.post("/events/scd/manage/rooms/new", data={"venue_id": "abc", "name": "x" * 121,
                                                             "capacity": "zehn"})
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    for stock in STOCK:
        assert stock not in body
    if language == "de":
        assert "Name: höchstens 120 Zeichen." in body
        assert "Kapazität (Personen): bitte eine ganze Zahl eingeben." in body
    else:
        assert "Name: at most 120 characters." in body
        assert "Capacity (people): please enter a whole number." in body
    # a value that cannot be read is one error, not also "a number from 1 to 100000"
    assert body.split('id="capacity-errors"', 1)[1].split("</ul>", 1)[0].count("<li>") == 1
    # the summary names the field once, then the message
    summary = body.split('class="form-error"', 1)[1].split("</div>", 1)[0]
    assert re.search(r'<a href="#capacity">[^<]+</a>: (bitte eine ganze Zahl eingeben|please enter a whole number)\.',
                     summary)


# -- 7. a visible error style -------------------------------------------------------------------------------

def test_an_invalid_field_carries_the_error_class_aria_invalid_and_the_error_prefix(app, client):
    event_id = _committee_client(app, client)
    with app.app_context():
        venue_id = db.session.scalar(select(Venue.id).where(Venue.event_id == event_id))
    # bad capacity (text input), unknown venue (select), unknown format (checkboxes), a day without times
    r = client.post("/events/scd/manage/rooms/new", data={"venue_id": "99999", "name": "", "capacity": "0",
                                                          "format_ids": ["99999"], "day0_open": "y",
                                                          "day0_opens": "", "day0_closes": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    for name in ("name", "capacity", "venue_id"):
        control = re.search(rf'<(input|select)[^>]*\bid="{name}"[^>]*>', body).group(0)
        assert 'aria-invalid="true"' in control, control
        block = body.split(f'id="{name}"', 1)[0].rsplit('<div class="field', 1)[1]
        assert block.startswith(" has-error"), name
        errors = body.split(f'id="{name}-errors"', 1)[1].split("</ul>", 1)[0]
        assert '<span class="error-prefix">Fehler:</span>' in errors
    fieldset = re.search(r'<fieldset[^>]*aria-describedby="format_ids-errors"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in fieldset
    checkboxes = re.findall(r'<input[^>]*name="format_ids"[^>]*>', body)
    assert checkboxes and all('aria-invalid="true"' in c for c in checkboxes)
    assert re.search(r'<input[^>]*id="day0_opens"[^>]*aria-invalid="true"|<input[^>]*aria-invalid="true"[^>]*'
                     r'id="day0_opens"', body)
    assert '<div class="day-row has-error">' in body
    # a valid field is not marked
    assert 'aria-invalid' not in re.search(r'<select[^>]*id="venue_id"[^>]*>', client.get(
        "/events/scd/manage/rooms/new").get_data(as_text=True)).group(0)
    assert venue_id


# -- 1. the review window in the event settings -------------------------------------------------------------

SETTINGS = {"name": "Smart City Days 2025", "colour": "#00527a", "starts_on": "2025-02-05", "ends_on": "2025-02-06",
            "timezone": "Europe/Berlin", "cfp_opens_at": "2024-09-02T09:00", "cfp_closes_at": "2024-12-01T23:59",
            "review_opens_at": "2024-12-02T00:00", "review_closes_at": "2024-12-20T18:00"}


@pytest.mark.parametrize("field, value, message", [
    ("review_opens_at", "2024-09-01T12:00",
     "Die Begutachtung kann nicht vor dem Beginn der Einreichungsphase beginnen."),
    ("review_closes_at", "2025-02-05T10:00",
     "Die Begutachtung muss vor der Veranstaltung enden (vor ihrem ersten Tag)."),
])
def test_the_review_window_lies_after_the_call_opens_and_ends_before_the_event(app, client, field, value, message):
    event_id = _committee_client(app, client)
    with app.app_context():
        before = db.session.get(Event, event_id).review_opens_at, db.session.get(Event, event_id).review_closes_at
    r = client.post("/events/scd/manage/settings", data={**SETTINGS, field: value})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert message in body.split(f'id="{field}-errors"', 1)[1].split("</ul>", 1)[0]
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.review_opens_at, event.review_closes_at) == before and event.name != "Smart City Days 2025"
    # on the edges it is fine: the review opens with the call, and ends at midnight before the first day
    r = client.post("/events/scd/manage/settings", data={**SETTINGS, "review_opens_at": "2024-09-02T09:00",
                                                          "review_closes_at": "2025-02-05T00:00"})
    assert r.status_code == 302, r.get_data(as_text=True)


# -- 2. removing a role asks first; deleting something in use says what uses it ------------------------------

def test_removing_a_role_asks_first(app, client):
    event_id = _committee_client(app, client)
    with app.app_context():
        rita = make_user(email="rita@example.org", name="Rita Reviewer")
        event = db.session.get(Event, event_id)
        from review_app.events.services import grant_role

        row_id = grant_role(event, rita, Role.reviewer, actor=None, now=event.cfp_opens_at).id
        db.session.commit()
    people = client.get("/events/scd/manage/people").get_data(as_text=True)
    link = f'href="/events/scd/manage/people/{row_id}/remove"'
    assert link in people  # a link to the question, not a button that removes at once
    assert f'action="/events/scd/manage/people/{row_id}/remove"' not in people
    ask = client.get(f"/events/scd/manage/people/{row_id}/remove")
    body = ask.get_data(as_text=True)
    assert ask.status_code == 200
    assert "Die Rolle „Gutachter*in“ von Rita Reviewer entfernen?" in body
    assert f'action="/events/scd/manage/people/{row_id}/remove"' in body and "Ja, Rolle entfernen" in body
    assert 'href="/events/scd/manage/people"' in body
    with app.app_context():
        assert db.session.get(EventRole, row_id) is not None  # asking removed nothing
    assert client.post(f"/events/scd/manage/people/{row_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(EventRole, row_id) is None


def test_one_cannot_be_asked_to_remove_ones_own_committee_seat(app, client):
    event_id = _committee_client(app, client)
    with app.app_context():
        own = db.session.scalar(select(EventRole.id).where(EventRole.event_id == event_id,
                                                           EventRole.role == Role.committee))
    r = client.get(f"/events/scd/manage/people/{own}/remove")
    assert r.status_code == 409 and "Ja, Rolle entfernen" not in r.get_data(as_text=True)


def test_deleting_what_proposals_use_says_which_and_leads_back(app, client):
    event_id = _committee_client(app, client)
    with app.app_context():
        event = db.session.get(Event, event_id)
        theme = event.themes[0]
        for i, state in enumerate([ProposalState.draft, ProposalState.submitted, ProposalState.withdrawn]):
            make_proposal(event, make_user(), state=state, title=f"Vorschlag {i}", main_theme_id=theme.id)
        db.session.commit()
        theme_id, format_id = theme.id, event.formats[0].id
    r = client.post(f"/events/scd/manage/themes/{theme_id}/delete")
    body = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "„Künstliche Intelligenz“ kann nicht gelöscht werden" in body
    assert "Verwendet von 3 Einreichungen: „Vorschlag 0“, „Vorschlag 1“, „Vorschlag 2“." in body
    assert 'href="/events/scd/manage/themes/"' in body and "Zurück zur Liste: Themenfelder" in body
    # the question page says so before anyone clicks, and offers no delete button
    ask = client.get(f"/events/scd/manage/themes/{theme_id}/delete").get_data(as_text=True)
    assert "Verwendet von 3 Einreichungen" in ask and "Ja, löschen" not in ask
    r = client.post(f"/events/scd/manage/formats/{format_id}/delete")
    assert r.status_code == 409 and "Verwendet von 3 Einreichungen" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Theme, theme_id) is not None and db.session.get(SessionFormat, format_id) is not None


def test_deleting_a_venue_with_rooms_names_the_rooms(app, client):
    event_id = _committee_client(app, client)
    with app.app_context():
        villa = db.session.scalar(select(Venue).where(Venue.event_id == event_id, Venue.name == "Mulvany Villa"))
        db.session.add(Room(event_id=event_id, venue_id=villa.id, name="Foyer", capacity=40))
        db.session.commit()
        villa_id = villa.id
    r = client.post(f"/events/scd/manage/venues/{villa_id}/delete")
    body = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Dieser Veranstaltungsort hat noch 2 Räume: „Foyer“, „Saal“." in body
    assert 'href="/events/scd/manage/venues/"' in body
    with app.app_context():
        assert db.session.get(Venue, villa_id) is not None
        assert len(list(db.session.scalars(select(Room).where(Room.venue_id == villa_id)))) == 2
    # an unused venue is deleted after the question
    with app.app_context():
        db.session.add(Venue(event_id=event_id, name="Leer", address=""))
        db.session.commit()
        empty_id = db.session.scalar(select(Venue.id).where(Venue.name == "Leer"))
    assert "Ja, löschen" in client.get(f"/events/scd/manage/venues/{empty_id}/delete").get_data(as_text=True)
    assert client.post(f"/events/scd/manage/venues/{empty_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Venue, empty_id) is None


# -- 4. add buttons and headings --------------------------------------------------------------------------

@pytest.mark.parametrize("language, add, new, edit", [
    ("de", "Raum hinzufügen", "Neuer Raum", "Raum bearbeiten: Saal"),
    ("en", "Add a room", "New room", "Edit room: Saal"),
])
def test_add_buttons_and_form_headings_read_as_sentences(app, client, language, add, new, edit):
    event_id = _committee_client(app, client, language)
    with app.app_context():
        room_id = db.session.scalar(select(Room.id).where(Room.event_id == event_id))
    items = client.get("/events/scd/manage/rooms/").get_data(as_text=True)
    assert f'href="/events/scd/manage/rooms/new">{add}</a>' in items
    assert "Hinzufügen:" not in items and "Add:" not in items
    assert f"<h1>{new}</h1>" in client.get("/events/scd/manage/rooms/new").get_data(as_text=True)
    assert f"<h1>{edit}</h1>" in client.get(f"/events/scd/manage/rooms/{room_id}/edit").get_data(as_text=True)


# -- 5. durations, 8. descriptions not as headers ------------------------------------------------------------

@pytest.mark.parametrize("language, talk, workshop", [("de", "30 Min.", "1 Std. 30 Min."),
                                                     ("en", "30 min", "1 h 30 min")])
def test_lengths_are_written_one_way_everywhere(app, client, clock, language, talk, workshop):
    clock.set(DURING_CFP)
    _committee_client(app, client, language)
    formats = client.get("/events/scd/manage/formats/").get_data(as_text=True)
    assert f"<td>{talk}</td>" in formats and f"<td>{workshop}</td>" in formats
    proposal_form = client.get("/events/scd/proposals/new").get_data(as_text=True)
    assert f"({talk})</option>" in proposal_form and f"({workshop})</option>" in proposal_form
    public = client.get("/events/scd/").get_data(as_text=True)
    assert f"<td>{talk}</td>" in public and f"<td>{workshop}</td>" in public


def test_format_descriptions_are_cells_not_row_headers(app, client):
    with app.app_context():
        event = make_event(slug="scd")
        event.formats[0].description_de = "Fünfzehn Minuten Vortrag, fünf Minuten Fragen."
        db.session.commit()
    body = client.get("/events/scd/").get_data(as_text=True)
    headers = re.findall(r'<th scope="row">(.*?)</th>', body, re.S)
    assert headers and "Praxisvortrag" in headers and all("Fragen" not in h for h in headers)
    assert "<td>Fünfzehn Minuten Vortrag, fünf Minuten Fragen.</td>" in body


# -- 6. error pages titled in plain words ----------------------------------------------------------------

@pytest.mark.parametrize("language, title", [("de", "Seite nicht gefunden"), ("en", "Page not found")])
def test_error_pages_are_titled_in_plain_words(app, client, language, title):
    if language == "en":
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = client.get("/no/such/page")
    body = r.get_data(as_text=True)
    assert r.status_code == 404
    page_title = re.search(r"<title>(.*?)</title>", body, re.S).group(1).strip()
    assert page_title.startswith(title) and "404" not in page_title
    assert f"<h1>{title}</h1>" in body
    code = {"de": "Fehlercode 404", "en": "Error code 404"}[language]
    assert f'<p class="hint error-code">{code}</p>' in body


def test_a_field_label_names_a_required_checkbox(app):
    """A required box that is not ticked asks to tick it (not 'fill this in')."""
    class Consent(BaseForm):
        agree = BooleanField("Zustimmung", validators=[__import__("wtforms").validators.DataRequired()])

    with app.test_request_context("/", method="POST"), force_locale("de"):
        form = Consent(formdata=MultiDict())
        assert not form.validate()
        assert form.agree.errors == ["Zustimmung: bitte ankreuzen."]
