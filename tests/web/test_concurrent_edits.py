"""Concurrent edits of one proposal, one review and one schedule entry: two windows load the form, both send it;
the one sent second carries the version it was loaded with, which is stale by then — it answers 409 with its
message every time and the row keeps the first writer's value (no silent overwrite). Then threads sending the same
version at the same moment: exactly one wins, every other answers 409."""
from __future__ import annotations

import re
import threading
from html import unescape

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEntry
from review_app.cfp.models import Proposal, ProposalState
from review_app.db import db
from review_app.review.models import Review, ReviewState
from review_app.schedule.models import ScheduleEntry

from ..factories import DURING_CFP, login, make_event, make_proposal, make_user, proposal_form
from .schedule_helpers import CHAIR_EMAIL, DAY1, EDITOR, T, build_world, local, place
from .test_reviews import DURING_REVIEW, add_reviewer, assign
from .test_reviews import form as review_form

ROUNDS = 100


def hidden_version(html: str) -> int:
    """The version a form was made from: its hidden field (every edit form carries one)."""
    [field] = re.findall(r'<input[^>]*\bname="version"[^>]*>', html)
    return int(re.search(r'\bvalue="(\d+)"', field).group(1))


def flashed(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def two_windows(app, email: str):
    first, second = app.test_client(), app.test_client()
    login(first, email)
    login(second, email)
    return first, second


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- the proposal ---------------------------------------------------------------------------------------------

@pytest.fixture
def draft(app, clock):
    """A speaker's draft during the call; the speaker's pages are German."""
    clock.set(DURING_CFP)
    with app.app_context():
        owner = make_user(name="Sam Sprecher", email="sam@herne.de")
        event = make_event(slug="scd")
        proposal = make_proposal(event, owner, title="Am Anfang")
        db.session.commit()
        return {"email": owner.email, "id": proposal.id, "format": event.formats[0].id,
                "theme": event.themes[0].id, "version": proposal.version}


def _proposal(app, proposal_id: int) -> tuple[str, int]:
    with app.app_context():
        p = db.session.get(Proposal, proposal_id)
        return p.title, p.version


def test_a_stale_proposal_form_answers_409_every_time_and_never_overwrites(app, draft):
    one, two = two_windows(app, draft["email"])
    edit = f"/events/scd/proposals/{draft['id']}/edit"
    version = draft["version"]
    for i in range(ROUNDS):
        first, second = (one, two) if i % 2 == 0 else (two, one)  # the windows take turns at being first
        loaded = [hidden_version(c.get(edit).get_data(as_text=True)) for c in (first, second)]
        assert loaded == [version, version]
        won = first.post(edit, data=proposal_form(draft["format"], draft["theme"], title=f"Erste {i}",
                                                  version=str(loaded[0])))
        assert won.status_code == 302, flashed(won.get_data(as_text=True))[:500]
        lost = second.post(edit, data=proposal_form(draft["format"], draft["theme"], title=f"Zweite {i}",
                                                    version=str(loaded[1])))
        assert lost.status_code == 409
        assert "Jemand anderes hat diese Einreichung inzwischen geändert. Ihre Änderungen wurden nicht " \
               "gespeichert" in flashed(lost.get_data(as_text=True))
        version += 1
        assert _proposal(app, draft["id"]) == (f"Erste {i}", version)
    with app.app_context():  # one audit row per saved edit, none for the refused ones
        assert count(AuditEntry, AuditEntry.action == "proposal.edit") == ROUNDS


def _post_all_at_once(clients, url: str, payloads: list[dict]) -> list[int]:
    """Every client sends its form at the same moment (a barrier releases them together)."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int | None] = [None] * len(clients)

    def send(i: int) -> None:
        barrier.wait()
        statuses[i] = clients[i].post(url, data=payloads[i]).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def test_proposal_forms_sent_at_the_same_moment_with_one_version_let_exactly_one_win(app, draft):
    """On PostgreSQL the requests really overlap: all read the same version, the first UPDATE … WHERE version
    wins, the others find the version moved on (StaleDataError) — 409. On SQLite each write request takes the write
    lock first (BEGIN IMMEDIATE), so the others see the new version and refuse it in the service."""
    clients = [app.test_client() for _ in range(8)]
    for c in clients:
        login(c, draft["email"])
    edit = f"/events/scd/proposals/{draft['id']}/edit"
    for attempt in range(5):
        title, version = _proposal(app, draft["id"])
        payloads = [proposal_form(draft["format"], draft["theme"], title=f"Runde {attempt} Fenster {i}",
                                  version=str(version)) for i in range(len(clients))]
        statuses = _post_all_at_once(clients, edit, payloads)
        assert sorted(statuses) == [302] + [409] * (len(clients) - 1), statuses
        winner = statuses.index(302)
        assert _proposal(app, draft["id"]) == (f"Runde {attempt} Fenster {winner}", version + 1)
    with app.app_context():
        assert count(AuditEntry, AuditEntry.action == "proposal.edit") == 5


# --- the review -----------------------------------------------------------------------------------------------

@pytest.fixture
def submitted(app, clock):
    """A reviewer (English pages) with a submitted review of a proposal under review."""
    clock.set(DURING_REVIEW)
    with app.app_context():
        chair = make_user(name="Chair")
        event = make_event(slug="scd", committee=chair)
        reviewer = make_user(name="Rita Reviewer", email="rita@uni-bochum.de", organisation="Ruhr-Uni Bochum",
                             organisation_type="research", city="Bochum", language="en")
        speaker = make_user(name="Sandra Speaker", email="sandra@herne.de")
        proposal = make_proposal(event, speaker, state=ProposalState.under_review, committee=chair,
                                 title="Open data")
        assignment = assign(add_reviewer(event, reviewer), proposal)
        db.session.commit()
        ids = {"email": reviewer.email, "proposal": proposal.id, "assignment": assignment.id,
               "field": f"score_{event.criteria[0].id}"}
    client = app.test_client()
    login(client, ids["email"])
    ids_ns = type("Ids", (), {"field": ids["field"]})
    assert client.post(f"/events/scd/reviews/{ids['proposal']}",
                       data=review_form(ids_ns, comment="Zuerst.")).status_code == 302
    ids["form_ids"] = ids_ns
    return ids


def _review(app, assignment_id: int) -> tuple:
    with app.app_context():
        r = db.session.scalar(select(Review).where(Review.assignment_id == assignment_id))
        return r.comment_committee, {s.score for s in r.scores}, r.version, r.state


def test_a_stale_review_form_answers_409_every_time_and_never_overwrites(app, submitted):
    one, two = two_windows(app, submitted["email"])
    url = f"/events/scd/reviews/{submitted['proposal']}"
    version = _review(app, submitted["assignment"])[2]
    for i in range(ROUNDS):
        first, second = (one, two) if i % 2 == 0 else (two, one)
        loaded = [hidden_version(c.get(url).get_data(as_text=True)) for c in (first, second)]
        assert loaded == [version, version]
        score = str(1 + i % 5)
        won = first.post(url, data=review_form(submitted["form_ids"], score=score, comment=f"First {i}",
                                               version=str(loaded[0])))
        assert won.status_code == 302, flashed(won.get_data(as_text=True))[:500]
        lost = second.post(url, data=review_form(submitted["form_ids"], score=str(5 - i % 5),
                                                 comment=f"Second {i}", version=str(loaded[1])))
        assert lost.status_code == 409
        assert "This review was changed in the meantime, perhaps in another window. Nothing was saved" \
               in flashed(lost.get_data(as_text=True))
        version += 1
        assert _review(app, submitted["assignment"]) == (f"First {i}", {int(score)}, version,
                                                         ReviewState.submitted)
    with app.app_context():
        assert count(AuditEntry, AuditEntry.action == "review.update") == ROUNDS


# --- the schedule entry ---------------------------------------------------------------------------------------

TITLE = "Digitale Bürgerdienste"


@pytest.fixture
def placed(app, clock):
    """A confirmed session placed in the Saal on the first day at 10:00; the chair's pages are English."""
    clock.set(T)
    w = build_world(app, rooms=[{"name": "Salon", "capacity": 40}], sessions=[{"title": TITLE, "speaker": "Sam"}])
    place(app, w, TITLE, "Saal", local(DAY1, 10))
    return w


def _entry(app, proposal_id: int) -> tuple:
    with app.app_context():
        e = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.proposal_id == proposal_id))
        return e.room_id, e.starts_at, e.version


def _editor_version(client, w, proposal_id: int) -> int:
    html = client.get(EDITOR + f"?day=2025-02-05&venue={w.villa_id}").get_data(as_text=True)
    # the session's card carries its version, and so does each of its forms (move, pin, take out)
    card = re.search(rf'data-proposal="{proposal_id}" data-version="(\d+)"', html)
    mine = f'name="proposal_id" value="{proposal_id}"'
    forms = [f for f in re.findall(r"<form\b.*?</form>", html, re.S) if mine in f]
    assert len(forms) == 3  # move, pin, take out
    assert {hidden_version(f) for f in forms} == {int(card.group(1))}
    return int(card.group(1))


def test_a_stale_schedule_form_answers_409_every_time_and_never_overwrites(app, placed):
    w, pid = placed, placed.sessions[TITLE]
    one, two = two_windows(app, CHAIR_EMAIL)
    version = _entry(app, pid)[2]
    for i in range(ROUNDS):
        first, second = (one, two) if i % 2 == 0 else (two, one)
        loaded = [_editor_version(c, w, pid) for c in (first, second)]
        assert loaded == [version, version]
        hour = 9 + i % 8  # the first window moves it through the day; the second wants it at 18:00 in the Salon
        won = first.post(EDITOR + "place", data={"proposal_id": pid, "room_id": w.rooms["Saal"],
                                                 "start": f"2025-02-05T{hour:02d}:00", "version": loaded[0],
                                                 "day": "2025-02-05", "venue": w.villa_id})
        assert won.status_code == 302, flashed(won.get_data(as_text=True))[:500]
        lost = second.post(EDITOR + "place", data={"proposal_id": pid, "room_id": w.rooms["Salon"],
                                                   "start": "2025-02-05T18:00", "version": loaded[1],
                                                   "day": "2025-02-05", "venue": w.villa_id})
        assert lost.status_code == 409
        text = flashed(lost.get_data(as_text=True))
        assert "Someone else changed this session in the meantime; your change was not saved. It is now in Saal" \
               in text
        version += 1
        assert _entry(app, pid) == (w.rooms["Saal"], local(DAY1, hour), version)
    with app.app_context():
        assert count(AuditEntry, AuditEntry.action == "schedule.move") == ROUNDS
        assert count(ScheduleEntry) == 1


def test_schedule_forms_sent_at_the_same_moment_let_exactly_one_move_the_session(app, placed):
    w, pid = placed, placed.sessions[TITLE]
    clients = [app.test_client() for _ in range(6)]
    for c in clients:
        login(c, CHAIR_EMAIL)
    for attempt in range(3):
        _room, _start, version = _entry(app, pid)
        # every window moves it somewhere new: a "move" to where it already is, at the same (fixed test) moment,
        # would change no column, write nothing, and so meet no version check
        minute = 5 + 10 * attempt
        payloads = [{"proposal_id": pid, "room_id": w.rooms["Saal"], "start": f"2025-02-05T{9 + i:02d}:{minute}",
                     "version": version, "day": "2025-02-05", "venue": w.villa_id} for i in range(len(clients))]
        statuses = _post_all_at_once(clients, EDITOR + "place", payloads)
        assert sorted(statuses) == [302] + [409] * (len(clients) - 1), statuses
        winner = statuses.index(302)
        assert _entry(app, pid) == (w.rooms["Saal"], local(DAY1, 9 + winner, minute), version + 1)
    with app.app_context():
        assert count(AuditEntry, AuditEntry.action == "schedule.move") == 3


# --- SQLite for concurrent writers ----------------------------------------------------------------------------

def test_on_sqlite_a_writing_request_holds_the_write_lock_from_its_first_query_and_a_reading_one_none(app):
    """WAL (readers and the writer never wait for each other), a busy timeout, and BEGIN IMMEDIATE for every
    request but GET/HEAD/OPTIONS: what a writing request read to check a rule cannot change before it writes."""
    import sqlite3

    from review_app import create_app

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's locking; PostgreSQL locks rows")
    path = url.removeprefix("sqlite:///")
    probe = create_app({"TESTING": True, "SECRET_KEY": "probe", "SQLALCHEMY_DATABASE_URI": url,
                        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})

    def others_may_write() -> str:
        db.session.scalar(select(func.count()).select_from(Proposal))  # the request's first query
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return "free"
        except sqlite3.OperationalError as err:
            return str(err)
        finally:
            other.close()

    probe.add_url_rule("/_test/lock", "lock", others_may_write, methods=["GET", "POST"])
    client = probe.test_client()
    assert client.get("/_test/lock").get_data(as_text=True) == "free"
    assert client.post("/_test/lock").get_data(as_text=True) == "database is locked"
    assert client.get("/_test/lock").get_data(as_text=True) == "free"  # the lock ended with the request
    with probe.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        db.engine.dispose()
