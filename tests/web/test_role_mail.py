"""Granting a role on the people page tells the person by mail, in their language: which event, which role, who
gave it, and where to start. A role they already have sends nothing again."""
from __future__ import annotations

from sqlalchemy import select

from review_app.db import db
from review_app.events.models import EventRole, Role
from review_app.mail.models import OutboxMessage
from review_app.mail.services import send_pending

from ..factories import DURING_CFP, login, make_event, make_proposal, make_user

T = DURING_CFP


def test_a_granted_role_is_announced_by_mail_in_the_persons_language(app, client, clock, smtp_server):
    clock.set(T)
    with app.app_context():
        chair = make_user(name="Clara Chair", email="chair@example.org")
        event = make_event(slug="scd", committee=chair)
        make_user(name="Rita Gutachterin", email="rita@example.org", language="de")
        make_user(name="Colin Committee", email="colin@example.org", language="en")
        speaker = make_user(name="Sandra Speaker", email="sandra@example.org", language="en")
        make_proposal(event, speaker)  # the speaker role comes with the proposal: no mail about it
        db.session.commit()
        event_name = event.name
        send_pending(now=T)
    smtp_server.messages.clear()
    login(client, "chair@example.org")

    for email, role in (("rita@example.org", "reviewer"), ("colin@example.org", "committee"),
                        ("rita@example.org", "reviewer")):  # the last one again: she has it already
        r = client.post("/events/scd/manage/people", data={"email": email, "role": role})
        assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        roles = {(row.user.email, row.role) for row in db.session.scalars(select(EventRole))}
        assert {("rita@example.org", Role.reviewer), ("colin@example.org", Role.committee)} <= roles
        assert [(m.recipient, m.language) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "role_granted").order_by(OutboxMessage.id))] == [
            ("rita@example.org", "de"), ("colin@example.org", "en")]
        send_pending(now=T)

    [rita] = smtp_server.to("rita@example.org")
    assert rita["subject"] == f"{event_name}: Ihre neue Rolle „Gutachter*in“"
    assert rita["msg"]["to"].addresses[0].display_name == "Rita Gutachterin"
    body = " ".join(rita["body"].split())
    assert "Hallo Rita Gutachterin," in body
    assert f"Clara Chair hat Ihnen die Rolle „Gutachter*in“ für {event_name} gegeben." in body
    assert "Einreichungen begutachten" in body
    assert "http://localhost/events/scd/" in body and "/manage" not in body

    [colin] = smtp_server.to("colin@example.org")
    assert colin["subject"] == f"{event_name}: your new role “Committee member”"
    body = " ".join(colin["body"].split())
    assert "Hello Colin Committee," in body
    assert f"Clara Chair has given you the role “Committee member” for {event_name}." in body
    assert "You can now manage the event" in body
    assert "http://localhost/events/scd/manage/" in body

    assert smtp_server.to("sandra@example.org") == []
    assert smtp_server.to("chair@example.org") == []
