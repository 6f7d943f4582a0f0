"""The development mail catcher: what the outbox sends can be read on a development-only page."""
from __future__ import annotations

import re

from review_app import create_app
from review_app.db import db
from review_app.mail.catcher import start_catcher
from review_app.mail.services import queue_mail, send_pending

from ..conftest import free_port
from ..factories import DURING_CFP


def test_caught_mail_is_listed_and_readable_in_development(app, tmp_path, database_url):
    port = free_port()
    dev = create_app({"TESTING": True, "DEBUG": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url,
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_SUPPRESS_SEND": False,
                      "SHOW_CAUGHT_MAIL": True, "MAIL_CATCHER_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False})
    controller = start_catcher(tmp_path, port)
    try:
        with dev.app_context():
            queue_mail(template="password_changed", recipient="dev@example.org", language="en", now=DURING_CFP,
                       user=type("U", (), {"name": "Dev"})())
            db.session.commit()
            assert send_pending(now=DURING_CFP)["sent"] == 1
    finally:
        controller.stop()
    client = dev.test_client()
    listing = client.get("/dev/mail/").get_data(as_text=True)
    assert "Your password was changed" in listing and "dev@example.org" in listing
    mail_id = re.search(r'href="/dev/mail/([^"]+)"', listing).group(1)
    page = client.get(f"/dev/mail/{mail_id}").get_data(as_text=True)
    assert "Hello Dev," in page
    assert client.get("/dev/mail/does-not-exist").status_code == 404
    # the caught mails hold live links: not shown to other machines, even in development
    assert client.get("/dev/mail/", environ_base={"REMOTE_ADDR": "192.168.1.20"}).status_code == 404


def test_caught_mail_page_does_not_exist_outside_development(client):
    assert client.get("/dev/mail/").status_code == 404
