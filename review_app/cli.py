"""Flask commands: create-admin, seed-demo, remind-unconfirmed, export-static, dev-server, the `mail` group, and
backup/restore (review_app/backup.py)."""
from __future__ import annotations

import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .db import db, utcnow


def register_commands(app: Flask) -> None:
    from .backup import backup_command, restore_command
    from .mail.cli import mail_cli

    app.cli.add_command(mail_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(bench_data_command)
    app.cli.add_command(dev_server_command)
    app.cli.add_command(remind_unconfirmed_command)
    app.cli.add_command(export_static_command)


@click.command("export-static")
@with_appcontext
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--event", "slugs", multiple=True, help="Only this event (its short name); repeatable.")
def export_static_command(outdir: str, slugs: tuple[str, ...]) -> None:
    """Write the released public programme (pages, feeds, assets) to OUTDIR for any web server or CDN."""
    from .public.static_site import export

    files = export(current_app._get_current_object(), outdir, list(slugs) or None)
    click.echo(f"Wrote {len(files)} files to {outdir}.")


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", help="Name of the new account.")
@click.option("--password", help="Password of the new account (asked for if not given).")
@click.option("--promote", is_flag=True, help="Make an existing account an administrator; its password stays.")
def create_admin_command(email: str, name: str | None, password: str | None, promote: bool) -> None:
    """Create a site administrator, or with --promote make an existing account one."""
    from .accounts.services import create_admin, promote_admin
    from .errors import DomainError

    try:
        if promote:
            user = promote_admin(email=email, now=utcnow())
        else:
            name = name or click.prompt("Name")
            password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
            if len(password) < 10:
                raise click.BadParameter("at least 10 characters", param_hint="--password")
            user = create_admin(email=email, name=name, password=password, now=utcnow())
    except DomainError as err:
        hint = " Use --promote to make it an administrator." if err.status == 409 else ""
        raise click.ClickException(f"{err.message}{hint}") from err
    db.session.commit()
    click.echo(f"{user.email} is a site administrator." + (" Its password is unchanged." if promote else ""))


@click.command("seed-demo")
@with_appcontext
@click.option("--seed", default=2025, show_default=True, help="Random seed; the same seed gives the same data.")
@click.option("--force", is_flag=True, help="Load even though the database holds other data.")
def seed_demo_command(seed: int, force: bool) -> None:
    """Load the Smart City Days demo data (idempotent)."""
    from .demo import DemoRefused, seed_demo

    try:
        result = seed_demo(seed=seed, force=force)
    except DemoRefused as err:
        raise click.ClickException(str(err)) from err
    click.echo(result.summary())


@click.command("bench-data")
@with_appcontext
@click.option("--size", required=True, type=click.Choice(["S", "M", "L"]), help="S: the demo; M: 300 proposals; "
              "L: 2,000 proposals (see review_app/benchdata.py).")
def bench_data_command(size: str) -> None:
    """Build benchmark data into a freshly migrated, empty database; prints a JSON summary."""
    import json

    from .benchdata import BenchRefused, build

    try:
        result = build(size)
    except BenchRefused as err:
        raise click.ClickException(str(err)) from err
    click.echo(json.dumps(result.as_dict(), indent=2))


@click.command("remind-unconfirmed")
@with_appcontext
@click.option("--days", required=True, type=click.IntRange(min=0),
              help="Remind when the acceptance was released at least this many days ago.")
def remind_unconfirmed_command(days: int) -> None:
    """Mail the speakers of accepted sessions that are not confirmed yet (one mail per speaker and session)."""
    from .review.decisions import remind_unconfirmed
    from .web import clock

    sent = remind_unconfirmed(days=days, now=clock())
    db.session.commit()
    click.echo(f"Queued {sent} reminder mail(s); the outbox worker sends them.")


@click.command("dev-server")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def dev_server_command(host: str, port: int) -> None:
    """Serve for development; without a configured SMTP server also run a local mail catcher and the outbox
    worker, and show the caught mails at /dev/mail/."""
    app = current_app._get_current_object()
    stop = threading.Event()
    controller = None
    if not app.config.get("MAIL_SERVER"):
        from .mail.catcher import start_catcher
        from .mail.views import catcher_dir

        catcher_port = app.config["MAIL_CATCHER_PORT"]
        controller = start_catcher(catcher_dir(), catcher_port)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=catcher_port, MAIL_USE_TLS=False,
                          MAIL_USE_SSL=False, SHOW_CAUGHT_MAIL=True)
        app.extensions["mail"].server = "127.0.0.1"
        app.extensions["mail"].port = catcher_port
        click.echo(f"Mail catcher on 127.0.0.1:{catcher_port}; read the mails at http://{host}:{port}/dev/mail/")

    def worker():
        from .mail.services import run_worker

        with app.app_context():
            run_worker(interval=1.0, stop=stop)

    threading.Thread(target=worker, name="outbox-worker", daemon=True).start()
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl-C stops)")
    try:
        from werkzeug.serving import run_simple

        # app.run() refuses to run inside a flask command; run_simple is what it would call
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        stop.set()
        if controller is not None:
            controller.stop()
