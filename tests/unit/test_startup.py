"""What a web worker imports at start: the web server leaves out the migration commands (and with them Alembic),
and the libraries that only some pages need (numpy, OR-Tools, icalendar) are imported where they are used."""
from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

from review_app import create_app

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_db_commands_are_there_by_default_and_not_in_the_web_server(database_url):
    base = {"TESTING": True, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": database_url}
    cli = create_app(base)
    assert "migrate" in cli.extensions
    assert "upgrade" in cli.test_cli_runner().invoke(args=["db", "--help"]).output
    web = create_app({**base, "MIGRATIONS": False})
    assert "migrate" not in web.extensions
    assert web.test_cli_runner().invoke(args=["db", "--help"]).exit_code != 0
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert "REVIEW_APP_MIGRATIONS=false" in settings["raw_env"] and settings["preload_app"] is True


def test_a_web_worker_starts_without_alembic_numpy_ortools_or_icalendar(tmp_path):
    code = ("import gc, sys, wsgi; heavy = [m for m in ('alembic', 'numpy', 'ortools', 'icalendar', 'pandas')"
            " if m in sys.modules]; print(heavy); wsgi.app.test_client().get('/');"
            " print(type(wsgi.app.wsgi_app).__name__, gc.get_threshold(), gc.get_freeze_count() > 10_000)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REVIEW_APP_MIGRATIONS": "false",
           "REVIEW_APP_SECRET_KEY": "startup-test-secret-key-0123456789",
           "REVIEW_APP_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip().splitlines()[0] == "[]", out.stdout
    # and its garbage collection is set up (review_app/collector.py)
    assert out.stdout.strip().splitlines()[1] == "CollectAfterResponse (20000, 50, 100) True", out.stdout
