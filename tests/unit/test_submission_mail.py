"""The confirmation mail after submitting, as the real SMTP server receives it, in German and in English: what was
submitted, what happens next, until when the proposal can be edited, and the link to it."""
from __future__ import annotations

from review_app.cfp import services as cfp
from review_app.cfp.models import ProposalSpeaker
from review_app.db import db
from review_app.mail.services import send_pending

from ..factories import DURING_CFP, make_event, make_proposal, make_user

T = DURING_CFP
ABSTRACT = "Wie Herne Wärmepumpen und Ladepunkte im Quartier steuert, ohne das Netz auszubauen."


def test_the_confirmation_mail_summarises_the_proposal_and_says_what_comes_next(app, ctx, smtp_server):
    event = make_event(slug="scd")
    german = make_user(name="Jana Wärme", email="jana@example.org", language="de", organisation="Stadt Herne")
    english = make_user(name="Sam Example", email="sam@example.org", language="en", organisation="Open Data Lab")
    proposal = make_proposal(event, german, title="Quartiersstrom mit Bürger*innen", abstract=ABSTRACT,
                             language="en", main_theme_id=event.themes[1].id, format_id=event.formats[1].id)
    proposal.speakers.append(ProposalSpeaker(user_id=english.id, is_submitter=False, joined_at=T))
    db.session.flush()
    db.session.expire(proposal, ["speakers"])
    fmt, theme = proposal.format, proposal.main_theme
    assert (fmt.default_minutes, theme.name_en) == (90, "Data spaces")
    db.session.commit()
    send_pending(now=T)
    smtp_server.messages.clear()

    cfp.submit(proposal, actor=german, now=T)
    db.session.commit()
    send_pending(now=T)

    link = f"http://localhost/events/scd/proposals/{proposal.id}"
    [de_mail] = smtp_server.to("jana@example.org")
    [en_mail] = smtp_server.to("sam@example.org")
    expected = {
        "de": [
            "Quartiersstrom mit Bürger*innen",
            f"Format: {fmt.name_de} (1 Std. 30 Min.)",
            "Hauptthemenfeld: Data Spaces",
            "Sprache: Englisch",
            "Referent*innen: Jana Wärme (Stadt Herne), Sam Example (Open Data Lab)",
            ABSTRACT,
            "Wie es weitergeht",
            "bis Sonntag, 1. Dezember 2024, 23:59 MEZ bearbeiten",
            "Programmkomitee",
            "vom 2. Dezember 2024 bis zum 31. Dezember 2024",
            link,
        ],
        "en": [
            "Quartiersstrom mit Bürger*innen",
            f"Format: {fmt.name_en} (1 h 30 min)",
            "Main theme: Data spaces",
            "Language: English",
            "Speakers: Jana Wärme (Stadt Herne), Sam Example (Open Data Lab)",
            ABSTRACT,
            "What happens next",
            "until Sunday, December 1, 2024, 23:59 CET",
            "programme committee reviews all proposals, from December 2, 2024 to December 31, 2024",
            link,
        ],
    }
    for language, mail in (("de", de_mail), ("en", en_mail)):
        body = " ".join(mail["body"].split())  # lines may wrap anywhere
        missing = [text for text in expected[language] if text not in body]
        assert not missing, (language, missing, mail["body"])
    assert "Hello Sam Example," in en_mail["body"] and "Hallo Jana Wärme," in de_mail["body"]
