"""The flask commands that create accounts: only `create-admin` makes a site administrator."""
from __future__ import annotations

from sqlalchemy import func, select

from review_app.accounts.models import User
from review_app.db import db


def test_create_admin_makes_a_confirmed_site_admin_who_can_log_in(app, client):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "Chair@Example.org", "--name", "Chair",
                                                "--password", "a long admin password"])
    assert result.exit_code == 0, result.output
    assert "chair@example.org is a site administrator." in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "chair@example.org"))
        assert user.is_admin and user.email_confirmed and user.password_hash.startswith("$argon2id$")
    r = client.post("/login", data={"email": "chair@example.org", "password": "a long admin password"})
    assert r.status_code == 302


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "a@example.org", "--name", "A",
                                                "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_there_are_no_default_accounts(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
