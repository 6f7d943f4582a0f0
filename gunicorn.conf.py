"""gunicorn's settings, read from the working directory (`gunicorn wsgi:app` picks this file up by itself).

The app is imported once, in the master, before the workers are forked: every worker answers at once instead of
each importing and building the app on its own (which, on two cores with two workers and the outbox worker
starting, took over 2 s), and the objects made at start are shared between them (wsgi.py freezes them out of the
garbage collector, so they stay shared). A forked worker must not use the database connections of the master's
pool: each drops them at once and opens its own. The web server never migrates: the `flask db` commands are off
in it, and Alembic is not imported (see MIGRATIONS in review_app/config.py).
"""

preload_app = True
raw_env = ["REVIEW_APP_MIGRATIONS=false"]  # set in the master before it loads the app


def post_fork(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    from review_app.db import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)  # forget the master's connections without closing them under its feet
