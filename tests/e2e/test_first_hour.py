"""The first hour on a phone, in both languages: a newcomer registers, confirms, proposes and submits; an
organiser logs in and finds the proposals through the navigation. On every page of both journeys: no content
in the other language (the committee wrote every text twice), no sideways scrolling at 390 px, no axe-core
violation."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events.models import Event

from ..conftest import TEST_PASSWORD
from ..factories import DURING_CFP, OUTSIDE, make_event, make_proposal, make_user

WIDTH = 390
PERSON = {"name": "Ada Neuling", "email": "ada@example.org", "password": "a good long password",
          "organisation": "Stadt Castrop-Rauxel", "city": "Castrop-Rauxel"}

# Texts the committee wrote in both languages; the page in one language must show none of the other's.
TEXTS = {
    "motto": ("Transformationsprozess Metropolregion Ruhr", "Transformation process of the Ruhr region"),
    "description": ("Deutsche Beschreibung der Veranstaltung", "English description of the event"),
    "theme": ("Verwaltung ganz digital erklärt", "Administration explained the digital way"),
    "format": ("Zwanzig Minuten aus der Praxis", "Twenty minutes from practice"),
    "venue": ("Ein Haus im Park", "A house in the park"),
}
# names the factory gives in both languages
NAMES = {"de": ["Künstliche Intelligenz", "Praxisvortrag", "Kommunen", "Bürger*innen"],
         "en": ["Artificial intelligence", "Best-practice talk", "Municipalities", "Citizens"]}


def _bilingual_event(committee=None, slug="first-hour") -> Event:
    event = make_event(slug=slug, committee=committee)
    event.motto_de, event.motto_en = TEXTS["motto"]
    event.description_de, event.description_en = (f"{TEXTS['description'][0]}: https://example.org/de",
                                                  f"{TEXTS['description'][1]}: https://example.org/en")
    for theme in event.themes:
        theme.description_de, theme.description_en = TEXTS["theme"]
    for fmt in event.formats:
        fmt.description_de, fmt.description_en = TEXTS["format"]
    for venue in event.venues:
        venue.description_de, venue.description_en = TEXTS["venue"]
    db.session.flush()
    return event


def foreign_markers(lang: str) -> list[str]:
    other = 1 if lang == "de" else 0
    return [pair[other] for pair in TEXTS.values()] + NAMES["en" if lang == "de" else "de"]


class Journey:
    """Checks each page a person reaches: its language, its width on a phone, axe-core."""

    def __init__(self, page, axe, lang: str):
        self.page, self.axe, self.lang = page, axe, lang
        self.pages: list[str] = []

    def check(self, label: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        text = page.locator("body").inner_text()
        found = [m for m in foreign_markers(self.lang) if m in text]
        assert not found, f"{label} ({page.url}) in {self.lang} shows {found}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width == WIDTH, f"{label} ({page.url}) is {width} px wide on a {WIDTH} px screen"
        self.axe.scan(page, f"{label} [{self.lang}]")
        self.pages.append(label)


WORDS = {
    "en": {"register": "Register", "create": "Create account", "submit_a_proposal": "Submit a proposal",
           "choose_format": "Best-practice talk (30 min)", "choose_theme": "Data spaces",
           "save_submit": "Save and submit", "submitted": "Submitted", "my": "My proposals",
           "log_in": "Log in", "proposals": "Proposals", "manage": "Manage"},
    "de": {"register": "Registrieren", "create": "Konto anlegen", "submit_a_proposal": "Session einreichen",
           "choose_format": "Praxisvortrag (30 Min.)", "choose_theme": "Data Spaces",
           "save_submit": "Speichern und einreichen", "submitted": "Eingereicht", "my": "Meine Einreichungen",
           "log_in": "Anmelden", "proposals": "Einreichungen", "manage": "Verwalten"},
}


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_a_newcomer_on_a_phone_meets_only_their_language_and_no_sideways_scrolling(app, clock, mailer, open_page,
                                                                                    axe, locale):
    lang, words = locale[:2], WORDS[locale[:2]]
    clock.set(DURING_CFP)
    with app.app_context():
        _bilingual_event()
        db.session.commit()
    page = open_page(locale, viewport={"width": WIDTH, "height": 844})
    journey = Journey(page, axe, lang)

    page.goto("/")
    journey.check("home")
    page.get_by_role("link", name=re.compile("Smart City Days")).first.click()
    expect(page.get_by_text(TEXTS["motto"][0 if lang == "de" else 1])).to_be_visible()
    expect(page.get_by_role("link", name=f"https://example.org/{lang}")).to_be_visible()
    journey.check("event page")
    page.get_by_role("navigation", name=re.compile("Main|Haupt")).get_by_role("link", name=words["register"]).click()
    journey.check("register")
    for field, value in [("#name", PERSON["name"]), ("#email", PERSON["email"]), ("#password", PERSON["password"]),
                         ("#password_confirm", PERSON["password"]), ("#organisation", PERSON["organisation"]),
                         ("#city", PERSON["city"])]:
        page.locator(field).fill(value)
    page.locator("#organisation_type").select_option("city")
    page.locator("#language").select_option(lang)
    page.locator("#privacy_consent").check()
    page.get_by_role("button", name=words["create"]).click()
    expect(page).to_have_url(re.compile(r"/login"))
    journey.check("login after registering")

    mailer.deliver()
    page.goto(mailer.link_in(mailer.last_to(PERSON["email"]), "/confirm/"))
    journey.check("confirmation")
    if "/login" not in page.url:
        page.goto("/login")
    page.locator("#email").fill(PERSON["email"])
    page.locator("#password").fill(PERSON["password"])
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    journey.check("dashboard")

    page.get_by_role("link", name=words["submit_a_proposal"]).first.click()
    journey.check("new proposal form")
    page.locator("#title").fill("Sensoren für saubere Luft")
    page.locator("#abstract").fill("Wie Castrop-Rauxel die Luft misst.")
    page.locator("#description").fill("## Ablauf\n\nEin Bericht.")
    page.locator("#format_id").select_option(label=words["choose_format"])
    page.locator("#main_theme_id").select_option(label=words["choose_theme"])
    page.get_by_role("button", name=words["save_submit"]).click()
    expect(page.locator(".state").first).to_contain_text(words["submitted"])
    journey.check("proposal page")
    page.get_by_role("navigation", name=re.compile("Main|Haupt")).get_by_role("link", name=words["my"]).click()
    journey.check("dashboard with a proposal")
    axe.assert_clean()
    assert len(journey.pages) == 9


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_an_organiser_logs_in_and_reaches_the_proposals_through_the_navigation(app, clock, open_page, axe, locale):
    lang, words = locale[:2], WORDS[locale[:2]]
    clock.set(DURING_CFP)
    with app.app_context():
        chair = make_user(email="chair@beirat.example", name="Carla Chair", language=lang, **OUTSIDE)
        speaker = make_user(email="speaker@example.org", language=lang)
        event = _bilingual_event(committee=chair)
        make_event(slug="another-edition", committee=chair)  # two events: the navigation has to lead the way
        make_proposal(event, speaker, title="Luftdaten für alle")
        make_proposal(event, speaker, title="Glasfaser im Quartier", state=ProposalState.submitted)
        name = event.name
        db.session.commit()
    page = open_page(locale, viewport={"width": WIDTH, "height": 844})
    journey = Journey(page, axe, lang)

    page.goto("/")
    page.get_by_role("navigation", name=re.compile("Main|Haupt")).get_by_role("link", name=words["log_in"]).click()
    journey.check("login")
    page.locator("#email").fill("chair@beirat.example")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#submit").click()
    # with two events the organiser lands on the list of their events, then picks one
    journey.check("landing")
    page.get_by_role("link", name=words["my"]).click()  # wander off, then come back through the header
    page.get_by_role("navigation", name=re.compile("Main|Haupt")).get_by_role("link", name=words["manage"]).click()
    expect(page).to_have_url(re.compile(r"/manage/$"))
    journey.check("my events")
    page.get_by_role("link", name=re.compile(rf"^{words['proposals']}\s*:\s*{name}$")).click()
    expect(page).to_have_url(re.compile(r"/events/first-hour/manage/proposals"))
    expect(page.get_by_role("link", name="Glasfaser im Quartier")).to_be_visible()
    journey.check("proposal list")
    page.get_by_role("link", name="Glasfaser im Quartier").click()
    journey.check("proposal (committee)")
    axe.assert_clean()
