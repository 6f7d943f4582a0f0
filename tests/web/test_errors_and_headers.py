"""Error pages in the site's layout and the page's language; security headers on every response; no inline
script or style anywhere; start-up refuses the default secret; configuration layering."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import abort
from flask_babel import force_locale
from sqlalchemy import select

import review_app
from review_app import create_app
from review_app.config import DEFAULT_SECRET_KEY
from review_app.db import db
from review_app.errors import DEFAULT_MESSAGES, TITLES
from review_app.events.kinds import KINDS
from review_app.events.models import EventRole, Role

from ..factories import AFTER_CFP, DURING_CFP, login, make_event, make_proposal, make_user

ROOT = Path(review_app.__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
GERMAN_CATALOGUE = ROOT / "review_app" / "translations" / "de" / "LC_MESSAGES" / "messages.mo"


@pytest.fixture
def site(app, clock):
    """An event whose call has closed, its committee member (German) and one in English."""
    clock.set(AFTER_CFP)
    with app.app_context():
        de = make_user(email="de@example.org", language="de")
        en = make_user(email="en@example.org", language="en")
        event = make_event(slug="scd", committee=de)
        from review_app.events.services import grant_role

        grant_role(event, en, Role.committee, actor=None, now=DURING_CFP)
        roles = {
            user.email: db.session.scalar(
                select(EventRole.id).where(EventRole.user_id == user.id, EventRole.role == Role.committee)
            )
            for user in (de, en)
        }
        db.session.commit()
        return {"de": de.email, "en": en.email, "roles": roles}


@pytest.fixture
def probe_app(database_url):
    """A second app with routes that fail on purpose: an unexpected exception and a 429."""
    probe = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "probe-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )

    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    def too_many():
        abort(429)

    probe.add_url_rule("/boom", "boom", boom, methods=["GET", "POST"])
    probe.add_url_rule("/too-many", "too_many", too_many)
    return probe


def _translated(app, text, language: str) -> str:
    with app.test_request_context("/"), force_locale(language):
        return str(text)


def _client(app, email: str | None, language: str):
    client = app.test_client()
    if email:
        login(client, type("U", (), {"email": email}))
    if language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


# status -> (needs a committee login, how to cause it); 429 and 500 come from the probe app
TRIGGERS = {
    400: (False, lambda c, s: c.get("/password/reset/not-a-valid-token")),
    403: (True, lambda c, s: c.get("/events/scd/proposals/new")),  # the call has closed
    404: (False, lambda c, s: c.get("/no/such/page")),
    405: (False, lambda c, s: c.get("/logout")),
    409: (True, lambda c, s: c.post(f"/events/scd/manage/people/{s['own_role']}/remove")),
    413: (False, lambda c, s: c.post("/login", data={"email": "x" * 2_000_000, "password": "x"})),
}


def assert_error_page(app, response, status: int, language: str, default_message: bool) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:1000]
    assert f'<html lang="{language}">' in body
    assert '<main id="main"' in body and 'class="site-header"' in body and 'class="site-footer"' in body
    title = _translated(app, TITLES[status], language)
    assert f"<h1>{title}</h1>" in body
    assert 'class="error-message"' in body
    if default_message:
        message = _translated(app, DEFAULT_MESSAGES[status], language)
        assert str(message).replace("'", "&#39;") in body
    assert "Traceback" not in body and "werkzeug" not in body.lower()


def test_the_german_catalogue_is_used_when_it_exists(app):
    if not GERMAN_CATALOGUE.exists():
        pytest.skip("no compiled German catalogue yet: pages fall back to the English text")
    assert _translated(app, TITLES[404], "de") != _translated(app, TITLES[404], "en")


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("status", sorted(TRIGGERS))
def test_error_pages_render_in_the_layout_and_the_pages_language(app, site, status, language):
    needs_login, trigger = TRIGGERS[status]
    email = site[language] if needs_login else None
    client = _client(app, email, "en" if language == "en" else "")
    site = {**site, "own_role": site["roles"].get(email)}
    response = trigger(client, site)
    # DomainErrors (400, 403, 409 here) carry their own message; HTTP errors the default one
    assert_error_page(app, response, status, language, default_message=status in (404, 405, 413))
    if status == 405:
        assert "POST" in response.headers["Allow"].split(", ") and "GET" not in response.headers["Allow"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_unexpected_exception_shows_the_generic_500_page_without_internals(probe_app, language):
    client = probe_app.test_client()
    if language == "en":
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for response in (client.get("/boom"), client.post("/boom", data={"x": "y"})):
        assert_error_page(probe_app, response, 500, language, default_message=True)
        body = response.get_data(as_text=True)
        assert "RuntimeError" not in body and "hunter2" not in body and "secret internals" not in body
        assert_security_headers(response, "500 page")


@pytest.mark.parametrize("language", ["de", "en"])
def test_too_many_requests_page(probe_app, language):
    client = probe_app.test_client()
    if language == "en":
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/too-many")
    assert_error_page(probe_app, response, 429, language, default_message=True)
    assert_security_headers(response, "429 page")


# -- headers ---------------------------------------------------------------------------------------------


def _csp(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{where}: no Content-Security-Policy"
    directives = _csp(csp)
    assert directives.get("script-src") == ["'self'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("base-uri") == ["'none'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("default-src") == ["'self'"], where
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in (
        "same-origin",
        "no-referrer",
        "strict-origin-when-cross-origin",
    )


def test_every_kind_of_response_carries_the_security_headers(app, site):
    anonymous = app.test_client()
    responses = {
        "HTML page": anonymous.get("/"),
        "form page": anonymous.get("/login"),
        "refused form": anonymous.post("/login", data={"email": "", "password": ""}),
        "static CSS": anonymous.get("/static/app.css"),
        "redirect": anonymous.get("/dashboard"),
        "404": anonymous.get("/no/such/page"),
        "405": anonymous.get("/logout"),
        "413": anonymous.post("/login", data={"email": "x" * 2_000_000}),
        "400": anonymous.get("/password/reset/nope"),
        "HEAD": anonymous.head("/"),
    }
    logged_in = _client(app, site["de"], "")
    responses["logged-in page"] = logged_in.get("/events/scd/manage/")
    responses["409"] = logged_in.post(f"/events/scd/manage/people/{site['roles'][site['de']]}/remove")
    expected = {
        "redirect": 302,
        "static CSS": 200,
        "404": 404,
        "405": 405,
        "413": 413,
        "400": 400,
        "409": 409,
    }
    for where, response in responses.items():
        if where in expected:
            assert response.status_code == expected[where], where
        assert_security_headers(response, where)
    assert responses["static CSS"].mimetype == "text/css"


# -- no inline script, style or handlers ---------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTR = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def test_no_template_contains_inline_script_style_or_handlers():
    files = [p for p in TEMPLATES.rglob("*") if p.is_file()]
    assert len(files) > 20
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for name, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("<style>", STYLE_TAG),
            ("style= attribute", STYLE_ATTR),
            ("on*= handler", HANDLER_ATTR),
            ("javascript: URL", SCRIPT_URL),
        ]:
            for match in pattern.finditer(text):
                problems.append(f"{path.relative_to(ROOT)}: {name}: {match.group(0)[:80]!r}")
    assert problems == []


class InlineCode(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        if "style" in names:
            self.found.append(f"<{tag} style=...>")
        self.found.extend(f"<{tag} {name}=...>" for name in names if name.startswith("on"))
        self.found.extend(
            f"<{tag} {name}=javascript:>"
            for name, value in attrs
            if (value or "").strip().lower().startswith("javascript:")
        )


def test_rendered_pages_of_the_main_routes_have_no_inline_code(app, clock):
    clock.set(DURING_CFP)
    with app.app_context():
        user = make_user(email="c@example.org", admin=True)
        event = make_event(slug="scd", committee=user)
        proposal = make_proposal(event, user)
        item_ids = {name: getattr(event, {"rooms": "venues"}.get(name, name))[0].id for name in KINDS}
        item_ids["rooms"] = (
            event.venues[0].rooms[0].id if event.venues[0].rooms else event.venues[1].rooms[0].id
        )
        db.session.commit()
        proposal_id = proposal.id
    anonymous = app.test_client()
    client = _client(app, "c@example.org", "")
    pages = [
        (anonymous, url)
        for url in [
            "/",
            "/events/scd/",
            "/login",
            "/register",
            "/confirm",
            "/password/forgot",
            "/no/such/page",
        ]
    ]
    pages += [
        (client, url)
        for url in [
            "/",
            "/events/scd/",
            "/dashboard",
            "/profile",
            "/profile/password",
            "/events/scd/proposals/new",
            f"/events/scd/proposals/{proposal_id}",
            f"/events/scd/proposals/{proposal_id}/edit",
            "/events/scd/manage/",
            "/events/scd/manage/settings",
            "/events/scd/manage/travel-times",
            "/events/scd/manage/people",
            "/events/scd/manage/proposals",
            "/manage/events/new",
        ]
    ]
    for name in KINDS:
        pages += [
            (client, f"/events/scd/manage/{name}/"),
            (client, f"/events/scd/manage/{name}/new"),
            (client, f"/events/scd/manage/{name}/{item_ids[name]}/edit"),
        ]
    pages.append((client, "/events/scd/proposals/new?x=1"))
    for who, url in pages:
        response = who.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        parser = InlineCode()
        parser.feed(response.get_data(as_text=True))
        assert parser.found == [], (url, parser.found)
        assert_security_headers(response, url)
    # a refused form, with its error summary, too
    response = client.post("/events/scd/proposals/new", data={"title": ""})
    assert response.status_code == 422
    parser = InlineCode()
    parser.feed(response.get_data(as_text=True))
    assert parser.found == []


# -- start-up and configuration ----------------------------------------------------------------------------


@pytest.fixture
def bare_root(tmp_path, monkeypatch):
    """create_app with an empty instance folder of our own and no REVIEW_APP_* from the real environment."""
    monkeypatch.setattr(review_app, "ROOT", tmp_path)
    import os

    for name in list(os.environ):
        if name.startswith("REVIEW_APP_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    (tmp_path / "instance").mkdir()
    return tmp_path


BASE = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False}


def test_the_app_refuses_to_start_with_the_default_secret_key_in_production(bare_root):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**BASE, "SECRET_KEY": DEFAULT_SECRET_KEY, "TESTING": False, "DEBUG": False})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**BASE, "TESTING": False, "DEBUG": False})  # the default is the default secret
    assert create_app({**BASE, "SECRET_KEY": DEFAULT_SECRET_KEY, "TESTING": True}).testing
    assert create_app({**BASE, "SECRET_KEY": DEFAULT_SECRET_KEY, "DEBUG": True}).debug
    assert not create_app({**BASE, "SECRET_KEY": "a real secret", "TESTING": False, "DEBUG": False}).testing


def test_configuration_layers_instance_then_environment_then_test_config(bare_root, monkeypatch):
    (bare_root / "instance" / "config.py").write_text(
        'SECRET_KEY = "from-instance"\nBASE_URL = "https://instance.example"\nMAIL_PORT = 2525\n'
        'MAIL_SERVER = "smtp.instance.example"\nMAIL_USE_TLS = False\n',
        encoding="utf-8",
    )
    app = create_app({**BASE})
    assert (app.config["SECRET_KEY"], app.config["BASE_URL"], app.config["MAIL_PORT"]) == (
        "from-instance",
        "https://instance.example",
        2525,
    )

    monkeypatch.setenv("REVIEW_APP_BASE_URL", "https://env.example")
    monkeypatch.setenv("REVIEW_APP_MAIL_PORT", "587")
    monkeypatch.setenv("REVIEW_APP_MAIL_USE_TLS", "yes")
    monkeypatch.setenv("REVIEW_APP_RATELIMIT_ENABLED", "off")
    monkeypatch.setenv("REVIEW_APP_DATABASE_URL", "sqlite:///env.sqlite")
    app = create_app({})
    assert app.config["BASE_URL"] == "https://env.example"  # environment beats instance config
    assert app.config["MAIL_PORT"] == 587 and type(app.config["MAIL_PORT"]) is int
    assert app.config["MAIL_USE_TLS"] is True
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///env.sqlite"
    assert app.config["MAIL_SERVER"] == "smtp.instance.example"  # untouched by the environment
    assert app.config["SECRET_KEY"] == "from-instance"

    app = create_app({**BASE, "BASE_URL": "http://test.example", "MAIL_PORT": 9})
    assert app.config["BASE_URL"] == "http://test.example"  # test config beats the environment
    assert app.config["MAIL_PORT"] == 9


def test_a_malformed_environment_value_stops_start_up(bare_root, monkeypatch):
    monkeypatch.setenv("REVIEW_APP_MAIL_PORT", "not-a-number")
    with pytest.raises(ValueError):
        create_app({**BASE, "TESTING": True})
    monkeypatch.setenv("REVIEW_APP_MAIL_PORT", "25")
    monkeypatch.setenv("REVIEW_APP_MAIL_USE_TLS", "maybe")
    with pytest.raises(ValueError, match="boolean"):
        create_app({**BASE, "TESTING": True})
