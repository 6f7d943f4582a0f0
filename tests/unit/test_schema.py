"""The migrated schema against the models, where Alembic's autogenerate is blind: every enum's members match its
CHECK constraint, and every foreign key (and the audit log's object) has an index. Driven by Base.metadata, so a
table or enum column added later is covered without editing this file."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Enum, MetaData, inspect, text

from review_app import create_app
from review_app.db import Base, db

from ..conftest import _postgres_database

# references that are not foreign keys but are looked up like one: (table, leading columns of the index)
POLYMORPHIC_REFERENCES = [("audit_entry", ("object_type", "object_id"))]


def _migrated_app(directory) -> Iterator:
    """An app on a database of its own (SQLite file, or PostgreSQL per TEST_DATABASE_URL) upgraded to head by
    the migrations."""
    from flask_migrate import upgrade

    admin_url = os.environ.get("TEST_DATABASE_URL")
    urls = _postgres_database(admin_url) if admin_url else iter(["sqlite:///" + str(directory / "schema.sqlite")])
    app = create_app({"TESTING": True, "SECRET_KEY": "schema-tests", "SQLALCHEMY_DATABASE_URI": next(urls),
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()  # PostgreSQL drops the database only without open connections
    for _ in urls:  # drops the PostgreSQL database
        pass


@pytest.fixture(scope="module")
def migrated_app(tmp_path_factory) -> Iterator:
    yield from _migrated_app(tmp_path_factory.mktemp("schema"))


@pytest.fixture
def breakable_app(tmp_path) -> Iterator:
    """A migrated database for a test that breaks its schema on purpose."""
    yield from _migrated_app(tmp_path)


# -- reading CHECK constraints from the live database ------------------------------------------------------------

def _balanced(sql: str, start: int) -> int:
    """The index just past the parenthesis that closes the one at sql[start], quotes respected."""
    depth, i, quote = 0, start, None
    while i < len(sql):
        ch = sql[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced parentheses in {sql!r}")


def sqlite_checks(create_table_sql: str) -> list[str]:
    """The bodies of the CHECK constraints in a CREATE TABLE statement (as sqlite_master keeps it)."""
    bodies, quote, i = [], None, 0
    while i < len(create_table_sql):
        ch = create_table_sql[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif re.match(r"CHECK\s*\(", create_table_sql[i:], re.IGNORECASE) and (
                i == 0 or not (create_table_sql[i - 1].isalnum() or create_table_sql[i - 1] == "_")):
            start = create_table_sql.index("(", i)
            end = _balanced(create_table_sql, start)
            bodies.append(create_table_sql[start + 1:end - 1])
            i = end
            continue
        i += 1
    return bodies


def live_checks(conn: Connection, table: str) -> list[str]:
    """The CHECK constraints of a table as the migrated database holds them (not as SQLAlchemy reflects them)."""
    if conn.dialect.name == "sqlite":
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                           {"t": table}).scalar_one()
        return sqlite_checks(sql)
    if conn.dialect.name == "postgresql":
        return list(conn.execute(text(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = r.relnamespace "
            "WHERE c.contype = 'c' AND r.relname = :t AND n.nspname = current_schema()"), {"t": table}).scalars())
    raise NotImplementedError(conn.dialect.name)


def _unwrap(sql: str) -> str:
    sql = sql.strip()
    while sql.startswith("(") and _balanced(sql, 0) == len(sql):
        sql = sql[1:-1].strip()
    return sql


LITERALS = re.compile(r"\s*'(?:[^']|'')*'(?:\s*,\s*'(?:[^']|'')*')*\s*")
COLUMN = r"\(?\s*\"?(?P<column>\w+)\"?\s*\)?"
ALLOWED_VALUE_FORMS = [
    re.compile(COLUMN + r"\s+IN\s*\((?P<values>.*)\)", re.IGNORECASE | re.DOTALL),  # SQLite: col IN ('a', 'b')
    # PostgreSQL: col = ANY (ARRAY['a', 'b'])
    re.compile(COLUMN + r"\s*=\s*ANY\s*\(\s*\(?\s*ARRAY\s*\[(?P<values>.*)\]\s*\)?\s*\)", re.IGNORECASE | re.DOTALL),
    re.compile(COLUMN + r"\s*=\s*(?P<values>'(?:[^']|'')*')", re.DOTALL),  # a single allowed value
]


def allowed_values(check: str) -> tuple[str, set[str]] | None:
    """(column, allowed values) if the constraint only limits one column to a list of literals, else None.
    Reads both dialects' spellings: `state IN ('a', 'b')` and `((state)::text = ANY ((ARRAY['a'::character
    varying, …])::text[]))`."""
    sql = re.sub(r"^CHECK\b", "", check.strip(), flags=re.IGNORECASE)
    sql = _unwrap(re.sub(r"::[a-z ]+(?:\[\])?", "", sql))  # PostgreSQL's casts say nothing about the values
    for form in ALLOWED_VALUE_FORMS:
        match = form.fullmatch(sql)
        if match and LITERALS.fullmatch(match["values"]):
            values = {v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", match["values"])}
            return match["column"], values
    return None


def enum_columns(metadata: MetaData = Base.metadata):
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Enum):
                yield table, column


def enum_mismatches(conn: Connection, metadata: MetaData = Base.metadata) -> list[str]:
    """Every enum column whose members and CHECK constraint differ, in words."""
    problems = []
    native = {e["name"]: set(e["labels"]) for e in inspect(conn).get_enums()} if conn.dialect.name == "postgresql" \
        else {}
    for table, column in enum_columns(metadata):
        members = set(column.type.enums)
        if column.type.enum_class is not None:  # the Python enum and what SQLAlchemy stores agree
            assert len(members) == len(column.type.enum_class), (table.name, column.name)
        if column.type.native_enum and column.type.name in native:
            found = [native[column.type.name]]
        else:
            found = [values for col, values in filter(None, map(allowed_values, live_checks(conn, table.name)))
                     if col == column.name]
        where = f"{table.name}.{column.name}"
        if not found:
            problems.append(f"{where}: no CHECK constraint limits it to the enum's members {sorted(members)}")
        elif len(found) > 1:
            problems.append(f"{where}: {len(found)} CHECK constraints list its values: {found}")
        else:
            if members - found[0]:
                problems.append(f"{where}: the database refuses the members {sorted(members - found[0])}")
            if found[0] - members:
                problems.append(f"{where}: the database allows {sorted(found[0] - members)}, which are no members")
    return problems


def test_the_parser_reads_both_dialects_spellings_of_a_list_of_values():
    assert allowed_values("status IN ('pending', 'sent', 'failed')") == ("status", {"pending", "sent", "failed"})
    assert allowed_values(
        "CHECK (((status)::text = ANY ((ARRAY['pending'::character varying, 'it''s'::character varying])::text[])))"
    ) == ("status", {"pending", "it's"})
    assert allowed_values("CHECK (((kind)::text = 'only'::text))") == ("kind", {"only"})
    # a rule that ties a state to other columns is not a list of values
    assert allowed_values("state = 'draft' OR submitted_at IS NOT NULL") is None
    assert allowed_values("CHECK ((((state)::text = 'draft'::text) OR (submitted_at IS NOT NULL)))") is None
    assert allowed_values("confidence IS NULL OR confidence BETWEEN 1 AND 3") is None
    assert sqlite_checks("CREATE TABLE t (a VARCHAR(5), CONSTRAINT ck_a CHECK (a IN ('x)', 'y')), "
                         "b INT CHECK (b > (1)), c VARCHAR(9) DEFAULT 'CHECK (no)')") == ["a IN ('x)', 'y')",
                                                                                          "b > (1)"]


def test_every_enums_members_match_its_check_constraint_in_the_migrated_database(migrated_app):
    assert len(list(enum_columns())) >= 10  # the walk sees the enum columns at all
    with db.engine.connect() as conn:
        problems = enum_mismatches(conn)
    assert problems == [], "the migrations and the enums differ; write a revision that changes the CHECK:\n" + \
        "\n".join(problems)


def test_the_enum_check_sees_a_member_added_or_removed(migrated_app):
    """A guard for the guard: models whose enum gained one member and lost another are reported both ways."""
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    column = changed.tables["proposal"].c.state
    members = list(column.type.enums)
    column.type = Enum(*members[1:], "on_hold", native_enum=False, create_constraint=True, name="proposal_state")
    with db.engine.connect() as conn:
        problems = enum_mismatches(conn, changed)
    assert problems == ["proposal.state: the database refuses the members ['on_hold']",
                        f"proposal.state: the database allows ['{members[0]}'], which are no members"]


# -- indexes on foreign keys -------------------------------------------------------------------------------------

def _leading_columns(conn: Connection, table: str) -> list[list[str]]:
    """The column lists of every index, primary key and unique constraint of a table in the live database."""
    inspector = inspect(conn)
    lists = [list(ix["column_names"]) for ix in inspector.get_indexes(table)]
    lists.append(list(inspector.get_pk_constraint(table)["constrained_columns"]))
    lists += [list(uq["column_names"]) for uq in inspector.get_unique_constraints(table)]
    return [[c for c in cols if c is not None] for cols in lists]


def _covered(columns: tuple[str, ...], leading: list[list[str]]) -> bool:
    # an index serves a lookup by these columns if they are its first ones, in any order
    return any(set(cols[:len(columns)]) == set(columns) for cols in leading)


def unindexed_references(conn: Connection, metadata: MetaData = Base.metadata) -> list[str]:
    missing = []
    for table in metadata.sorted_tables:
        leading = _leading_columns(conn, table.name)
        for fk in table.foreign_key_constraints:
            columns = tuple(c.name for c in fk.columns)
            if not _covered(columns, leading):
                missing.append(f"{table.name}({', '.join(columns)}) -> {fk.referred_table.name}")
        for name, columns in POLYMORPHIC_REFERENCES:
            if name == table.name and not _covered(columns, leading):
                missing.append(f"{table.name}({', '.join(columns)})")
    return missing


def test_every_foreign_key_and_the_audit_logs_object_have_an_index(migrated_app):
    assert sum(len(t.foreign_key_constraints) for t in Base.metadata.sorted_tables) >= 40
    with db.engine.connect() as conn:
        missing = unindexed_references(conn)
    assert missing == [], ("these references have no index whose leading columns they are; deleting or "
                           "changing a referred row scans the whole table. Add an index (and a revision):\n"
                           + "\n".join(missing))


def test_the_index_check_sees_a_dropped_index(breakable_app):
    """A guard for the guard: drop revision 0007's index on proposal.format_id and the audit log's object index,
    and exactly those two are reported."""
    with db.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_proposal_format_id"))
        conn.execute(text("DROP INDEX ix_audit_entry_object"))
    with db.engine.connect() as conn:
        missing = unindexed_references(conn)
    assert sorted(missing) == ["audit_entry(object_type, object_id)", "proposal(format_id) -> session_format"]
