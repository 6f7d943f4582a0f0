"""Pages that list proposals load them in a constant number of SQL queries, however many there are."""

from __future__ import annotations

import re
from contextlib import contextmanager
from types import SimpleNamespace

from sqlalchemy import event as sa_event

from review_app.cfp.models import ProposalSpeaker, ProposalState
from review_app.db import db

from ..factories import DURING_CFP, OUTSIDE, login, make_event, make_proposal, make_user


@contextmanager
def counted(app):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)


def add_proposals(app, ids, start: int, n: int) -> None:
    """n more proposals of the speaker, each with a co-speaker, further themes, audiences and availability."""
    with app.app_context():
        from review_app.accounts.models import User
        from review_app.events.models import Event

        event, chair = db.session.get(Event, ids.event), db.session.get(User, ids.chair)
        speaker = db.session.get(User, ids.speaker)
        states = [ProposalState.draft, ProposalState.submitted, ProposalState.accepted]
        for i in range(start, start + n):
            co = make_user(name=f"Co {i}")
            proposal = make_proposal(
                event, speaker, state=states[i % 3], committee=chair, title=f"Proposal {i}"
            )
            proposal.speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=DURING_CFP))
        db.session.commit()


def links(page: str) -> int:
    return len(re.findall(r'href="/events/scd/proposals/\d+"', page))


def page_queries(app, client, path: str) -> tuple[int, str]:
    client.get(path)  # warm caches that do not depend on the data
    with counted(app) as statements:
        r = client.get(path)
    assert r.status_code == 200, path
    return len(statements), r.get_data(as_text=True)


def test_listing_pages_need_the_same_number_of_queries_for_3_and_for_15_proposals(app, client, clock):
    clock.set(DURING_CFP)
    with app.app_context():
        chair = make_user(name="Chair", email="chair@committee.test", language="en", **OUTSIDE)  # no conflicts
        event = make_event(slug="scd", committee=chair)
        speaker = make_user(name="Speaker", email="speaker@example.org", language="en")
        db.session.commit()
        ids = SimpleNamespace(event=event.id, chair=chair.id, speaker=speaker.id)
    add_proposals(app, ids, 0, 3)
    speaker_client, chair_client = client, app.test_client()
    login(speaker_client, SimpleNamespace(email="speaker@example.org"))
    login(chair_client, SimpleNamespace(email="chair@committee.test"))
    with app.app_context():
        from sqlalchemy import select

        from review_app.cfp.models import Proposal

        first = db.session.scalar(select(Proposal.id).order_by(Proposal.id))

    pages = {
        "dashboard": (speaker_client, "/dashboard"),
        "proposal": (speaker_client, f"/events/scd/proposals/{first}"),
        "committee proposal": (chair_client, f"/events/scd/proposals/{first}"),
        "committee list": (chair_client, "/events/scd/manage/proposals"),
        # searched, filtered and sorted by a joined table: still the same queries however many match
        "committee list filtered": (chair_client, "/events/scd/manage/proposals?q=proposal&language=de"
                                                  "&org_type=city&city=Herne&sort=theme&dir=desc"),
        # pages that grow with the people proposals bring, or that show the event to everybody
        "people": (chair_client, "/events/scd/manage/people"),
        "call page": (speaker_client, "/events/scd/"),
        "rooms": (chair_client, "/events/scd/manage/rooms/"),
        "formats": (chair_client, "/events/scd/manage/formats/"),
        "home": (speaker_client, "/"),
    }
    small = {name: page_queries(app, c, path) for name, (c, path) in pages.items()}
    assert links(small["dashboard"][1]) == 3
    assert links(small["committee list"][1]) == 3
    assert small["committee list filtered"][1].count("?back=") == 3

    add_proposals(app, ids, 3, 12)
    large = {name: page_queries(app, c, path) for name, (c, path) in pages.items()}
    assert links(large["dashboard"][1]) == 15
    assert links(large["committee list"][1]) == 15
    assert "Co 14" in large["committee list"][1]
    assert large["committee list filtered"][1].count("?back=") == 15

    assert {name: n for name, (n, _) in large.items()} == {name: n for name, (n, _) in small.items()}
    # and the numbers stay small
    counts = {name: n for name, (n, _) in large.items()}
    # the counter sees the queries, and few of them (the committee's pages add a fixed 4 for the conflicts of
    # interest: aliases, declarations, overrides and the proposals' parties)
    assert all(3 <= n <= 20 for n in counts.values()), counts
