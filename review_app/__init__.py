"""The application factory: configuration, extensions, blueprints, security headers, CLI — in named steps."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, request, session
from flask_babel import gettext, lazy_gettext

from . import config as config_module
from .db import db
from .extensions import babel, csrf, limiter, login_manager
from .extensions import mail as mail_extension

ROOT = Path(__file__).resolve().parent.parent

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"),
                instance_relative_config=True)
    register_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def register_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_object(config_module.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    config_module.from_environment(app.config)
    if test_config:
        app.config.update(test_config)
    config_module.settle_cookie_security(app.config, debug=app.debug, testing=app.testing)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "review_app.sqlite")
    if app.config["SECRET_KEY"] == config_module.DEFAULT_SECRET_KEY and not (app.debug or app.testing):
        raise RuntimeError("Refusing to start with the default SECRET_KEY outside debug or testing: "
                           "set REVIEW_APP_SECRET_KEY or SECRET_KEY in instance/config.py.")


def register_extensions(app: Flask) -> None:
    from .public import front

    front.install(app)  # released pages and feeds answered again before Flask builds a request
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # behind a proxy every request comes from the proxy: rate limits need the real client address
        n = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    db.init_app(app)
    if app.config["MIGRATIONS"]:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    csrf.init_app(app)
    mail_extension.init_app(app)
    limiter.init_app(app)
    from .i18n import select_locale

    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = gettext
    login_manager.session_protection = None  # sessions are server-side records; see accounts.services

    from .accounts.services import load_session_user
    from .web import clock

    @app.before_request
    def _fix_locale():
        # decide the page's language once, up front: a failed flush later in the request expires the user
        # object, and translating an error message must not need the database
        from flask_babel import get_locale

        get_locale()

    @login_manager.user_loader
    def _load(token: str):
        return load_session_user(token, now=clock())

    # import every model so that metadata (and Alembic's autogenerate) sees them all
    from .accounts import models as _a  # noqa: F401
    from .audit import models as _au  # noqa: F401
    from .cfp import models as _c  # noqa: F401
    from .events import models as _e  # noqa: F401
    from .mail import models as _m  # noqa: F401
    from .review import models as _r  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from .web import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any rule is added
    from .accounts.views import bp as accounts_bp
    from .cfp.views import bp as cfp_bp
    from .events import outbox_views as _outbox_views  # noqa: F401 - the outbox pages, on manage_bp
    from .events.views import bp as manage_bp
    from .legal.views import bp as legal_bp
    from .mail.views import bp as devmail_bp
    from .public import programme_views as _programme_views  # noqa: F401 - the programme's routes, on public_bp
    from .public.api import bp as api_bp
    from .public.views import bp as public_bp
    from .review.committee_views import bp as review_committee_bp
    from .review.decision_views import bp as review_decisions_bp
    from .review.speaker_views import bp as review_speaker_bp
    from .review.views import bp as review_bp
    from .schedule.views import bp as schedule_bp

    for bp in (public_bp, accounts_bp, cfp_bp, manage_bp, review_bp, review_committee_bp, review_decisions_bp,
               review_speaker_bp, schedule_bp, api_bp, legal_bp, devmail_bp):
        app.register_blueprint(bp)
    from .privacy.views import bp as privacy_bp  # the person's data, account deletion, audit log, `flask retention`

    app.register_blueprint(privacy_bp)
    from . import navigation

    navigation.init_app(app)  # the header's areas, fed by the blueprints' providers just imported


def register_errors(app: Flask) -> None:
    from .errors import register_error_handlers

    register_error_handlers(app)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint and not request.endpoint.startswith("static"):
            response.headers.setdefault("Cache-Control", "no-store" if session.get("_user_id") else "no-cache")
        return response


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from .cfp.models import LANGUAGE_LABELS
    from .i18n import format_clock_window, format_day, format_in_zone, format_window, zone_name

    app.jinja_env.filters["in_zone"] = format_in_zone
    app.jinja_env.filters["window"] = format_window
    app.jinja_env.filters["clock_window"] = format_clock_window
    app.jinja_env.filters["day"] = format_day
    from .i18n import format_duration

    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["zone_name"] = zone_name
    from .markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown

    @app.context_processor
    def _globals():
        return {"current_language": str(get_locale() or "de"), "language_labels": LANGUAGE_LABELS}


def register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
