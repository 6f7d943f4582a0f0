"""The public programme's front door (review_app/public/front.py): a released page or feed is answered again
without Flask for visitors without a session, and never outlives its release — in this process or in another
worker's (a second app on the same database)."""
from __future__ import annotations

import pytest

from review_app import create_app
from review_app.accounts.models import User
from review_app.db import db
from review_app.events.models import Event
from review_app.public import cache, front

from ..factories import login
from .public_helpers import BASE, PROGRAMME, N, build_programme, change_for_v2, release


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def v1(app):
    p = build_programme(app)
    assert release(app, p.world, "Erste Fassung") == 1
    return p


class Through:
    """Counts the requests that reached the Flask app behind the front door."""

    def __init__(self, monkeypatch, app):
        self.count = 0
        door = app.wsgi_app
        assert isinstance(door, front.PublicFront)
        inner = door.wsgi_app

        def counting(environ, start_response):
            self.count += 1
            return inner(environ, start_response)
        monkeypatch.setattr(door, "wsgi_app", counting)


@pytest.fixture
def through(monkeypatch, app):
    return Through(monkeypatch, app)


PATHS = (PROGRAMME, f"{PROGRAMME}?theme=1", f"{BASE}/schedule.xml", f"{BASE}/schedule.json", f"{BASE}/schedule.ics",
         f"{BASE}/schedule.csv", f"{BASE}/programme/changes/", f"{BASE}/schedule/v/1/schedule.xml")


def test_a_repeated_public_page_or_feed_is_answered_before_flask_with_the_same_bytes_and_headers(app, client, v1,
                                                                                                  through):
    for path in PATHS:
        first = client.get(path)
        assert first.status_code == 200, path
        seen = through.count
        again = client.get(path)
        assert through.count == seen, f"{path} reached Flask again"
        assert again.data == first.data and again.status_code == 200
        for header in ("Content-Type", "ETag", "Last-Modified", "Content-Security-Policy", "Cache-Control", "Vary",
                       "Access-Control-Allow-Origin"):
            assert again.headers.get(header) == first.headers.get(header), (path, header)
        tagged = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert (tagged.status_code, tagged.data, through.count) == (304, b"", seen), path
        assert tagged.headers["ETag"] == first.headers["ETag"]
        head = client.head(path)
        assert (head.status_code, head.data, through.count) == (200, b"", seen)


def test_each_language_is_its_own_answer(app, client, v1, through):
    de = client.get(PROGRAMME, headers={"Accept-Language": "de-DE,de;q=0.9"})
    en = client.get(PROGRAMME, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert 'lang="de"' in de.get_data(as_text=True) and 'lang="en"' in en.get_data(as_text=True)
    seen = through.count
    assert client.get(PROGRAMME, headers={"Accept-Language": "en-US"}).data == en.data
    assert client.get(PROGRAMME, headers={"Accept-Language": "fr, de;q=0.5"}).data == de.data
    assert client.get(f"{PROGRAMME}?lang=en").data != de.data
    assert through.count == seen + 1  # only ?lang=en was new


def test_a_new_release_is_seen_at_once_by_another_worker_that_answered_the_old_one(app, client, v1, database_url):
    other = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED",
                                                      "RATELIMIT_ENABLED", "BASE_URL", "PASSWORD_HASHING")},
                        "SQLALCHEMY_DATABASE_URI": database_url})
    worker = other.test_client()
    try:
        before = {path: worker.get(path) for path in (PROGRAMME, f"{BASE}/schedule.xml")}
        version_1 = worker.get(f"{BASE}/schedule/v/1/schedule.xml").data
        assert all(r.status_code == 200 and N.encode() not in r.data for r in before.values())
        change_for_v2(app, v1)  # Nora's session is placed; the draft is not public
        for path, r in before.items():
            assert worker.get(path).data == r.data, path
        assert release(app, v1.world, "Zweite Fassung") == 2  # released through the first app
        for path, r in before.items():
            fresh = worker.get(path)
            assert fresh.status_code == 200 and N.encode() in fresh.data, path
            assert fresh.headers["ETag"] != r.headers["ETag"]
        # the earlier version keeps its address and its bytes
        assert worker.get(f"{BASE}/schedule/v/1/schedule.xml").data == version_1
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_change_of_the_events_colour_is_not_hidden_by_a_stored_answer(app, client, v1):
    assert client.get(f"{BASE}/theme.css").status_code == 200
    first = client.get(PROGRAMME).get_data(as_text=True)
    with app.app_context():
        event = db.session.get(Event, v1.event_id)
        event.colour = "#aa0033"
        db.session.commit()
    again = client.get(PROGRAMME).get_data(as_text=True)
    assert again != first


def test_a_visitor_with_a_session_and_the_now_page_always_reach_the_app(app, client, v1, through):
    assert 'lang="de"' in client.get(PROGRAMME).get_data(as_text=True)  # no Accept-Language: German
    seen = through.count
    client.get(f"{BASE}/programme/now/")
    client.get(f"{BASE}/programme/now/")
    assert through.count == seen + 2
    with app.app_context():
        chair = db.session.get(User, v1.chair_id)
        chair.language = "en"
        email = chair.email
        db.session.commit()
    login(client, email)
    seen = through.count
    page = client.get(PROGRAMME)  # in the chair's own language, not the stored German answer
    assert through.count == seen + 1 and 'lang="en"' in page.get_data(as_text=True)


def test_a_page_that_failed_is_not_stored(app, client, v1, through):
    missing = f"{BASE}/programme/sessions/999999/"
    assert client.get(missing).status_code == 404
    seen = through.count
    assert client.get(missing).status_code == 404
    assert through.count == seen + 1


def test_a_client_that_accepts_gzip_gets_the_stored_answer_gzipped_with_an_etag_of_its_own(app, client, v1,
                                                                                             through):
    import gzip

    for path in (PROGRAMME, f"{BASE}/schedule.xml", f"{BASE}/schedule.json", f"{BASE}/schedule.ics"):
        packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})  # the first: rendered now
        assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip", path
        plain = client.get(path)  # no Accept-Encoding: as it is
        assert "Content-Encoding" not in plain.headers
        assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 2, path
        assert int(packed.headers["Content-Length"]) == len(packed.data)
        for answer in (packed, plain):
            assert "Accept-Encoding" in answer.headers["Vary"] and "Accept-Language" in answer.headers["Vary"]
        assert packed.headers["ETag"] != plain.headers["ETag"]
        seen = through.count
        again = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert (again.data, through.count) == (packed.data, seen)
        tagged = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
        assert (tagged.status_code, tagged.data) == (304, b"")
        assert "Content-Encoding" not in tagged.headers and tagged.headers["ETag"] == packed.headers["ETag"]
        # the other encoding's tag does not match: the client holds other bytes
        other = client.get(path, headers={"If-None-Match": packed.headers["ETag"]})
        assert other.status_code == 200 and other.data == plain.data
        refused = client.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
        assert "Content-Encoding" not in refused.headers and refused.data == plain.data
        assert through.count == seen


def test_an_answer_is_gzipped_only_once_a_client_asks_for_gzip(app, client, v1):
    door = app.wsgi_app
    client.get(PROGRAMME)  # as `flask export-static` asks: nothing compressed for nobody
    (stored,) = [a for k, a in door._answers.items() if k[0] == PROGRAMME and not k[1]]
    assert stored.gzipped is None and stored.packable
    client.get(PROGRAMME, headers={"Accept-Encoding": "gzip"})
    (stored,) = [a for k, a in door._answers.items() if k[0] == PROGRAMME and not k[1]]
    assert stored.gzipped is not None and stored.gzipped.body[:2] == b"\x1f\x8b"


def test_two_apps_on_two_databases_in_one_process_never_serve_each_others_programme(app, tmp_path):
    """Both have their event 1 with its version 1 (the benchmarks build S, M and L one after the other in one
    process): the renderings are kept per database."""
    from flask_migrate import upgrade

    from review_app.cfp.models import Proposal

    from .public_helpers import A

    pages = {}
    for name in ("first", "second"):
        other = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED",
                                                          "RATELIMIT_ENABLED", "BASE_URL", "PASSWORD_HASHING")},
                            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}.sqlite"})
        with other.app_context():
            upgrade()
        p = build_programme(other)
        with other.app_context():
            db.session.get(Proposal, p.world.sessions[A]).title = f"{A} ({name})"
            db.session.commit()
        assert release(other, p.world, name) == 1 and p.event_id == 1
        pages[name] = other.test_client().get(PROGRAMME).get_data(as_text=True)
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    assert f"{A} (first)" in pages["first"] and f"{A} (second)" in pages["second"]
    assert f"{A} (first)" not in pages["second"]
