"""A web worker collects the young generations once an answer is sent (review_app/collector.py): the cyclic garbage
a request left in generation 1 does not wait there for fifty more collections, growing the worker."""
from __future__ import annotations

import gc
import weakref

import pytest

from review_app.collector import CollectAfterResponse


class _Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def _app(refs: list):
    def app(environ, start_response):
        garbage = [_Node() for _ in range(100)]
        refs.extend(weakref.ref(node) for node in garbage)
        gc.collect(0)  # a collection while the request still uses them: they move up into generation 1
        del garbage
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"answer"]
    return app


@pytest.fixture()
def collector_off():
    """No automatic collection during the test: only what the middleware does runs."""
    was = gc.isenabled()
    gc.disable()
    gc.collect()
    yield
    if was:
        gc.enable()


def _serve(app) -> bytes:
    body = app({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda status, headers: None)
    try:
        return b"".join(body)
    finally:
        body.close()  # as the server does once it has sent the answer


def test_the_garbage_a_request_left_in_generation_1_is_collected_after_the_answer(collector_off):
    refs: list = []
    assert _serve(CollectAfterResponse(_app(refs))) == b"answer"
    assert len(refs) == 100 and all(ref() is None for ref in refs)
    assert gc.get_count()[1] == 0


def test_without_it_that_garbage_stays(collector_off):
    refs: list = []
    body = _app(refs)({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda status, headers: None)
    assert b"".join(body) == b"answer"
    assert all(ref() is not None for ref in refs)
    gc.collect(1)
    assert all(ref() is None for ref in refs)


def test_an_answer_that_ran_no_collection_costs_none(collector_off, monkeypatch):
    calls = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(args))

    def small(environ, start_response):
        start_response("200 OK", [])
        return [b"x"]
    assert _serve(CollectAfterResponse(small)) == b"x"
    assert calls == []
