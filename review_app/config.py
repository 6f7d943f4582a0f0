"""Layered configuration: defaults, then instance config, then REVIEW_APP_* environment, then test config."""
from __future__ import annotations

import json
import os
from typing import Any

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused outside debug/testing


class Defaults:
    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled with the instance SQLite file when unset
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Absolute base for links in mails; never taken from the request's Host header.
    BASE_URL = "http://127.0.0.1:5000"
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: Secure (sent over HTTPS only) unless in debug or testing; settle_cookie_security decides. Set False
    # for a plain-http deployment. REMEMBER_COOKIE_SECURE (Flask-Login) follows it unless set itself.
    SESSION_COOKIE_SECURE: bool | None = None
    PERMANENT_SESSION_LIFETIME = 14 * 24 * 3600
    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the (server-side) login session
    WTF_CSRF_ENABLED = True  # Flask-WTF's default, written out so that REVIEW_APP_WTF_CSRF_ENABLED=false is a bool
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")
    # Mail
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Smart City Days <noreply@review-app.invalid>"
    MAIL_TIMEOUT = 10
    MAIL_DEBUG = False  # Flask-Mail would otherwise print every SMTP exchange in debug mode
    # Temporary SMTP failures (refused connections, 4xx replies) are retried with backoff (1, 2, 4 … minutes, at
    # most 6 hours apart) until the retries have spanned this many seconds; only then is the mail failed
    MAIL_GIVE_UP_AFTER = 2 * 24 * 3600
    # The automatic scheduler (OR-Tools CP-SAT): threads and random seed; the time limit is the event's setting
    SCHEDULER_WORKERS = 2
    SCHEDULER_SEED = 1
    STATIC_EXPORT = False  # set by `flask export-static` while it renders the public pages
    # Development mail catcher (used by `flask dev-server` when MAIL_SERVER is unset)
    MAIL_CATCHER_PORT = 8025
    MAIL_CATCHER_DIR: str | None = None  # default: instance/caught-mail
    SHOW_CAUGHT_MAIL = False
    # Rate limits for the account forms (Flask-Limiter); storage may be redis://...
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ACCOUNT_FORMS = "10 per minute;50 per hour"  # per client address
    RATELIMIT_PER_ACCOUNT = "5 per minute;20 per hour"  # login and password reset, per email address
    RATELIMIT_INVITATIONS = "20 per hour;100 per day"  # co-speaker invitations, per inviting account
    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (werkzeug's
    # ProxyFix). 0: none, the client address is the socket's. Behind one TLS proxy: 1.
    PROXY_FIX = 0
    # The `flask db` commands (Flask-Migrate, with Alembic). gunicorn.conf.py turns them off in the web server,
    # which never migrates: importing Alembic was an eighth of a worker's start.
    MIGRATIONS = True
    # "default": argon2id with the library's recommended cost; "fast": argon2id at minimal cost (tests only)
    PASSWORD_HASHING = "default"  # noqa: S105 - a profile name, not a password
    # Token lifetimes (seconds)
    EMAIL_CONFIRM_TTL = 3 * 24 * 3600
    PASSWORD_RESET_TTL = 2 * 3600
    INVITATION_TTL = 30 * 24 * 3600
    MAX_PENDING_INVITATIONS = 10  # per proposal
    LOGIN_SESSION_TTL = 14 * 24 * 3600
    # `flask retention` anonymises rejected, withdrawn and declined proposals this many days after their event ended
    RETENTION_DAYS = 180


_BOOL = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(raw: str, current: Any) -> Any:
    """Give an environment string the type of the default it overrides."""
    if isinstance(current, bool):
        if raw.lower() not in _BOOL:
            raise ValueError(f"not a boolean: {raw!r}")
        return _BOOL[raw.lower()]
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, (dict, list, tuple)):
        return json.loads(raw)
    return raw


def from_environment(config: dict[str, Any], environ: os._Environ[str] | dict[str, str] = os.environ) -> None:
    """Apply every REVIEW_APP_<KEY>; REVIEW_APP_DATABASE_URL is the short name of the database URI."""
    prefix = "REVIEW_APP_"
    for name, raw in environ.items():
        if not name.startswith(prefix):
            continue
        key = name[len(prefix):]
        if key == "DATABASE_URL":
            key = "SQLALCHEMY_DATABASE_URI"
        config[key] = _coerce(raw, config.get(key))


def settle_cookie_security(config: dict[str, Any], *, debug: bool, testing: bool) -> None:
    """The session and remember cookies are Secure by default; only debug (`make run` on http://127.0.0.1:5000)
    and the test suite default to plain http. An explicit setting (instance config or environment) wins."""
    secure = config.get("SESSION_COOKIE_SECURE")
    if isinstance(secure, str):  # from the environment: the default None gives _coerce no type to follow
        secure = _coerce(secure, False)
    if secure is None:
        secure = not (debug or testing)
    config["SESSION_COOKIE_SECURE"] = secure
    remember = config.get("REMEMBER_COOKIE_SECURE")
    config["REMEMBER_COOKIE_SECURE"] = secure if remember is None else _coerce(str(remember), False)
