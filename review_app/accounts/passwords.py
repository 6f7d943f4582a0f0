"""The password rules beside the length: a password from the bundled list of common passwords is refused."""
from __future__ import annotations

from functools import cache
from pathlib import Path

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (read once per process); lines "#" and "# …" are its licence and notes."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and line != "#" and not line.startswith("# "))


def is_common_password(password: str) -> bool:
    """Case and surrounding spaces do not make a common password uncommon ("Passwort", " HALLO123 ")."""
    return password.strip().lower() in common_passwords()
