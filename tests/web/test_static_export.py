"""`flask export-static`: the latest release's public programme as files, in German and (under /en/) English, with every
link inside the export resolving to a file, the feeds valid, and nothing of the draft."""
from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.db import db
from review_app.events.models import Event
from review_app.public import cache
from review_app.schedule import releases, services
from review_app.schedule.models import ScheduleEntry

from .schedule_helpers import DAY1, DAY2, SLUG, T, build_world, local

FORMATS = Path(__file__).resolve().parents[3] / "shared" / "formats"
SESSIONS = [{"title": "Offene Daten für Herne", "speaker": "Ada Open", "language": "de"},
            {"title": "Fibre for every school", "speaker": "Cleo Fibre"},
            {"title": "Noch nicht veröffentlicht", "speaker": "Dora Draft", "language": "de"}]


def _release(app):
    cache.clear()
    w = build_world(app, sessions=SESSIONS)
    with app.app_context():
        event = db.session.get(Event, w.event_id)
        chair = db.session.get(User, w.chair_id)
        services.place(event, w.sessions["Offene Daten für Herne"], w.saal_id, local(DAY1, 10), actor=chair, now=T)
        services.place(event, w.sessions["Fibre for every school"], w.saal_id, local(DAY2, 11), actor=chair, now=T)
        releases.release(event, "v1", actor=chair, now=T)
        db.session.commit()
        # after the release: the draft gets a third session, which the export must not show
        services.place(event, w.sessions["Noch nicht veröffentlicht"], w.saal_id, local(DAY1, 14), actor=chair,
                       now=T)
        db.session.commit()
    return w


def _links(root: Path) -> tuple[int, set[str]]:
    broken, total = set(), 0
    for page in root.rglob("*.html"):
        for url in re.findall(r'(?:href|src)="(/[^"]*)"', page.read_text(encoding="utf-8")):
            total += 1
            path = url.split("#")[0].split("?")[0]
            target = root / path.lstrip("/")
            if path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.add(f"{page.relative_to(root)} → {url}")
    return total, broken


def test_the_export_holds_every_page_and_feed_and_every_link_resolves(app, tmp_path):
    w = _release(app)
    result = app.test_cli_runner().invoke(args=["export-static", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output

    base = tmp_path / "events" / SLUG
    programme_de = (base / "programme" / "index.html").read_text(encoding="utf-8")
    programme_en = (tmp_path / "en" / "events" / SLUG / "programme" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in programme_de and '<html lang="en">' in programme_en
    assert "Offene Daten für Herne" in programme_de and "Fibre for every school" in programme_en
    # the filters need the app; the static pages leave them out
    assert 'class="filters"' not in programme_de
    # the language switch leads to the other tree's file
    assert f'href="/en/events/{SLUG}/programme/"' in programme_de
    assert f'href="/events/{SLUG}/programme/"' in programme_en
    for pid in (w.sessions["Offene Daten für Herne"], w.sessions["Fibre for every school"]):
        assert (base / "programme" / "sessions" / str(pid) / "index.html").is_file()
        assert (base / "programme" / "sessions" / str(pid) / "session.ics").is_file()
    total, broken = _links(tmp_path)
    assert total > 50 and not broken, sorted(broken)[:20]
    for name in ("app.css", "programme.css", "favicon.svg", "now.js"):
        assert (tmp_path / "static" / name).is_file()
    assert (base / "theme.css").read_text().startswith("/*")

    # the feeds are the app's: valid, and of the release, not the draft
    xsd = etree.XMLSchema(etree.parse(str(FORMATS / "schedule.xml.xsd")))
    assert xsd.validate(etree.parse(str(base / "schedule.xml"))), xsd.error_log
    data = json.loads((base / "schedule.json").read_text(encoding="utf-8"))
    assert data["schedule"]["version"] == "v1"
    assert (base / "schedule" / "v" / "1" / "schedule.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".ics", ".csv"):
            assert "Noch nicht veröffentlicht" not in path.read_text(encoding="utf-8-sig"), path
    with app.app_context():  # and the draft has it, so the check above could fail
        assert db.session.scalar(select(ScheduleEntry).where(
            ScheduleEntry.proposal_id == w.sessions["Noch nicht veröffentlicht"])) is not None


def test_an_event_without_a_release_exports_nothing(app, tmp_path):
    cache.clear()
    build_world(app, sessions=SESSIONS[:1])
    result = app.test_cli_runner().invoke(args=["export-static", str(tmp_path / "out")])
    assert result.exit_code == 0 and "Wrote 0 files" in result.output
