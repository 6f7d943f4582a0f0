"""The simulated people of the whole-app load test (bench/load.py starts locust with this file): 80 % visitors
browsing the released programme and its feeds, 15 % speakers editing and submitting their draft proposal, 5 %
reviewers scoring their assignments.

bench/load.py passes what the people need to know in the file named by LOAD_PLAN (JSON): the event's slug, the
password, how many speakers and reviewers there are, and the session, speaker and filter values of the released
programme. Each speaker or reviewer user takes the next free account (speaker1, speaker2 … @bench.invalid) and logs
in once, so the per-account login limit is never reached. Requests are named by what they are ("programme",
"session page", "submit proposal" …): bench/load.py reports the percentiles per name.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8")) if os.environ.get("LOAD_PLAN") else {}
SLUG = PLAN.get("slug", "bench")
PASSWORD = PLAN.get("password", "bench password 1")
_speaker_numbers = itertools.count(1)
_reviewer_numbers = itertools.count(1)


class _Forms(HTMLParser):
    """The fields of every <form method="post"> of a page: [(action, {name: [values]}, {radio name: [choices]})]."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, list[str]], dict[str, list[str]]]] = []
        self._form = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = (a.get("action") or "", {}, {})
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields, radios = self._form[1], self._form[2]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind == "radio":
                radios.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    fields[name] = [a.get("value", "on")]
            elif kind == "checkbox":
                if "checked" in a:
                    fields.setdefault(name, []).append(a.get("value", "y"))
            else:
                fields.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = [""]

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[1][self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_form(html: str, field: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(fields, radio choices) of the page's first POST form with the field `field` (every page also has the
    language switch's POST form)."""
    parser = _Forms()
    parser.feed(html)
    for _action, fields, radios in parser.forms:
        if (field in fields or field in radios) and "csrf_token" in fields:
            return {k: list(v) for k, v in fields.items()}, radios
    raise LookupError(f"no POST form with the field {field!r} and a CSRF token on the page")


def encode(fields: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, values in fields.items() for v in values]


class Visitor(HttpUser):
    """Someone reading the released programme: the page, filtered views, sessions, speakers, the feeds."""

    weight = 16
    wait_time = between(1, 3)

    def on_start(self):
        self.base = f"/events/{SLUG}"

    @task(6)
    def programme(self):
        self.client.get(f"{self.base}/programme/", name="programme")

    @task(3)
    def filtered(self):
        filters = PLAN.get("filters") or {}
        if not filters:
            return self.programme()
        key = random.choice(sorted(filters))
        self.client.get(f"{self.base}/programme/", params={key: random.choice(filters[key])},
                        name="programme, filtered")

    @task(6)
    def session(self):
        sid = random.choice(PLAN["sessions"])
        self.client.get(f"{self.base}/programme/sessions/{sid}/", name="session page")

    @task(3)
    def speaker(self):
        sid = random.choice(PLAN["speakers"])
        self.client.get(f"{self.base}/programme/speakers/{sid}/", name="speaker page")

    @task(1)
    def feed_xml(self):
        self.client.get(f"{self.base}/schedule.xml", name="schedule.xml")

    @task(1)
    def feed_json(self):
        self.client.get(f"{self.base}/schedule.json", name="schedule.json")

    @task(1)
    def feed_ics(self):
        self.client.get(f"{self.base}/schedule.ics", name="schedule.ics")


class _Person(HttpUser):
    abstract = True
    wait_time = between(2, 5)
    email_pattern = ""

    def log_in(self, number: int) -> bool:
        self.email = self.email_pattern.format(number)
        page = self.client.get("/login", name="login page")
        fields, _radios = post_form(page.text, "email")
        fields.update(email=[self.email], password=[PASSWORD])
        with self.client.post("/login", data=encode(fields), name="log in", allow_redirects=False,
                              catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"login of {self.email} answered {answer.status_code}")
                return False
        return True


def _saved(answer, what: str) -> None:
    """A POST that worked redirects (303/302); anything else is a failure, with the page's first error."""
    if answer.status_code in (302, 303):
        answer.success()
        return
    errors = re.findall(r'id="([\w-]+)-errors">\s*<li><span[^>]*>[^<]*</span>\s*([^<]{1,200})', answer.text or "")
    flashed = re.findall(r'class="[^"]*flash[^"]*error[^"]*"[^>]*>\s*([^<]{1,200})', answer.text or "")
    answer.failure(f"{what}: {answer.status_code} {'; '.join(f'{k}: {v.strip()}' for k, v in errors)} "
                   f"{' '.join(m.strip() for m in flashed)}".strip())


class Speaker(_Person):
    """A speaker who opens the dashboard, edits the draft a few times, submits it, and keeps polishing it."""

    weight = 3
    email_pattern = "speaker{}@bench.invalid"

    def on_start(self):
        number = next(_speaker_numbers)
        draft = PLAN.get("drafts", {}).get(self.email_pattern.format(number))
        self.proposal_url = f"/events/{SLUG}/proposals/{draft}" if draft else None
        self.edits = 0
        self.submitted = False
        if number > PLAN.get("speakers_count", 10**9) or not self.log_in(number):
            self.stop()
            return
        self.dashboard()

    @task(2)
    def dashboard(self):
        page = self.client.get("/dashboard", name="speaker dashboard")
        if self.proposal_url is None:
            found = re.search(rf'href="(/events/{re.escape(SLUG)}/proposals/\d+)/edit"', page.text) or \
                re.search(rf'href="(/events/{re.escape(SLUG)}/proposals/\d+)"', page.text)
            if found:
                self.proposal_url = found.group(1)

    @task(4)
    def edit(self):
        if self.proposal_url is None:
            return
        page = self.client.get(f"{self.proposal_url}/edit", name="edit proposal page")
        if page.status_code != 200:
            return
        fields, _radios = post_form(page.text, "title")
        self.edits += 1
        fields["abstract"] = [f"{(fields.get('abstract') or [''])[0][:800]} (Überarbeitung {self.edits})"[-1000:]]
        submit = not self.submitted and self.edits >= 2
        fields["action"] = ["submit" if submit else "save"]
        with self.client.post(f"{self.proposal_url}/edit", data=encode(fields), allow_redirects=False,
                              name="submit proposal" if submit else "save proposal", catch_response=True) as answer:
            _saved(answer, "submit proposal" if submit else "save proposal")
        if submit and answer.status_code in (302, 303):
            self.submitted = True

    @task(1)
    def proposal(self):
        if self.proposal_url is not None:
            self.client.get(self.proposal_url, name="proposal page")


class Reviewer(_Person):
    """A reviewer who opens the reviewing dashboard and scores one assignment after the other."""

    weight = 1
    email_pattern = "reviewer{}@bench.invalid"

    def on_start(self):
        number = next(_reviewer_numbers)
        self.assignments: list[str] = []
        if number > PLAN.get("reviewers_count", 10**9) or not self.log_in(number):
            self.stop()
            return
        self.reviewing()

    @task(1)
    def reviewing(self):
        page = self.client.get("/reviewing", name="reviewing dashboard")
        self.assignments = sorted(set(re.findall(rf'href="(/events/{re.escape(SLUG)}/reviews/\d+)"', page.text)))

    @task(3)
    def score(self):
        if not self.assignments:
            return
        url = random.choice(self.assignments)
        page = self.client.get(url, name="review page")
        if page.status_code != 200:
            return
        fields, radios = post_form(page.text, "comment_committee")
        for name, choices in radios.items():
            fields[name] = [random.choice(choices[1:] or choices)]  # not the first: "no recommendation" et al.
        fields["comment_committee"] = ["Solide Praxis, gut übertragbar auf andere Kommunen."]
        fields["action"] = ["submit"]
        with self.client.post(url, data=encode(fields), allow_redirects=False, name="submit review",
                              catch_response=True) as answer:
            _saved(answer, "submit review")
