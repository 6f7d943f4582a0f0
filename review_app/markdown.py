"""Markdown to sanitised HTML: markdown-it renders (bare web addresses become links), nh3 keeps only a small
safe set of tags."""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# linkify: "www.example.org" or "https://…" written in a text becomes a link (linkify-it-py finds them)
_md = (MarkdownIt("commonmark", {"html": False, "linkify": True})
       .enable("table").enable("strikethrough").enable("linkify"))

ALLOWED_TAGS = {"p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h2",
                "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


# German gender star inside a word (Bürger*innen, Referent*in, jede*r): literal, never the start of emphasis
_GENDER_STAR = re.compile(r"(?<=[^\W\d_])\*(?=(?:innen|in|r|n|e|en|er)\b)")


def render_markdown(text: str | None, top_heading: int = 3) -> Markup:
    """`top_heading`: the highest heading level the text may use; the page's own h1 (and h2) stand above.
    Speakers' and the committee's texts start at h3; a page that is only the text (the legal pages) at h2."""
    html = _md.render(_GENDER_STAR.sub(r"\\*", text or ""))
    for level in range(1, top_heading):
        html = html.replace(f"<h{level}>", f"<h{top_heading}>").replace(f"</h{level}>", f"</h{top_heading}>")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener noreferrer")
    return Markup(clean)  # noqa: S704 - sanitised by nh3 above  # nosec B704
