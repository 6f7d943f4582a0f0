"""The front door of the public programme: a released page or feed that a visitor without a session has been sent
once is answered again here, before Flask builds a request, from the bytes and headers it was answered with.

Each stored answer remembers the release it showed (the version's number and revision, the event's colour, as
`programme.public_header` finds them); a repeat costs that one small query (on a raw cursor) and nothing else, so
a new release or a change of colour is seen at once by every worker process. What is stored is only what a view marks as
shareable (`mark`): the public pages and feeds of `programme_views._serve`, not "now and next" (it changes every
minute), nothing with a Set-Cookie, nothing for a visitor with a session (their page may greet them by name).

A stored answer of some size is also kept gzipped, compressed when a client that accepts gzip first asks for it
(every browser and calendar app does; `flask export-static` does not): such clients get those bytes, with
`Content-Encoding: gzip` and an ETag of their own. The programme of 240 sessions shrinks from 135 to 8 KB, which a
phone notices, and the worker, writing less, too.
"""
from __future__ import annotations

import dataclasses
import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qs

from werkzeug.datastructures import Accept, LanguageAccept
from werkzeug.http import parse_accept_header

from ..db import db
from . import cache

MAX_ENTRIES = 2048
GZIP_FROM = 1024  # bytes: a smaller answer is sent as it is
_MARK = "review_app.public_front"


@dataclass(frozen=True)
class Variant:
    """One encoding of a stored answer: its headers (ETag and Content-Length its own), body and ETag."""
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str | None


@dataclass(frozen=True)
class Answer:
    slug: str
    number: int | None  # the release asked for by the address (None: the latest)
    release: tuple  # (number, colour, revised at) of the version shown
    status: str
    plain: Variant
    gzipped: Variant | None = None  # made when first asked for

    @property
    def packable(self) -> bool:
        return len(self.plain.body) >= GZIP_FROM


def _plain(headers: list[tuple[str, str]], body: bytes) -> Variant:
    """The answer as the app gave it, saying that it varies by Accept-Encoding."""
    vary = next((v for k, v in headers if k.lower() == "vary"), "")
    rest = [(k, v) for k, v in headers if k.lower() != "vary"]
    etag = next((v for k, v in headers if k.lower() == "etag"), None)
    return Variant((*rest, ("Vary", f"{vary}, Accept-Encoding" if vary else "Accept-Encoding")), body, etag)


def _gzipped(plain: Variant) -> Variant:
    """The same answer gzipped, with its own length and ETag."""
    packed = gzip.compress(plain.body, compresslevel=6, mtime=0)
    etag = f'{plain.etag[:-1]}-gz"' if plain.etag and plain.etag.endswith('"') else None
    headers = [(k, v) for k, v in plain.headers if k.lower() not in ("content-length", "etag")]
    headers += [("Content-Length", str(len(packed))), ("Content-Encoding", "gzip")]
    if etag:
        headers.append(("ETag", etag))
    return Variant(tuple(headers), packed, etag)


def mark(environ: dict, slug: str, number: int | None, release: tuple) -> None:
    """A view's answer to this request may be replayed to other visitors while `release` is the latest
    (`number` None) or the given release of the event `slug`."""
    environ[_MARK] = (slug, number, release)


def install(app) -> None:
    """Put the front door before the app (config PUBLIC_FRONT, on by default)."""
    if app.config.get("PUBLIC_FRONT", True):
        app.wsgi_app = PublicFront(app.wsgi_app, app)


class _ReleaseCheck:
    """`programme.public_header` compiled once for the engine's dialect and run on a raw DBAPI cursor: a third of
    the cost of running it through SQLAlchemy on a pooled connection (about 25 instead of 105 µs on SQLite), paid
    by every replayed answer. Its values are those the ORM reads: the revision goes through the column type's own
    result processor, so the comparison with what a view marked is exact."""

    def __init__(self, engine):
        from ..schedule.models import ScheduleVersion
        from .programme import header_statement

        self.engine = engine
        self.compiled = {latest: header_statement(latest=latest).compile(dialect=engine.dialect)
                         for latest in (True, False)}
        self.revised = ScheduleVersion.__table__.c.revised_at.type.result_processor(engine.dialect, None)

    def __call__(self, slug: str, number: int | None) -> tuple | None:
        """(number, colour, revised at) of the event's latest release (or of `number`), as programme.release_of
        gives them; None without one."""
        compiled = self.compiled[number is None]
        values = compiled.construct_params({"slug": slug} if number is None else {"slug": slug, "number": number})
        params = tuple(values[name] for name in compiled.positiontup) if compiled.positional else values
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(compiled.string, params)
            row = cursor.fetchone()
            cursor.close()
        finally:
            raw.close()  # back to the pool, which rolls it back
        if row is None or row[2] is None:
            return None
        revised = row[5] if self.revised is None else self.revised(row[5])
        return (row[3], row[1], revised)


def _no_write(data: bytes) -> None:
    """The `write` callable of a held-back start_response: Flask never calls it."""
    raise RuntimeError("the public front door does not support write()")


class PublicFront:
    """WSGI middleware in front of the app (see the module's docstring)."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app, self.app = wsgi_app, app
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self._check = None  # made on first use, with the app's engine (Flask-SQLAlchemy makes it in an app context)
        self._languages: dict[str, str] = {}  # Accept-Language header → the page's language
        self._gzip: dict[str, bool] = {}  # Accept-Encoding header → whether it takes gzip
        cache.on_clear(self.clear)
        self._private_cookies = (app.config["SESSION_COOKIE_NAME"] + "=",
                                 app.config.get("REMEMBER_COOKIE_NAME", "remember_token") + "=")

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)  # the least recently asked go first
        if answer is not None:
            replayed = self._replay(environ, start_response, key, answer)
            if replayed is not None:
                return replayed
        return self._record(environ, start_response, key)

    def _key(self, environ) -> tuple | None:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or not environ.get("PATH_INFO", "").startswith("/events/"):
            return None
        cookies = environ.get("HTTP_COOKIE", "")
        if cookies and any(name in cookies for name in self._private_cookies):
            return None  # a visitor with a session: their language and header come from it
        if "HTTP_RANGE" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            return None  # rare; Flask answers those itself
        query = environ.get("QUERY_STRING", "")
        return (environ["PATH_INFO"], query, self._language(environ, query), self.app.config["BASE_URL"])

    def _language(self, environ, query: str) -> str:
        """The page's language as `i18n.select_locale` finds it for a visitor without a session."""
        languages = self.app.config["LANGUAGES"]
        asked = parse_qs(query).get("lang", [None])[0] if "lang=" in query else None
        if asked in languages:
            return asked
        header = environ.get("HTTP_ACCEPT_LANGUAGE") or ""
        found = self._languages.get(header)
        if found is None:
            accept = parse_accept_header(header, LanguageAccept)
            found = accept.best_match(languages) or self.app.config["BABEL_DEFAULT_LOCALE"]
            if len(self._languages) >= 1024:  # the headers browsers send are few; anything else is not kept long
                self._languages.clear()
            self._languages[header] = found
        return found

    def _takes_gzip(self, environ) -> bool:
        header = environ.get("HTTP_ACCEPT_ENCODING") or ""
        found = self._gzip.get(header)
        if found is None:
            accept = parse_accept_header(header, Accept)
            found = bool(header) and accept.quality("gzip") > 0
            if len(self._gzip) >= 1024:
                self._gzip.clear()
            self._gzip[header] = found
        return found

    def _replay(self, environ, start_response, key, answer: Answer):
        if self._current(answer.slug, answer.number) != answer.release:
            with self._lock:
                self._answers.pop(key, None)
            return None  # a new release (or no event): the app renders it
        return self._send(environ, start_response, key, answer)

    def _send(self, environ, start_response, key, answer: Answer):
        variant = answer.plain
        if answer.packable and self._takes_gzip(environ):
            if answer.gzipped is None:
                answer = dataclasses.replace(answer, gzipped=_gzipped(answer.plain))
                with self._lock:
                    if key in self._answers:
                        self._answers[key] = answer
            variant = answer.gzipped
        match = environ.get("HTTP_IF_NONE_MATCH")
        if variant.etag and match and variant.etag in match:
            headers = [(k, v) for k, v in variant.headers if k.lower() not in ("content-length", "content-type",
                                                                                "content-encoding")]
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response(answer.status, list(variant.headers))
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [variant.body]

    def _record(self, environ, start_response, key):
        seen: dict = {"hold": True}

        def recording(status, headers, exc_info=None):
            # held back until it is known whether this answer is stored (then it goes out as a stored one would)
            if exc_info or not seen["hold"]:
                return start_response(status, headers, exc_info)
            seen["status"], seen["headers"] = status, headers
            return _no_write

        result = self.wsgi_app(environ, recording)
        seen["hold"] = False
        if "status" not in seen:  # not started yet (a lazy iterable): it starts the answer itself
            return result
        marked = environ.get(_MARK)
        if (marked is None or not seen["status"].startswith("200")
                or environ["REQUEST_METHOD"] != "GET"
                or any(k.lower() == "set-cookie" for k, _ in seen["headers"])):
            start_response(seen["status"], seen["headers"])
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        slug, number, release = marked
        answer = Answer(slug, number, release, seen["status"], _plain(seen["headers"], body))
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > MAX_ENTRIES:
                self._answers.popitem(last=False)
        return self._send(environ, start_response, key, answer)

    def _current(self, slug: str, number: int | None) -> tuple | None:
        """The release as it stands (see _ReleaseCheck)."""
        if self._check is None:
            with self.app.app_context():
                self._check = _ReleaseCheck(db.engine)
        return self._check(slug, number)
