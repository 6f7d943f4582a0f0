"""`flask backup` / `flask restore`: the demo backed up, wiped, restored and compared row by row in every table,
on the database the suite runs on (SQLite, or PostgreSQL per TEST_DATABASE_URL); restore wants --yes over data;
a backup taken while another connection writes holds only what was committed."""
from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, Table, delete, inspect, select, text, update

from review_app.accounts.models import User
from review_app.audit.models import AuditEntry
from review_app.cfp.models import Proposal
from review_app.db import Base, db
from tests.factories import make_user

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """An app with a database of its own (a SQLite file, or a PostgreSQL database made for this module and
    dropped afterwards, so the shared test database is never restored over), the demo seeded once."""
    from flask_migrate import upgrade

    from review_app import create_app
    from review_app.demo import seed_demo
    from tests.conftest import _postgres_database

    admin_url = os.environ.get("TEST_DATABASE_URL")
    urls = _postgres_database(admin_url) if admin_url else iter(
        ["sqlite:///" + str(tmp_path_factory.mktemp("backup") / "live.sqlite")])
    app = create_app({"TESTING": True, "SECRET_KEY": "backup-tests", "SQLALCHEMY_DATABASE_URI": next(urls),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "BASE_URL": "http://localhost",
                      "PASSWORD_HASHING": "fast", "MAIL_SUPPRESS_SEND": True})
    with app.app_context():
        upgrade()
        seed_demo(now=NOW)
        app.seeded = snapshot()
        db.session.remove()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    for _ in urls:  # drops the PostgreSQL database
        pass


@pytest.fixture
def live(demo_app):
    """An application context on the seeded database; it holds the demo again afterwards."""
    with demo_app.app_context():
        yield demo_app
        db.session.rollback()


def _tables(conn) -> list[Table]:
    reflected = MetaData()
    return [*Base.metadata.sorted_tables, Table("alembic_version", reflected, autoload_with=conn)]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the models and alembic_version, in primary-key order; on PostgreSQL also
    where each sequence stands, so that new rows after a restore get fresh ids."""
    db.session.remove()
    with db.engine.connect() as conn:
        tables = _tables(conn)
        assert set(inspect(conn).get_table_names()) - {"sqlite_sequence"} == {t.name for t in tables}
        rows = {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in tables}
        if conn.dialect.name == "postgresql":
            rows["(sequences)"] = list(map(tuple, conn.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() "
                "ORDER BY sequencename"))))
    return rows


def assert_same(restored: dict[str, list[tuple]], seeded: dict[str, list[tuple]]) -> None:
    assert restored.keys() == seeded.keys()
    for name, rows in seeded.items():
        assert len(restored[name]) == len(rows), name
        assert restored[name] == rows, name  # row by row, every column


def wipe() -> None:
    """Drop every table, as if the disk had been lost and the schema were not even there."""
    db.session.remove()
    with db.engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE alembic_version"))
    with db.engine.connect() as conn:
        assert inspect(conn).get_table_names() == []


def total_rows(seeded: dict[str, list[tuple]]) -> int:
    return sum(len(rows) for name, rows in seeded.items() if name not in ("alembic_version", "(sequences)"))


def test_a_wiped_database_comes_back_row_by_row_from_the_backup(live, tmp_path):
    seeded = live.seeded
    assert sum(bool(rows) for rows in seeded.values()) >= 30 and total_rows(seeded) > 1000  # something to lose
    runner = live.test_cli_runner()
    path = tmp_path / "smart-city-days.backup"

    made = runner.invoke(args=["backup", str(path)])

    assert made.exit_code == 0, made.output
    sqlite = db.engine.dialect.name == "sqlite"
    assert made.output.startswith("Backed up ") and f"to {path} " in made.output
    assert f"{total_rows(seeded)} rows, schema revision 0007" in made.output
    assert ("SQLite online backup" if sqlite else "pg_dump, custom format") in made.output
    assert path.read_bytes()[:5] == (b"SQLit" if sqlite else b"PGDMP")
    assert not list(tmp_path.glob("*.partial"))

    wipe()
    restored = runner.invoke(args=["restore", str(path)])  # an empty database needs no --yes

    assert restored.exit_code == 0, restored.output
    assert restored.output.startswith(f"Restored {path} into ")
    assert f"now {len(Base.metadata.tables) + 1} tables, {total_rows(seeded)} rows, schema revision 0007" in \
        restored.output
    assert_same(snapshot(), seeded)


def test_restore_refuses_a_database_with_data_without_yes_and_replaces_it_with_yes(live, tmp_path):
    runner = live.test_cli_runner()
    path = tmp_path / "before.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    # the data moves on after the backup: a row changed, rows deleted, an account added
    first = db.session.scalar(select(Proposal).order_by(Proposal.id))
    first.title = "Changed after the backup"
    db.session.execute(delete(AuditEntry).where(AuditEntry.id <= 10))
    make_user(email="late@example.org")
    db.session.commit()
    changed = snapshot()
    assert changed != live.seeded

    refused = runner.invoke(args=["restore", str(path)])

    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "Add --yes to overwrite it." in refused.output
    assert snapshot() == changed  # nothing was touched

    replaced = runner.invoke(args=["restore", str(path), "--yes"])

    assert replaced.exit_code == 0, replaced.output
    assert_same(snapshot(), live.seeded)
    assert db.session.scalar(select(User.id).where(User.email == "late@example.org")) is None
    # the restored database takes new rows: its ids (sequences on PostgreSQL) continue after the restored ones
    make_user(email="after@example.org")
    db.session.commit()
    assert db.session.scalar(select(User.id).where(User.email == "after@example.org")) == \
        max(row[0] for row in live.seeded["user"]) + 1
    assert runner.invoke(args=["restore", str(path), "--yes"]).exit_code == 0
    assert_same(snapshot(), live.seeded)


def test_a_backup_taken_while_another_connection_writes_holds_what_was_committed(live, tmp_path):
    runner = live.test_cli_runner()
    path = tmp_path / "online.backup"
    with db.engine.connect() as writer:
        writer.execute(update(User).where(User.id == 1).values(name="Not committed yet"))
        made = runner.invoke(args=["backup", str(path)])  # the app goes on: another connection is mid-write
        writer.commit()
    assert made.exit_code == 0, made.output
    assert db.session.scalar(select(User.name).where(User.id == 1)) == "Not committed yet"

    assert runner.invoke(args=["restore", str(path), "--yes"]).exit_code == 0

    assert db.session.scalar(select(User.name).where(User.id == 1)) != "Not committed yet"
    assert_same(snapshot(), live.seeded)


def test_restore_refuses_a_file_that_is_no_backup_and_changes_nothing(live, tmp_path):
    runner = live.test_cli_runner()
    path = tmp_path / "notes.txt"
    path.write_text("not a backup\n", encoding="utf-8")

    refused = runner.invoke(args=["restore", str(path), "--yes"])

    assert refused.exit_code == 1
    expected = "is not an SQLite database" if db.engine.dialect.name == "sqlite" else \
        "is not a pg_dump custom-format file"
    assert expected in refused.output
    missing = runner.invoke(args=["restore", str(tmp_path / "absent.backup"), "--yes"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert_same(snapshot(), live.seeded)


def test_pg_dump_gets_the_urls_host_port_user_and_database_and_the_password_only_in_its_environment():
    from sqlalchemy.engine import make_url

    from review_app.backup import _pg_connection

    args, env = _pg_connection(make_url("postgresql+psycopg://review:s3cret@db.internal:5433/review_app"
                                        "?sslmode=require"))

    assert args == ["--no-password", "--host", "db.internal", "--port", "5433", "--username", "review"]
    assert env["PGPASSWORD"] == "s3cret" and env["PGSSLMODE"] == "require"
    assert "PGPASSWORD" not in os.environ or os.environ["PGPASSWORD"] != "s3cret"  # the child's environment only
