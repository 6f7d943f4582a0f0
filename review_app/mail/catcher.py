"""A development mail catcher: an SMTP server on loopback that keeps every mail as a file."""
from __future__ import annotations

import email
import email.policy
import itertools
import threading
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

_counter = itertools.count()
_lock = threading.Lock()


class SaveToDirectory:
    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with _lock:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = self.directory / f"{stamp}-{next(_counter):04d}.eml"
            path.write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def start_catcher(directory: Path, port: int, host: str = "127.0.0.1") -> Controller:
    controller = Controller(SaveToDirectory(directory), hostname=host, port=port)
    controller.start()
    return controller


def read_caught(directory: Path) -> list[dict]:
    """The caught mails, newest first, parsed for display."""
    if not directory.is_dir():
        return []
    mails = []
    for path in sorted(directory.glob("*.eml"), reverse=True):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        mails.append({
            "id": path.stem,
            "subject": str(msg["subject"] or ""),
            "to": str(msg["to"] or ""),
            "from": str(msg["from"] or ""),
            "date": str(msg["date"] or ""),
            "body": body.get_content() if body is not None else "",
        })
    return mails
