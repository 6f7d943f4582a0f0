"""The migrations: one head, a full upgrade/downgrade/upgrade cycle on a fresh database, every revision up and
down step by step with the demo data present, no drift from the models, and revision files with a working
downgrade and a readable dated name."""
from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, MetaData, String, func, inspect, select
from sqlalchemy import table as sql_table

import review_app
from review_app import create_app
from review_app.db import Base, db

from ..conftest import _postgres_database

MIGRATIONS = Path(review_app.__file__).resolve().parent.parent / "migrations"
VERSIONS = MIGRATIONS / "versions"
FILE_NAME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})_(?P<rev>[0-9a-z]+)_(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)\.py$"
)


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterator[str]:
    """An empty database of its own: a new SQLite file, or a new PostgreSQL database dropped afterwards."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url:
        yield from _postgres_database(admin_url)
    else:
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite")


@pytest.fixture
def migration_app(fresh_database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "migration-tests",
            "SQLALCHEMY_DATABASE_URI": fresh_database_url,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASHING": "fast",  # the step-by-step test seeds the demo's accounts
            "MAIL_SUPPRESS_SEND": True,
            "BASE_URL": "http://localhost",
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()  # PostgreSQL drops the database only without open connections


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _drift(metadata: MetaData = Base.metadata) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False, "render_as_batch": True}
        )
        return compare_metadata(context, metadata)


def test_there_is_exactly_one_head():
    heads = _script().get_heads()
    assert len(heads) == 1, f"several heads: {heads}; merge them with `flask db merge`"


def test_the_revisions_form_one_line_from_base_to_head():
    script = _script()
    revisions = list(script.walk_revisions())  # head first
    assert revisions[-1].down_revision is None
    assert [r.revision for r in revisions] == [r.revision for r in script.iterate_revisions("heads", "base")]


def test_upgrade_downgrade_and_upgrade_again_on_an_empty_database(migration_app):
    model_tables = set(Base.metadata.tables)
    assert _tables() == set()

    upgrade()
    assert _tables() == model_tables | {"alembic_version"}
    assert _drift() == []

    downgrade(revision="base")
    assert _tables() - {"alembic_version"} == set(), "the downgrade left tables behind"
    if db.engine.dialect.name == "postgresql":
        assert inspect(db.engine).get_enums() == [], "the downgrade left enum types behind"

    upgrade()
    assert _tables() == model_tables | {"alembic_version"}
    assert _drift() == []


def _revisions_from_base() -> list[tuple[str, str]]:
    """(revision, the one below it or "base"), from the first to the head."""
    return [(r.revision, r.down_revision or "base") for r in reversed(list(_script().walk_revisions()))]


def _current_revision() -> str:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or "base"


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(sql_table(name))).scalar_one()
                for name in inspect(conn).get_table_names() if name != "alembic_version"}


def test_every_revision_upgrades_downgrades_and_upgrades_again_step_by_step_with_data(migration_app):
    """base → each revision → head; the demo loaded; then from the head down, each revision is undone, redone over
    the data and undone again, and no table that stays loses a row; then up to the head again, step by step."""
    from review_app.demo import seed_demo

    revisions = _revisions_from_base()
    for revision, _below in revisions:
        upgrade(revision=revision)
        assert _current_revision() == revision
    assert _drift() == []

    seed_demo(now=datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
    db.session.remove()  # no open transaction may hold a lock the DDL waits for
    at_head = _row_counts()
    assert sum(n > 0 for n in at_head.values()) >= 30, at_head  # most tables hold rows to carry down

    for revision, below in reversed(revisions):
        before = _row_counts()
        downgrade(revision=below)
        assert _current_revision() == below
        after = _row_counts()
        lost = {name: (before[name], n) for name, n in after.items() if n != before.get(name, n)}
        assert lost == {}, f"downgrading {revision} lost rows (before, after): {lost}"
        upgrade(revision=revision)  # the revision again, over tables that hold rows
        assert _current_revision() == revision
        again = _row_counts()
        # a table the revision replaces (0006: availability per proposal → per person) carries its rows over
        changed = {name: (n, again[name]) for name, n in after.items() if name in again and again[name] != n}
        assert changed == {}, f"upgrading {revision} over data changed rows (before, after): {changed}"
        downgrade(revision=below)
        assert _current_revision() == below

    assert _tables() - {"alembic_version"} == set(), "the downgrade left tables behind"
    if db.engine.dialect.name == "postgresql":
        assert inspect(db.engine).get_enums() == [], "the downgrade left enum types behind"
    for revision, _below in revisions:
        upgrade(revision=revision)
        assert _current_revision() == revision
    assert _tables() == set(Base.metadata.tables) | {"alembic_version"}
    assert _drift() == []


def test_the_models_and_the_migrations_do_not_drift_apart(migration_app):
    upgrade()
    differences = _drift()
    assert differences == [], (
        "the models differ from the migrations; write a revision with `flask db migrate -m '...'`:\n"
        + "\n".join(map(repr, differences))
    )


def test_the_drift_check_does_see_drift(migration_app):
    """A guard for the guard: a model column the migrations lack, and a changed type, are reported."""
    upgrade()
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["venue"].append_column(Column("website", String(200)))
    changed.tables["event"].c.motto_de.type = String(250)
    kinds = {diff[0] if isinstance(diff, tuple) else diff[0][0] for diff in _drift(changed)}
    assert {"add_column", "modify_type"} <= kinds


def _revision_files() -> list[Path]:
    files = sorted(p for p in VERSIONS.glob("*.py") if p.name != "__init__.py")
    assert files, "no revision files"
    return files


def test_every_revision_file_has_a_dated_readable_name_matching_its_revision():
    for path in _revision_files():
        match = FILE_NAME.match(path.name)
        assert match, f"{path.name}: expected YYYY-MM-DD_<rev>_<slug>.py"
        date.fromisoformat(match["date"])  # a real date
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
        }
        assert assigned.get("revision") == match["rev"], f"{path.name}: the name and `revision` differ"
        assert ast.get_docstring(tree), f"{path.name}: no docstring saying what the revision does"


def _body_without_docstring(function: ast.FunctionDef) -> list[ast.stmt]:
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return body


def test_every_revision_has_a_real_upgrade_and_downgrade():
    for path in _revision_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for name in ("upgrade", "downgrade"):
            assert name in functions, f"{path.name}: no {name}()"
            body = _body_without_docstring(functions[name])
            assert body and not all(isinstance(stmt, ast.Pass) for stmt in body), (
                f"{path.name}: {name}() does nothing"
            )
            raises = [s for s in body if isinstance(s, ast.Raise)]
            assert not raises or len(body) > len(raises), f"{path.name}: {name}() only raises"
