"""The site's and the event's identity: the header's event name and colour, the footer's legal pages, consent to
the privacy notice at registration, the favicon, a past edition's page, links in the event's texts."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from review_app.accounts.models import User
from review_app.db import db
from review_app.events.forms import contrast_with_white
from review_app.events.models import Event

from ..factories import AFTER_CFP, DURING_CFP, login, make_event, make_user

SETTINGS = {"name": "Smart City Days 2025", "motto_de": "Transformationsprozess Metropolregion Ruhr",
            "starts_on": "2025-02-05", "ends_on": "2025-02-06", "timezone": "Europe/Berlin",
            "cfp_opens_at": "2024-09-02T09:00", "cfp_closes_at": "2024-12-01T23:59",
            "review_opens_at": "2024-12-02T00:00", "review_closes_at": "2024-12-20T18:00"}
REGISTRATION = {"name": "Anna Beispiel", "email": "anna@example.org", "password": "a good long password",
                "password_confirm": "a good long password", "organisation": "Stadt Bochum",
                "organisation_type": "city", "city": "Bochum", "language": "en"}


def _event(app, **kwargs) -> int:
    with app.app_context():
        event = make_event(slug="scd", **kwargs)
        db.session.commit()
        return event.id


def _chair(app, client, language: str = "de") -> int:
    with app.app_context():
        chair = make_user(email="chair@example.org", language=language)
        event = make_event(slug="scd", committee=chair)
        db.session.commit()
        event_id = event.id
    login(client, "chair@example.org")
    return event_id


# -- the header ---------------------------------------------------------------------------------------------

def test_every_page_of_an_event_names_it_in_the_header_and_links_its_colour(app, client, clock):
    clock.set(DURING_CFP)
    _chair(app, client)
    for path in ("/events/scd/", "/events/scd/manage/", "/events/scd/manage/settings", "/events/scd/proposals/new"):
        page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        header = page.split('<header class="site-header">')[1].split("</header>")[0]
        assert '<a class="brand-event" href="/events/scd/">Smart City Days' in header, path
        assert '<link rel="stylesheet" href="/events/scd/theme.css?v=00527a">' in page, path
    # pages outside an event carry the site's name only
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "brand-event" not in page and "theme.css" not in page


def test_theme_css_holds_the_colour_and_is_cacheable(app, client):
    event_id = _event(app)
    with app.app_context():
        db.session.get(Event, event_id).colour = "#6a3d9a"
        db.session.commit()
    r = client.get("/events/scd/theme.css?v=6a3d9a")
    assert r.status_code == 200 and r.mimetype == "text/css"
    assert ".site-header { background-color: #6a3d9a; }" in r.get_data(as_text=True)
    assert "max-age" in r.headers["Cache-Control"] and r.headers["ETag"]
    again = client.get("/events/scd/theme.css?v=6a3d9a", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/events/nope/theme.css").status_code == 404


@pytest.mark.parametrize(("colour", "language", "message"), [
    ("#ffcc00", "en", "Colour: white text on #ffcc00 has a contrast of only 1.5:1"),
    ("#7f9fbf", "de", "Farbe: Weiße Schrift auf #7f9fbf hat nur einen Kontrast von 2,8:1"),
])
def test_a_colour_too_light_for_white_text_is_refused(app, client, colour, language, message):
    event_id = _chair(app, client, language)
    r = client.post("/events/scd/manage/settings", data={**SETTINGS, "name": "Renamed", "colour": colour})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page and 'id="colour-errors"' in page
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.name, event.colour) != ("Renamed", colour) and event.colour == "#00527a"
    # a dark one is taken
    assert client.post("/events/scd/manage/settings", data={**SETTINGS, "colour": "#6a3d9a"}).status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id).colour == "#6a3d9a"


def test_the_contrast_follows_wcag():
    assert contrast_with_white("#000000") == pytest.approx(21)
    assert contrast_with_white("#ffffff") == pytest.approx(1)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes


# -- the footer's legal pages -------------------------------------------------------------------------------

LEGAL = {"imprint": ("Impressum", "Imprint", "[Name der Organisation]", "[Name of the organisation]"),
         "privacy": ("Datenschutzerklärung", "Privacy notice", "Audit-Log", "Audit log"),
         "accessibility": ("Erklärung zur Barrierefreiheit", "Accessibility statement", "Schlichtungsverfahren",
                           "Enforcement procedure")}


@pytest.mark.parametrize("name", LEGAL)
def test_each_legal_page_shows_its_default_text_in_both_languages(client, name):
    title_de, title_en, text_de, text_en = LEGAL[name]
    de = client.get(f"/legal/{name}", headers={"Accept-Language": "de"})
    en = client.get(f"/legal/{name}", headers={"Accept-Language": "en"})
    assert de.status_code == en.status_code == 200
    assert f"<h1>{title_de}</h1>" in de.get_data(as_text=True) and text_de in de.get_data(as_text=True)
    assert f"<h1>{title_en}</h1>" in en.get_data(as_text=True) and text_en in en.get_data(as_text=True)
    assert text_de not in en.get_data(as_text=True)
    # every page's footer links all three
    home = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert f'<a href="/legal/{name}">{title_de}</a>' in home


def test_the_privacy_notice_says_what_the_app_stores(client):
    page = client.get("/legal/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for stored in ("Account data", "Proposals", "Login sessions on the server", "Mails in the outbox", "Audit log"):
        assert stored in page


def test_an_instance_text_overrides_the_default(app, client, tmp_path):
    old = app.instance_path
    app.instance_path = str(tmp_path)
    try:
        (tmp_path / "legal").mkdir()
        (tmp_path / "legal" / "imprint.de.md").write_text("## Betreiberin\n\nStadt Herne, Friedrich-Ebert-Platz 2",
                                                          encoding="utf-8")
        de = client.get("/legal/imprint", headers={"Accept-Language": "de"}).get_data(as_text=True)
        # without an English text of the operator's, theirs in German rather than the placeholder
        en = client.get("/legal/imprint", headers={"Accept-Language": "en"}).get_data(as_text=True)
        privacy = client.get("/legal/privacy", headers={"Accept-Language": "de"}).get_data(as_text=True)
    finally:
        app.instance_path = old
    for page in (de, en):
        assert "<h2>Betreiberin</h2>" in page and "Friedrich-Ebert-Platz 2" in page
        assert "[Name der Organisation]" not in page and "[Name of the organisation]" not in page
    assert "Audit-Log" in privacy  # the other pages keep their defaults
    assert client.get("/legal/nothing").status_code == 404


# -- consent at registration ----------------------------------------------------------------------------------

def test_registration_records_the_consent_to_the_privacy_notice(app, client, clock):
    clock.set(DURING_CFP)
    form = client.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="privacy_consent"' in form and 'href="/legal/privacy"' in form
    r = client.post("/register", data={**REGISTRATION, "privacy_consent": "y"})
    assert r.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "anna@example.org"))
        assert user.privacy_consented_at == DURING_CFP


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Please agree to the privacy notice: without it we cannot create your account."),
    ("de", "Bitte stimmen Sie der Datenschutzerklärung zu: Ohne Ihre Zustimmung können wir Ihr Konto nicht anlegen."),
])
def test_registration_without_consent_is_refused_at_the_field(app, client, language, message):
    r = client.post("/register", data=REGISTRATION, headers={"Accept-Language": language})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in re.search(r'id="privacy_consent-errors">.*?</ul>', page, re.S).group(0)  # at the field
    box = re.search(r'<input[^>]*name="privacy_consent"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in box and "required" in box
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


# -- favicon --------------------------------------------------------------------------------------------------

def test_the_favicon_is_linked_and_favicon_ico_leads_to_it(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    r = client.get("/favicon.ico")
    assert r.status_code in (301, 302) and r.headers["Location"].endswith("/static/favicon.svg")
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.get_data(as_text=True).startswith("<svg")


# -- the public event page ------------------------------------------------------------------------------------

def test_a_past_edition_says_it_took_place_and_no_longer_invites_proposals(app, client, clock):
    _event(app)
    clock.set(DURING_CFP)
    open_page = client.get("/events/scd/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "What a proposal needs" in open_page and "took place" not in open_page
    with app.app_context():
        later = make_event(slug="next", cfp_opens=datetime(2026, 1, 5, 8, tzinfo=UTC),
                           cfp_closes=datetime(2026, 12, 1, 22, 59, tzinfo=UTC))
        later.name = "Smart City Days 2027"
        db.session.commit()
    clock.set(AFTER_CFP)  # the call has closed, the event is still to come
    assert "took place" not in client.get("/events/scd/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC))  # the event (5–6 February 2025) is over
    page = client.get("/events/scd/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This edition is over: it took place on Wednesday, February 5, 2025 – Thursday, February 6, 2025." in page
    assert "What a proposal needs" not in page and "Submit a proposal" not in page
    assert '<a href="/events/next/">call for sessions of Smart City Days 2027</a>' in page
    de = client.get("/events/scd/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Diese Ausgabe ist vorbei. Sie fand statt: Mittwoch, 5. Februar 2025 – Donnerstag, 6. Februar 2025." in de


def test_web_addresses_in_the_event_description_become_safe_links(app, client, clock):
    event_id = _event(app)
    with app.app_context():
        db.session.get(Event, event_id).description_de = (
            "Anmeldung über www.smart-people-city.de; Programm: https://example.org/programm. "
            "[Nicht](javascript:alert(1)) <script>alert(2)</script>")
        db.session.commit()
    clock.set(DURING_CFP)
    page = client.get("/events/scd/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert ('<a href="http://www.smart-people-city.de" rel="nofollow noopener noreferrer">www.smart-people-city.de'
            '</a>;') in page
    assert '<a href="https://example.org/programm" rel="nofollow noopener noreferrer">' in page
    assert 'href="javascript' not in page and "<script>alert" not in page


# -- time zones as people say them, on the home page ------------------------------------------------------

@pytest.mark.parametrize(("closes", "de", "en"), [
    (datetime(2024, 12, 1, 22, 59, tzinfo=UTC), "01.12.2024, 23:59 MEZ", "Dec 1, 2024, 23:59 CET"),
    (datetime(2024, 7, 31, 21, 59, tzinfo=UTC), "31.07.2024, 23:59 MESZ", "Jul 31, 2024, 23:59 CEST"),
], ids=["winter", "summer"])
def test_the_home_page_gives_deadlines_with_the_zone_as_people_say_it(app, client, clock, closes, de, en):
    _event(app, cfp_opens=datetime(2024, 6, 1, tzinfo=UTC), cfp_closes=closes)
    clock.set(datetime(2024, 7, 1, tzinfo=UTC))
    assert de in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert en in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
