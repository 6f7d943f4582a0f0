"""Outgoing mail headers: RFC 2047 encoded words, folded only between words, at most 78 characters a line.

Python 3.11's own folder (email.policy.SMTP) splits encoded words inside a word and loses the space between
adjacent encoded words ("für Wärmepumpen" arrives as "fürWärmepumpen"), so Subject, From and To are written
here; every other header keeps the standard folding of `POLICY`, which is email.policy.SMTP otherwise.
"""
from __future__ import annotations

import re
from email import base64mime, quoprimime
from email.policy import EmailPolicy

MAX_LINE = 78
MAX_ENCODED_WORD = 75  # RFC 2047 section 2
CHARSET = "utf-8"
# words that may stand as they are: printable ASCII in a subject, atoms of RFC 5322 in a display name
_UNSTRUCTURED_WORD = re.compile(r"[\x21-\x7e]+")
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+")


def _encoded_word(text: str) -> str:
    """The shorter of the Q and the B encoding of `text`; Q keeps only characters safe inside a phrase."""
    raw = text.encode(CHARSET)
    return min(quoprimime.header_encode(raw, CHARSET), base64mime.header_encode(raw, CHARSET), key=len)


def _encoded_words(text: str, first_room: int) -> list[str]:
    """`text` as encoded words, each as long as a line allows (the first at most `first_room` characters).

    A word breaks off only after a space of the text, which it carries inside (whitespace between encoded words
    is not part of the text); only a single word longer than a line is split between two of its characters.
    """
    pieces = re.findall(r"\S+\s*|\s+", text)
    words: list[str] = []
    current, room = "", min(first_room, MAX_ENCODED_WORD)
    for piece in pieces:
        if len(_encoded_word(current + piece)) <= room:
            current += piece
            continue
        if current:
            words.append(_encoded_word(current))
            current, room = "", MAX_ENCODED_WORD
        for char in piece:  # a piece that fits no line on its own
            if current and len(_encoded_word(current + char)) > room:
                words.append(_encoded_word(current))
                current, room = "", MAX_ENCODED_WORD
            current += char
    if current:
        words.append(_encoded_word(current))
    return words


def _plain(word: str, pattern: re.Pattern) -> bool:
    return bool(pattern.fullmatch(word)) and "=?" not in word and len(word) < MAX_LINE


def _unstructured_tokens(text: str, first_room: int) -> list[str]:
    """The words of `text` as they are, if all are printable ASCII and fit their line; else encoded words."""
    words = text.split()
    if words and all(_plain(w, _UNSTRUCTURED_WORD) for w in words) and len(words[0]) <= first_room:
        return words
    return _encoded_words(" ".join(words), first_room) if words else []


def _fold(name: str, tokens: list[str], linesep: str) -> str:
    """`Name: token token …`, breaking the line (CRLF + space) between tokens where it would pass 78."""
    lines = [f"{name}:"]
    for token in tokens:
        if len(lines[-1]) + 1 + len(token) > MAX_LINE and lines[-1] != f"{name}:":
            lines.append("")
        lines[-1] += " " + token
    return linesep.join(lines) + linesep


def format_unstructured(name: str, text: str, linesep: str = "\r\n") -> str:
    return _fold(name, _unstructured_tokens(text, MAX_LINE - len(name) - 2), linesep)


def _phrase_tokens(text: str, first_room: int) -> list[str]:
    """A display name: plain atoms as they are, each run of other words as encoded words.

    Keeping the spaces around a run outside its encoded words matters here: readers that follow RFC 2047 drop
    whitespace between two encoded words, while Python's parser (3.11) keeps it inside a phrase; whitespace
    between an encoded word and an atom means a space to both.
    """
    tokens: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            tokens.extend(_encoded_words(" ".join(run), first_room if not tokens else MAX_ENCODED_WORD))
            run.clear()

    for word in text.split():
        if _plain(word, _ATOM):
            flush()
            tokens.append(word)
        else:
            run.append(word)
    flush()
    return tokens


def format_addresses(name: str, addresses: list[tuple[str, str]], linesep: str = "\r\n") -> str:
    """`addresses`: (display name, address) pairs; an empty display name writes the bare address."""
    tokens: list[str] = []
    for i, (display_name, addr_spec) in enumerate(addresses):
        phrase = _phrase_tokens(display_name, MAX_LINE - len(name) - 2 if not tokens else MAX_ENCODED_WORD)
        tokens += phrase
        tokens.append((f"<{addr_spec}>" if phrase else addr_spec) + ("," if i < len(addresses) - 1 else ""))
    return _fold(name, tokens, linesep)


class WordFoldingPolicy(EmailPolicy):
    """email.policy.SMTP, with Subject, From and To written by this module."""

    def fold(self, name, value):
        written = self._write(name, value)
        return written if written is not None else super().fold(name, value)

    def fold_binary(self, name, value):
        written = self._write(name, value)
        return written.encode("ascii") if written is not None else super().fold_binary(name, value)

    def _write(self, name: str, value) -> str | None:
        lowered = name.lower()
        if lowered == "subject":
            return format_unstructured(name, str(value), self.linesep)
        if lowered in ("from", "to") and hasattr(value, "addresses"):
            return format_addresses(name, [(a.display_name, a.addr_spec) for a in value.addresses], self.linesep)
        return None


POLICY = WordFoldingPolicy(linesep="\r\n")
