"""Flask extensions, created unbound and initialised by create_app."""
from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf import CSRFProtect

from .db import db

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "mail"]
