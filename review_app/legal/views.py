"""Imprint, privacy notice and accessibility statement: Markdown texts set per installation.

An operator's file instance/legal/<page>.<lang>.md wins; without one in the page's language, the operator's
text in the other language; without any, the generic default shipped in templates/legal/ (whose operator
details are placeholders to fill in).
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template
from flask_babel import lazy_gettext as _l

from ..events.models import page_language
from ..markdown import render_markdown

bp = Blueprint("legal", __name__, url_prefix="/legal")

PAGES = {
    "imprint": _l("Imprint"),
    "privacy": _l("Privacy notice"),
    "accessibility": _l("Accessibility statement"),
}


def legal_text(name: str, language: str) -> str:
    other = "en" if language == "de" else "de"
    instance = Path(current_app.instance_path) / "legal"
    shipped = Path(current_app.root_path).parent / "templates" / "legal"
    for path in (instance / f"{name}.{language}.md", instance / f"{name}.{other}.md",
                 shipped / f"{name}.{language}.md"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


@bp.get("/<name>")
def page(name: str):
    if name not in PAGES:
        abort(404)
    text = legal_text(name, page_language())
    return render_template("legal/page.html", title=PAGES[name], body=render_markdown(text, top_heading=2))
