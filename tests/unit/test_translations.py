"""The German and English catalogues: complete, in step with the sources, compiled, placeholders intact,
and actually used when pages and mails are rendered.

When a test here fails after a string was added or changed: run `make translations` (or the three pybabel
lines of that target), translate the new German entries in review_app/translations/de/LC_MESSAGES/messages.po,
and compile again. The .mo files are committed, so a fresh clone works without a compile step."""
from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import render_template
from flask_babel import force_locale

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "review_app" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("de", "en")
# a %-style named placeholder with any conversion: %(name)s, %(count)d, %(price).2f …
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def mo_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo"


def load_po(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def msgids(catalog: Catalog) -> set:
    return {m.id for m in catalog if m.id}


def describe(ids) -> str:
    return "\n".join(f"  {i!r}" for i in sorted(ids, key=str))


@pytest.fixture(scope="module")
def german() -> Catalog:
    return load_po(po_path("de"), "de")


def extract_command(output: Path) -> list[str]:
    """The Makefile's own `pybabel extract` line, writing to `output` instead of the committed template."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [line] = [ln for ln in makefile.splitlines() if re.search(r"pybabel\s+extract\b", ln)]
    args = shlex.split(line.strip())
    args = args[args.index("extract"):]
    out = args.index("-o")
    args[out + 1] = str(output)
    return [sys.executable, "-m", "babel.messages.frontend", "-q", *args]


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory) -> Catalog:
    output = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(extract_command(output), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with output.open("rb") as f:
        return read_po(f)


# (a) every German string is translated and none is fuzzy

def test_every_german_string_is_translated(german):
    untranslated = [m.id for m in german if m.id and not m.string]
    fuzzy = [m.id for m in german if m.id and m.fuzzy]
    assert not untranslated, "untranslated in de/messages.po:\n" + describe(untranslated)
    assert not fuzzy, "fuzzy in de/messages.po (check and remove the flag):\n" + describe(fuzzy)
    assert len(msgids(german)) > 100  # a sanity check that the catalogue is the real one


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_header_is_not_fuzzy(lang):
    """pybabel compile silently skips a catalogue whose header is marked fuzzy."""
    catalog = load_po(po_path(lang), lang)
    assert not catalog.fuzzy
    assert str(catalog.locale) == lang


# (b) the template and both catalogues are in step with the sources

def test_template_is_up_to_date_with_the_sources(fresh_template):
    committed = msgids(load_po(POT))
    current = msgids(fresh_template)
    assert current == committed, (
        "review_app/translations/messages.pot is out of date; run `make translations`.\n"
        f"new in the sources:\n{describe(current - committed)}\n"
        f"gone from the sources:\n{describe(committed - current)}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_exactly_the_strings_of_the_sources(lang, fresh_template):
    current = msgids(fresh_template)
    catalogue = msgids(load_po(po_path(lang), lang))
    assert catalogue == current, (
        f"{lang}/messages.po is not in step with the sources; run `make translations` and translate.\n"
        f"missing:\n{describe(current - catalogue)}\nobsolete:\n{describe(catalogue - current)}")


def test_extraction_reads_only_the_app_and_its_templates(fresh_template):
    files = {path for m in fresh_template for path, _line in m.locations}
    assert files
    assert all(p.startswith(("review_app/", "templates/")) for p in files), sorted(files)
    assert any(p.startswith("templates/mail/") for p in files)


# (c) the committed .mo files are compiled from the current .po files

def _key(value):
    """A plural entry (ngettext) has a list of ids and of strings."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang):
    assert mo_path(lang).exists(), f"{mo_path(lang)} is missing; run `make translations`"
    buffer = io.BytesIO()
    write_mo(buffer, load_po(po_path(lang), lang))
    buffer.seek(0)
    expected = {_key(m.id): _key(m.string) for m in read_mo(buffer) if m.id}
    with mo_path(lang).open("rb") as f:
        committed = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    ids = sorted(expected.keys() | committed.keys(), key=str)
    stale = [k for k in ids if expected.get(k) != committed.get(k)]
    assert not stale, (f"{lang}/messages.mo is stale; run pybabel compile -d review_app/translations\n"
                       + describe(stale))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_is_not_git_ignored(lang):
    try:
        result = subprocess.run(["git", "check-ignore", "-q", str(mo_path(lang))], cwd=ROOT,
                                capture_output=True, timeout=30)
    except FileNotFoundError:
        pytest.skip("git is not installed")
    if result.returncode == 128:
        pytest.skip("not a git checkout")
    assert result.returncode == 1, f"{mo_path(lang)} is git-ignored, but a fresh clone needs it"


# (d) placeholders survive translation

def test_german_placeholders_match_the_english_ones(german):
    wrong = []
    for m in german:
        if not m.id or not any(_key(m.string) if m.pluralizable else [m.string]):
            continue
        ids, strings = (m.id, m.string) if m.pluralizable else ((m.id,), (m.string,))
        names = set(PLACEHOLDER.findall(ids[-1]))
        if any(set(PLACEHOLDER.findall(string)) != names for string in strings):
            wrong.append(m.id)
            continue
        if names:  # the string must format like the source, e.g. no stray "%"
            try:
                for string in strings:
                    string % dict.fromkeys(names, 1)
            except (KeyError, ValueError, TypeError):
                wrong.append(m.id)
    assert not wrong, "placeholders differ between msgid and German msgstr:\n" + describe(wrong)


def test_placeholder_pattern_finds_named_placeholders():
    assert PLACEHOLDER.findall("%(name)s has %(count)d of %(share).1f%%") == ["name", "count", "share"]


# (e) the catalogues are used

@pytest.mark.parametrize(("lang", "present", "absent"), [
    ("de", ["Anmelden", "Registrieren", "Passwort vergessen?", "(Pflichtfeld)", 'lang="de"'],
     ["Log in", "Register", "(required)"]),
    ("en", ["Log in", "Register", "Forgot your password?", "(required)", 'lang="en"'],
     ["Anmelden", "Registrieren", "(Pflichtfeld)"]),
])
def test_login_page_in_each_language(client, lang, present, absent):
    response = client.get("/login", headers={"Accept-Language": lang})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in present:
        assert text in page
    for text in absent:
        assert text not in page


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", ["Veranstaltungen", "Zum Inhalt springen", "Call for Sessions"]),
    ("en", ["Events", "Skip to content", "Call for sessions"]),
])
def test_start_page_in_each_language(client, lang, expected):
    response = client.get("/", headers={"Accept-Language": lang})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in expected:
        assert text in page


def test_a_missing_page_explains_itself_in_german(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "subject", "greeting"), [
    ("de", "Bitte bestätigen Sie Ihre E-Mail-Adresse", "Hallo Anna,"),
    ("en", "Please confirm your email address", "Hello Anna,"),
])
def test_mail_in_each_language(app, lang, subject, greeting):
    context = {"user": SimpleNamespace(name="Anna"), "link": "http://localhost/confirm/x"}
    with app.test_request_context("/"), force_locale(lang):
        assert render_template("mail/confirm_email.subject.txt", **context).strip() == subject
        body = render_template("mail/confirm_email.txt", **context)
    assert body.startswith(greeting)
    assert "http://localhost/confirm/x" in body
