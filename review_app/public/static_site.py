"""`flask export-static OUTDIR`: the public programme of each event's latest release (pages, feeds, assets) written as
files that any web server or CDN serves without the app. German pages at the app's own paths, English ones under
/en/; a page's links are rewritten to the files (links to pages the export does not hold, such as the call for
sessions, point to the live site at BASE_URL). The filters need the app: the static pages leave them out."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from sqlalchemy import select

from ..db import db
from ..events.models import Event
from . import cache
from .programme import latest_header, load_version

_HREF = re.compile(r'(href|src)="([^"]*)"')


def _paths(event: Event, snapshot: dict, versions: list[int]) -> list[str]:
    base = f"/events/{event.slug}"
    pages = [f"{base}/programme/", f"{base}/programme/changes/", f"{base}/programme/now/"]
    pages += [f"{base}/programme/sessions/{s['id']}/" for s in snapshot["sessions"]]
    pages += [f"{base}/programme/sessions/{s['id']}/session.ics" for s in snapshot["sessions"]]
    speakers = sorted({p["id"] for s in snapshot["sessions"] for p in s["speakers"]})
    pages += [f"{base}/programme/speakers/{i}/" for i in speakers]
    pages += [f"{base}/programme/speakers/{i}/speaker.ics" for i in speakers]
    pages += [f"{base}/programme/venues/{v['id']}/" for v in snapshot["venues"]]
    pages += [f"{base}/programme/print/{v['id']}/{d}/" for v in snapshot["venues"] for d in snapshot["event"]["days"]]
    feeds = ("schedule.xml", "schedule.json", "schedule.ics", "schedule.csv")
    pages += [f"{base}/{name}" for name in feeds]
    pages += [f"{base}/schedule/v/{n}/{name}" for n in versions for name in feeds]
    return pages


def _file_of(outdir: Path, path: str) -> Path:
    target = outdir / path.lstrip("/")
    return target / "index.html" if path.endswith("/") else target


def _rewrite(html: str, lang: str, exported: set[str], base_url: str) -> str:
    """Links to exported pages go to their files (the other language's tree where ?lang= asks for it); links to
    the app's other pages go to the live site."""
    def fix(match: re.Match) -> str:
        attr, url = match.groups()
        if not url.startswith("/") or url.startswith("//"):
            return match.group(0)
        parts = urlsplit(url)
        target = (parse_qs(parts.query).get("lang") or [lang])[0]
        if parts.path in exported:
            prefix = "/en" if target == "en" else ""
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            return f'{attr}="{prefix}{parts.path}{fragment}"'
        if parts.path.startswith("/static/") or parts.path.endswith("/theme.css"):
            return f'{attr}="{parts.path}"'
        return f'{attr}="{base_url}{url}"'
    return _HREF.sub(fix, html)


def export(app: Flask, outdir: str | Path, slugs: list[str] | None = None) -> list[Path]:
    """Write the files; returns them. Events without a released programme are left out."""
    outdir = Path(outdir)
    written: list[Path] = []
    with app.app_context():
        events = list(db.session.scalars(select(Event).order_by(Event.slug)))
        plans = []
        for event in events:
            if slugs and event.slug not in slugs:
                continue
            header = latest_header(event)
            if header is None:
                continue
            snapshot = load_version(header[0]).snapshot
            versions = list(range(1, header[1] + 1))
            plans.append((event.slug, _paths(event, snapshot, versions)))
        colours = {e.slug: e.colour.replace("#", "") for e in events}
    if not plans:
        return written
    saved = app.config.get("STATIC_EXPORT")
    app.config["STATIC_EXPORT"] = True
    cache.clear()
    try:
        client = app.test_client()
        base_url = app.config["BASE_URL"].rstrip("/")
        for slug, paths in plans:
            exported = set(paths)
            for lang in ("de", "en"):
                for path in paths:
                    with app.app_context():  # a fresh `g` per page: the page's language is cached there
                        response = client.get(path, query_string={"lang": lang})
                    if response.status_code != 200:
                        raise RuntimeError(f"{path} answered {response.status_code}")
                    body = response.get_data()
                    if response.mimetype == "text/html":
                        body = _rewrite(body.decode("utf-8"), lang, exported, base_url).encode("utf-8")
                    target = _file_of(outdir / ("en" if lang == "en" else ""), path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(body)
                    written.append(target)
            with app.app_context():
                theme = client.get(f"/events/{slug}/theme.css", query_string={"v": colours[slug]})
            target = outdir / "events" / slug / "theme.css"
            target.write_bytes(theme.get_data())
            written.append(target)
        static = Path(app.static_folder)
        for name in ("app.css", "programme.css", "favicon.svg", "now.js"):
            target = outdir / "static" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((static / name).read_bytes())
            written.append(target)
    finally:
        app.config["STATIC_EXPORT"] = saved
        cache.clear()
    return written
