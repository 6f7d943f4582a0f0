"""`flask mail send-pending [--loop]`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from .services import run_worker, send_pending

mail_cli = AppGroup("mail", help="The mail outbox.")


@mail_cli.command("send-pending")
@click.option("--loop", is_flag=True, help="Keep running as a worker.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between rounds with --loop.")
def send_pending_command(loop: bool, interval: float) -> None:
    """Send the queued mails (retrying temporary failures with backoff)."""
    if loop:
        click.echo(f"Outbox worker running; every {interval}s. Ctrl-C stops it.")
        run_worker(interval=interval)
    else:
        counts = send_pending()
        click.echo(f"sent {counts['sent']}, retry later {counts['retry']}, failed {counts['failed']}")
