"""Development-only page showing the mails the local catcher received."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request

from .catcher import read_caught

bp = Blueprint("devmail", __name__, url_prefix="/dev/mail")


def catcher_dir() -> Path:
    configured = current_app.config.get("MAIL_CATCHER_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "caught-mail"


@bp.before_request
def _only_in_development():
    # caught mails hold live confirmation and reset links: only in debug mode, and only from this machine
    if not (current_app.debug and current_app.config["SHOW_CAUGHT_MAIL"]):
        abort(404)
    if request.remote_addr not in ("127.0.0.1", "::1"):
        abort(404)


@bp.get("/")
def index():
    return render_template("dev/mail.html", mails=read_caught(catcher_dir()))


@bp.get("/<mail_id>")
def show(mail_id: str):
    for item in read_caught(catcher_dir()):
        if item["id"] == mail_id:
            return render_template("dev/mail_one.html", mail=item)
    abort(404)
