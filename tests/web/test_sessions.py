"""Login sessions expire on the server, and expired rows are cleared at the next login."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from review_app.accounts.models import LoginSession
from review_app.db import db

from ..factories import DURING_CFP, login, make_user


def test_an_expired_login_session_no_longer_works_and_is_cleared_at_the_next_login(app, client, clock):
    clock.set(DURING_CFP)
    with app.app_context():
        user = make_user()
        db.session.commit()
        email, user_id = user.email, user.id
    login(client, email)
    assert client.get("/dashboard").status_code == 200
    clock.set(DURING_CFP + timedelta(seconds=app.config["LOGIN_SESSION_TTL"] + 1))
    r = client.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    login(client, email)
    with app.app_context():
        rows = list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user_id)))
        assert len(rows) == 1 and rows[0].expires_at > clock()
