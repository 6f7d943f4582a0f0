"""How a web worker's cyclic garbage collector runs (`wsgi.py` sets it up, so whatever loads the app from there —
gunicorn, `flask --app wsgi …` — runs so; the tests build their apps with `create_app` and keep Python's defaults).

A worker's long-lived objects (modules, the app, templates, cached renderings) are made by the time it serves: they
are frozen out of the collector's walks, and it runs less often. A committee page builds tens of thousands of
short-lived objects; with the defaults the collector took more than half of its time (the ranking at L: 500 ms,
240 ms with this; see BENCHMARKS.md).

Running less often has a cost of its own: the objects a page still uses when a collection runs during it move to
the next generation, and what becomes garbage there at the end of the request (SQLAlchemy's objects hold each other
in cycles) waited for the next collection of that generation — fifty of the youngest later. The schedule editor
at L left about 3 MB per request so, and a worker grew from 108 to 192 MB in a few seconds of it. So once an
answer has been sent, if a collection ran during the request, the two young generations are collected: the
request's objects are garbage by then, nothing it still uses is walked, and the client is not kept waiting (about
4 ms after an editor page at L, nothing after a page the front door answers from memory).
"""
from __future__ import annotations

import gc

from werkzeug.wsgi import ClosingIterator

THRESHOLDS = (20_000, 50, 100)


def tune() -> None:
    """For a web worker, once the app is built."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


def collect_young() -> None:
    """Collect generations 0 and 1 if a collection of generation 0 ran since they were last collected (so objects
    were moved up into generation 1, where garbage would otherwise wait)."""
    if gc.get_count()[1]:
        gc.collect(1)


class CollectAfterResponse:
    """WSGI middleware: `collect_young` once the server has sent the answer and closed its body."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return ClosingIterator(self.app(environ, start_response), collect_young)
