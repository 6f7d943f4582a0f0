"""Markdown to sanitised HTML: markdown-it renders, nh3 keeps only a small safe set of tags."""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = {"p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
                "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


# German gender star inside a word (Bürger*innen, Referent*in, jede*r): literal, never the start of emphasis
_GENDER_STAR = re.compile(r"(?<=[^\W\d_])\*(?=(?:innen|in|r|n|e|en|er)\b)")


def render_markdown(text: str | None) -> Markup:
    html = _md.render(_GENDER_STAR.sub(r"\\*", text or ""))
    # headings from the speaker start below the page's own h1/h2
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener noreferrer")
    return Markup(clean)  # noqa: S704 - sanitised by nh3 above
