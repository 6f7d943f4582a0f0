"""Real-browser tests: Debian's Chromium driven by Playwright against the app served on loopback.

See /work/shared/docs/browser-tests.md. Every test here carries the `e2e` marker. Without Chromium or
axe-core (``npm ci --ignore-scripts``) the directory is skipped, unless REQUIRE_E2E=1 (as in CI): then
every test here fails, so that the browser tests can never silently skip.
"""
from __future__ import annotations

import gettext
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from review_app.db import db
from review_app.mail.services import send_pending

from . import html_check

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DE_CATALOGUE = ROOT / "review_app" / "translations" / "de" / "LC_MESSAGES" / "messages.mo"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _missing() -> list[str]:
    missing = []
    if (html := html_check.missing()) is not None:
        missing.append(html)
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium not found at {CHROMIUM} (apt-get install --no-install-recommends chromium, "
                       "or set CHROMIUM_PATH)")
    if not AXE_JS.is_file():
        missing.append(f"{AXE_JS.relative_to(ROOT)} is missing (run `npm ci --ignore-scripts`)")
    return missing


def _required() -> bool:
    return os.environ.get("REQUIRE_E2E", "").strip().lower() in ("1", "true", "yes", "on")


# ---------------------------------------------------------------- collection and options

def pytest_configure(config):
    # Screenshots of failures unless the command line says otherwise (into --output, default test-results/).
    given = " ".join(str(a) for a in config.invocation_params.args)
    if "--screenshot" not in given and config.getoption("screenshot", default=None) == "off":
        config.option.screenshot = "only-on-failure"


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item of the session: touch only those in this directory.
    mine = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    missing = _missing()
    for item in mine:
        item.add_marker(pytest.mark.e2e)
        if missing and not _required():
            item.add_marker(pytest.mark.skip(reason="e2e: " + "; ".join(missing)))


@pytest.fixture(scope="session", autouse=True)
def _e2e_requirements():
    missing = _missing()
    if missing:  # only reached with REQUIRE_E2E=1; otherwise the tests were marked as skipped
        pytest.fail("REQUIRE_E2E is set but the browser tests cannot run: " + "; ".join(missing),
                    pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    """The Nu HTML Checker over every page type the browser tests saw: an error fails the run."""
    for recorder in _RECORDERS:
        errors = html_check.check(recorder)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", f"Nu HTML Checker: {len(recorder.pages)} page types, {len(errors)} errors",
                               red=bool(errors), green=not errors)
            for line in errors:
                reporter.write_line(line)
        if errors:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


# ---------------------------------------------------------------- the app on loopback

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):  # no access log; errors still go to the app's logger
        pass


_RECORDERS: list[html_check.HtmlRecorder] = []


@pytest.fixture(scope="session")
def live_server_url(app, tmp_path_factory) -> Iterator[str]:
    """The session's app served by werkzeug on 127.0.0.1 (port 0: the OS picks a free one), threaded; every page
    type it answers is kept for the Nu HTML Checker (see pytest_sessionfinish)."""
    recorder = html_check.HtmlRecorder(app, tmp_path_factory.mktemp("html-pages"))
    _RECORDERS.append(recorder)
    server = make_server("127.0.0.1", 0, recorder, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _live_app_config(app, live_server_url):
    """Per test: links in mails point to the live server, and forms carry real CSRF tokens."""
    saved = app.config["BASE_URL"]
    app.config["BASE_URL"] = live_server_url
    app.config["WTF_CSRF_ENABLED"] = True  # tests/conftest.py switches it off again after each test
    yield
    app.config["BASE_URL"] = saved


@pytest.fixture(scope="session")
def base_url(live_server_url):
    return live_server_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": ARGS}


# ---------------------------------------------------------------- mail

class Mailer:
    """Delivers the app's outbox to the loopback SMTP server and reads links from what arrived."""

    def __init__(self, app, inbox, clock, base_url):
        self.app, self.inbox, self.clock, self.base_url = app, inbox, clock, base_url

    def deliver(self) -> int:
        with self.app.app_context():
            counts = send_pending(now=self.clock())
            db.session.remove()
        assert counts["failed"] == 0 and counts["retry"] == 0, counts
        return counts["sent"]

    def last_to(self, address: str, subject_contains: str | None = None) -> dict:
        mails = [m for m in self.inbox.to(address)
                 if subject_contains is None or subject_contains.lower() in m["subject"].lower()]
        assert mails, f"no mail to {address} (subject ~ {subject_contains!r}); got " + repr(
            [(m["envelope_to"], m["subject"]) for m in self.inbox.messages])
        return mails[-1]

    def link_in(self, mail: dict, path_prefix: str) -> str:
        match = re.search(re.escape(self.base_url) + re.escape(path_prefix) + r"\S+", mail["body"])
        assert match, f"no {path_prefix} link to {self.base_url} in:\n{mail['body']}"
        return match.group(0)


@pytest.fixture
def mailer(app, smtp_server, clock, live_server_url) -> Mailer:
    return Mailer(app, smtp_server, clock, live_server_url)


# ---------------------------------------------------------------- accessibility and page health

@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


class Axe:
    """Runs axe-core in a page (injected with page.evaluate, which the page's CSP does not block)."""

    def __init__(self, source: str):
        self.source = source
        self.checked: list[str] = []
        self.failures: list[str] = []

    def run(self, page) -> dict:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        assert result["passes"], "axe-core ran no checks at all"
        return result

    def scan(self, page, label: str) -> list[dict]:
        """Check the page and remember its violations (see assert_clean)."""
        violations = self.run(page)["violations"]
        self.checked.append(label)
        if violations:
            self.failures.append(f"{label} ({page.url}):\n{report(violations)}")
        return violations

    def check(self, page, label: str) -> None:
        """Check the page and fail at once on a violation."""
        violations = self.scan(page, label)
        assert not violations, f"axe: {len(violations)} violation(s) on {self.failures[-1]}"

    def assert_clean(self) -> None:
        assert not self.failures, (f"axe: violations on {len(self.failures)} of {len(self.checked)} pages:\n"
                                   + "\n".join(self.failures))


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact')}]: {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"][:10]:
            lines.append(f"    target {json.dumps(node['target'])}: {node.get('failureSummary', '').strip()}")
            lines.append(f"      html: {node['html'][:300]}")
    return "\n".join(lines)


@pytest.fixture
def axe(axe_source) -> Axe:
    return Axe(axe_source)


# axe-core rules outside the WCAG tags that Axe runs: the structure a screen-reader user navigates by
STRUCTURE_RULES = ["heading-order", "empty-heading", "page-has-heading-one", "landmark-one-main", "region",
                   "landmark-unique", "duplicate-id"]


class PhoneCheck:
    """Checks a page as it stands on a phone: in the page's language, no sideways scrolling at `width`, no axe-core
    violation (WCAG and STRUCTURE_RULES); the violations are collected in `axe` (assert_clean at the end)."""

    def __init__(self, axe: Axe, lang: str, width: int):
        self.axe, self.lang, self.width, self.checked = axe, lang, width, []

    def __call__(self, page, label: str) -> None:
        from playwright.sync_api import expect

        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width == self.width, f"{label} ({page.url}) is {width} px wide on a {self.width} px screen"
        self.axe.scan(page, f"{label} [{self.lang}]")
        structure = page.evaluate("rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})",
                                  STRUCTURE_RULES)["violations"]
        if structure:
            self.axe.failures.append(f"{label} [{self.lang}] ({page.url}), structure:\n{report(structure)}")
        self.checked.append(label)

    def visit(self, page, path: str, label: str, status: int = 200) -> None:
        response = page.goto(path)
        assert response.status == status, f"{label}: {response.status} for {path}"
        self(page, label)


_EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


class PageProblems:
    """Collects what should never happen on a page: server errors, CSP violations, script errors."""

    def __init__(self):
        self.problems: list[str] = []

    def watch(self, page):
        def on_response(response):
            if response.status >= 500:
                self.problems.append(f"{response.status} {response.request.method} {response.url}")

        def on_console(message):
            # Chromium logs every 4xx answer (404 page, 422 form with errors) as a failed resource: expected.
            if message.type == "error" and not _EXPECTED_CONSOLE.search(message.text):
                self.problems.append(f"console error on {page.url}: {message.text}")

        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda err: self.problems.append(f"page error on {page.url}: {err}"))
        return page


@pytest.fixture
def page_problems() -> Iterator[PageProblems]:
    problems = PageProblems()
    yield problems
    assert not problems.problems, "\n".join(problems.problems)


# ---------------------------------------------------------------- the German catalogue (written separately)

@pytest.fixture(scope="session")
def german():
    """gettext for the German catalogue if it exists; None while it does not."""
    if not DE_CATALOGUE.is_file():
        return None
    with DE_CATALOGUE.open("rb") as fh:
        return gettext.GNUTranslations(fh).gettext


@pytest.fixture
def open_page(new_context, page_problems):
    """A new page in a new browser context (own cookies) with the given locale; watched for problems."""
    def _open(locale: str = "en-US", **context_args):
        context = new_context(locale=locale, **context_args)
        context.set_default_timeout(10_000)
        return page_problems.watch(context.new_page())
    return _open
