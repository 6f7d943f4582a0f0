"""`flask backup` / `flask restore`: the whole database to one file and back — SQLite's online backup API, or
PostgreSQL's pg_dump (custom format) and pg_restore."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404: fixed programs with argument lists, never a shell
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import URL, column, func, inspect, select
from sqlalchemy import table as sql_table

from .db import db

SQLITE_HEADER = b"SQLite format 3\x00"
PGDUMP_HEADER = b"PGDMP"  # pg_dump's custom format
LOCK_WAIT_SECONDS = 30  # how long an SQLite copy waits for a writer to finish before it gives up


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Contents:
    """What a database holds, for the commands' reports."""

    tables: int
    rows: int
    revision: str | None

    def describe(self) -> str:
        revision = f"schema revision {self.revision}" if self.revision else "no schema revision"
        return f"{self.tables} tables, {self.rows} rows, {revision}"


def contents() -> Contents:
    """Tables, data rows (alembic_version not counted) and schema revision of the app's database."""
    with db.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        rows = sum(conn.execute(select(func.count()).select_from(sql_table(name))).scalar_one()
                   for name in names if name != "alembic_version")
        revision = None
        if "alembic_version" in names:
            revision = conn.execute(select(sql_table("alembic_version", column("version_num")))).scalar()
    return Contents(tables=len(names), rows=rows, revision=revision)


def _url() -> URL:
    return db.engine.url


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _release_connections() -> None:
    """This process lets go of the database, so that a restore waits for no lock of its own."""
    db.session.remove()
    db.engine.dispose()


# -- SQLite ------------------------------------------------------------------------------------------------------

def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"{_shown(url)} is not an SQLite database file; only a file can be backed up.")
    return Path(url.database).resolve()


def _read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: a wrong path is an error, not a new empty database
    return sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)


def _give_up_when_locked(started: float):
    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() - started > LOCK_WAIT_SECONDS:
            raise BackupError(f"the database stayed locked for {LOCK_WAIT_SECONDS} seconds; try again")
    return progress


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # one step (pages=-1) copies a consistent state: a write by another connection between steps would restart
    # the copy. Readers and, in WAL mode, writers of the running app go on meanwhile.
    try:
        source.backup(target, pages=-1, progress=_give_up_when_locked(time.monotonic()))
    except sqlite3.Error as err:
        raise BackupError(f"SQLite: {err}") from err


def _sqlite_backup(url: URL, target: Path) -> str:
    source_path = _sqlite_file(url)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(_read_only(source_path)) as source, closing(sqlite3.connect(partial)) as copy:
            _sqlite_copy(source, copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        os.replace(partial, target)  # a backup file is complete or absent, never half-written
    finally:
        partial.unlink(missing_ok=True)
    return "SQLite online backup"


def _check_sqlite_backup(path: Path) -> None:
    with path.open("rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite database; the app's database is SQLite.")
    try:
        with closing(_read_only(path)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (PRAGMA quick_check failed).")
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as err:
        raise BackupError(f"{path} cannot be read: {err}") from err
    if "alembic_version" not in names:
        raise BackupError(f"{path} is no backup of this app: it has no alembic_version table.")


def _sqlite_restore(url: URL, backup_file: Path) -> str:
    _check_sqlite_backup(backup_file)
    target = _sqlite_file(url)
    _release_connections()
    with closing(_read_only(backup_file)) as source, closing(sqlite3.connect(target)) as database:
        _sqlite_copy(source, database)
    return "SQLite backup API"


# -- PostgreSQL --------------------------------------------------------------------------------------------------

def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found on the PATH; install the PostgreSQL client programs of the "
                          "server's major version (or a newer one), e.g. Debian's postgresql-client.")
    return found


def _pg_connection(url: URL) -> tuple[list[str], dict[str, str]]:
    """pg_dump's / pg_restore's connection options for the URL; the password only in the child's environment."""
    if not url.database:
        raise BackupError(f"{_shown(url)} names no database.")
    args = ["--no-password"]  # never wait for a prompt: a missing password is an error
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if "sslmode" in url.query:
        env["PGSSLMODE"] = str(url.query["sslmode"])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - a fixed program, no shell  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit code {result.returncode}): {result.stderr.strip()}")


def _pg_backup(url: URL, target: Path) -> str:
    connection, env = _pg_connection(url)
    partial = target.with_name(target.name + ".partial")
    try:
        _run([_program("pg_dump"), "--format=custom", *connection, "--file", str(partial), "--dbname",
              url.database], env, "pg_dump")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return "pg_dump, custom format"


def _pg_restore(url: URL, backup_file: Path) -> str:
    with backup_file.open("rb") as f:
        if f.read(len(PGDUMP_HEADER)) != PGDUMP_HEADER:
            raise BackupError(f"{backup_file} is not a pg_dump custom-format file; the app's database is "
                              "PostgreSQL.")
    connection, env = _pg_connection(url)
    _release_connections()
    # one transaction: a restore that fails half-way leaves the database as it was
    _run([_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *connection,
          "--dbname", url.database, str(backup_file)], env, "pg_restore")
    return "pg_restore --clean --if-exists --no-owner"


# -- the operations ----------------------------------------------------------------------------------------------

def _dialect(url: URL) -> str:
    name = url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backing up a {name} database is not supported; only SQLite and PostgreSQL.")
    return name


def backup(path: str | os.PathLike) -> str:
    """Copy the app's database to the file `path` (replaced if it exists) while the app may keep running.
    Returns what was done, in words."""
    url = _url()
    target = Path(path)
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give the name of the backup file.")
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist.")
    held = contents()
    method = (_sqlite_backup if _dialect(url) == "sqlite" else _pg_backup)(url, target)
    return (f"Backed up {_shown(url)} ({held.describe()}) to {target} ({method}, "
            f"{target.stat().st_size:,} bytes).")


def restore(path: str | os.PathLike, *, overwrite: bool = False) -> str:
    """Replace the app's database by the backup in `path`. A database holding rows is replaced only with
    `overwrite`. Stop the app (and the outbox worker) first: their writes would be lost or mixed in."""
    url = _url()
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    dialect = _dialect(url)
    held = contents()
    if held.rows and not overwrite:
        raise BackupError(f"{_shown(url)} is not empty ({held.describe()}); restoring replaces all of it. "
                          "Add --yes to overwrite it.")
    method = (_sqlite_restore if dialect == "sqlite" else _pg_restore)(url, source)
    return f"Restored {source} into {_shown(url)} ({method}): now {contents().describe()}."


# -- the commands (registered in review_app/cli.py) --------------------------------------------------------------

@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_command(path: str) -> None:
    """Back up the whole database to the file PATH while the app runs (SQLite: the online backup API;
    PostgreSQL: pg_dump in its custom format)."""
    try:
        click.echo(backup(path))
    except BackupError as err:
        raise click.ClickException(str(err)) from err


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--yes", is_flag=True, help="Overwrite a database that holds data.")
def restore_command(path: str, yes: bool) -> None:
    """Replace the database by the backup in PATH (SQLite: the backup API; PostgreSQL: pg_restore --clean).
    Stop the app and the outbox worker first; a database that holds data is overwritten only with --yes."""
    try:
        click.echo(restore(path, overwrite=yes))
    except BackupError as err:
        raise click.ClickException(str(err)) from err
