"""Mail headers as the real SMTP server receives them: subjects and display names with umlauts, ß, the gender
star and emoji arrive exactly as written (RFC 2047), lines stay within 78 characters and fold only between
words."""
from __future__ import annotations

import re
from email.header import decode_header

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from review_app.cfp import services as cfp
from review_app.cfp.models import ProposalSpeaker
from review_app.db import db
from review_app.mail.services import send_pending

from ..factories import DURING_CFP, make_event, make_proposal, make_user

T = DURING_CFP
SENDER_NAME = "Smart City Days – Büro für Öffentlichkeit, Herne"
GERMAN = ("Vom Pilotprojekt zur Regelversorgung – Lastmanagement für Wärmepumpen und Ladepunkte in Quartieren mit "
          "Bürger*innen-Beteiligung, Straßenbeleuchtung und größere Wärmenetze für alle Stadtteile")
ENGLISH = ("From pilot to everyday operation: load management for heat pumps and charging points, and what "
           "neighbourhoods, utilities and road authorities learned together")
EMOJI = "🚀 Smart City 🏙️ für alle 👩‍💻👨‍👩‍👧 – Daten teilen 🤝 ohne Sorgen 🔒 … und dann? 🌍🌱"
ENCODED_WORD = re.compile(r"=\?utf-8\?[qb]\?[^?\s]*\?=", re.IGNORECASE)


@pytest.fixture
def sender(app):
    old = app.config["MAIL_DEFAULT_SENDER"]
    app.config["MAIL_DEFAULT_SENDER"] = f"\"{SENDER_NAME}\" <cfp@smartcity.example>"
    yield
    app.config["MAIL_DEFAULT_SENDER"] = old


def header_lines(raw: bytes, name: str) -> list[str]:
    """The physical lines of one header in the raw message."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")
    start = next(i for i, line in enumerate(head) if line.lower().startswith(name.lower() + ":"))
    lines = [head[start]]
    for line in head[start + 1:]:
        if not line[:1].isspace():
            break
        lines.append(line)
    return lines


def decoded(text: str) -> str:
    return "".join(part.decode(charset or "ascii") if isinstance(part, bytes) else part
                   for part, charset in decode_header(text))


def assert_folded_between_words(raw: bytes, name: str) -> None:
    lines = header_lines(raw, name)
    for line in lines[1:]:
        # a fold is CRLF and one space, followed by a whole token (never the middle of an encoded word)
        assert line.startswith(" ") and not line.startswith("  "), lines
    body = " ".join(line.strip() for line in lines)[len(name) + 1:].split()
    for token in body:
        if token.startswith("=?"):
            assert ENCODED_WORD.fullmatch(token.rstrip(",")), (token, lines)
        else:
            assert "?=" not in token, (token, lines)
    for before, after in zip(lines, lines[1:], strict=False):
        last = before.split()[-1]
        if ENCODED_WORD.fullmatch(last) and ENCODED_WORD.match(after.strip()):
            # between two encoded words the whitespace does not count: the word before carries the space
            assert decoded(last).endswith(" "), (last, lines)


def submitted_mails(app, inbox, title: str, people: list[tuple[str, str, str]]):
    """Submit a proposal titled `title` whose speakers are `people` (name, email, language); send the mail."""
    event = make_event()
    users = [make_user(name=name, email=email, language=language) for name, email, language in people]
    proposal = make_proposal(event, users[0], title=title)
    for user in users[1:]:
        proposal.speakers.append(ProposalSpeaker(user_id=user.id, is_submitter=False, joined_at=T))
    db.session.flush()
    db.session.expire(proposal, ["speakers"])
    db.session.commit()
    send_pending(now=T)  # the confirmation mails of the registrations
    inbox.messages.clear()
    cfp.submit(proposal, actor=users[0], now=T)
    db.session.commit()
    send_pending(now=T)
    return {email: inbox.to(email) for _, email, _ in people}


def expected_subject(app, title: str, language: str) -> str:
    with app.test_request_context(), force_locale(language):
        return _("Proposal submitted: %(title)s", title=title)


@pytest.mark.parametrize("title", [GERMAN, ENGLISH, EMOJI], ids=["german", "english", "emoji"])
def test_subject_and_display_names_arrive_exactly_as_written(app, ctx, smtp_server, sender, title):
    assert len(GERMAN) > 150
    people = [("Jürgen Groß-Müller", "juergen@example.org", "de"), ("Anna Smith", "anna@example.org", "en"),
              ("Zoë Ødegård 🌻", "zoe@example.org", "en")]
    received = submitted_mails(app, smtp_server, title, people)
    for name, email, language in people:
        [mail] = received[email]
        msg, raw = mail["msg"], mail["raw"]
        subject = str(msg["subject"])
        assert subject == expected_subject(app, title, language)
        assert subject.endswith(title) and not subject.startswith(" ")
        assert [(a.display_name, a.addr_spec) for a in msg["from"].addresses] == [
            (SENDER_NAME, "cfp@smartcity.example")]
        assert [(a.display_name, a.addr_spec) for a in msg["to"].addresses] == [(name, email)]
        assert msg["date"].datetime == T
        assert msg["message-id"].endswith("@smartcity.example>")
        assert msg.get_content_charset() == "utf-8"
        assert title in mail["body"] and name in mail["body"]
        for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
            assert len(line) <= 78, line
        for header in ("Subject", "From", "To"):
            assert_folded_between_words(raw, header)
        lines = header_lines(raw, "Subject")
        assert len(lines) >= 2
        pieces = [decoded(line.split(":", 1)[1] if i == 0 else line) for i, line in enumerate(lines)]
        if title == ENGLISH:  # plain words: the fold is the space
            assert " ".join(piece.strip() for piece in pieces) == subject
        else:  # encoded words: each line ends after a word and its space
            assert "".join(pieces) == subject
            assert all(piece.endswith(" ") for piece in pieces[:-1]), pieces
