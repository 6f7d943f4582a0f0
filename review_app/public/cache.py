"""Released versions never change, so what the public reads of one is rendered once per version, language and
address and kept here, in each worker process. The key holds the version's number: a new release changes the key
the moment any worker reads the latest number, so no worker serves a stale programme."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_ENTRIES = 512


@dataclass(frozen=True)
class Rendered:
    body: bytes
    mimetype: str
    etag: str


_entries: OrderedDict[tuple, Rendered] = OrderedDict()
_lock = threading.Lock()


def cached(key: tuple, render: Callable[[], tuple[bytes, str]]) -> Rendered:
    """The rendering under `key`, made by `render() -> (body, mimetype)` on the first request. The key is taken
    with the app's database: two apps in one process on two databases (the benchmarks build S, M and L one after
    the other) each have their event 1 with its version 1, and neither may be served the other's."""
    from flask import current_app

    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], *key)
    with _lock:
        hit = _entries.get(key)
        if hit is not None:
            _entries.move_to_end(key)
            return hit
    body, mimetype = render()
    entry = Rendered(body, mimetype, hashlib.sha256(repr(key).encode() + body).hexdigest()[:32])
    with _lock:
        _entries[key] = entry
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return entry


_on_clear: list[Callable[[], None]] = []  # the front door's stored answers go with the renderings


def on_clear(forget: Callable[[], None]) -> None:
    _on_clear.append(forget)


def clear() -> None:
    with _lock:
        _entries.clear()
    for forget in _on_clear:
        forget()
