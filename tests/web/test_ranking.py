"""The ranking page and its exports: numbers equal to `scoring` on a hand example, filters and orders in the address,
the programme balance, conflicted rows absent, CSV with BOM and neutralised formulas, a constant query count."""
from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from review_app.audit.models import AuditEntry
from review_app.cfp.models import ProposalState
from review_app.db import db
from review_app.events import services as events
from review_app.events.models import Event, ReviewCriterion, Role
from review_app.review import decisions, scoring
from review_app.review.ranking import rank

from ..factories import AFTER_CFP, login
from .decision_helpers import (
    assign_only,
    committee_event,
    outsider,
    reviewer,
    speaker_proposal,
    submitted_review,
)
from .test_queries import counted

S = ProposalState


def hand_example(app):
    """Two criteria (weight 2 on 1..5, weight 1 on 0..10), three reviewers, three proposals:
    totals on 0..100 are P1: 100 and 50, P2: 70 and 16.67, P3: 0 (and one review still missing)."""
    with app.app_context():
        event, chair = committee_event()
        relevance = event.criteria[0]
        innovation = ReviewCriterion(event_id=event.id, name_de="Innovation", name_en="Innovation", weight=1,
                                     scale_min=0, scale_max=10, position=1)
        db.session.add(innovation)
        db.session.flush()
        p1 = speaker_proposal(event, chair, "Alpha")[0]
        p2 = speaker_proposal(event, chair, "Beta", language="en", main_theme_id=event.themes[1].id)[0]
        p3 = speaker_proposal(event, chair, "Gamma", format_id=event.formats[1].id)[0]
        r1, r2, r3 = (reviewer(event, name) for name in ("Rita", "Rolf", "Rosa"))
        a, b = relevance.id, innovation.id
        submitted_review(r1, p1, {a: 5, b: 10})
        submitted_review(r2, p1, {a: 3, b: 5})
        submitted_review(r1, p2, {a: 4, b: 6})
        submitted_review(r2, p2, {a: 2, b: 0})
        submitted_review(r2, p3, {a: 1, b: 0})
        assign_only(r3, p3)
        submitted_review(r3, p2, {a: 5, b: 10}, submitted=False)  # a draft counts for nothing
        db.session.commit()
        return SimpleNamespace(event=event.id, chair=chair.email, p1=p1.id, p2=p2.id, p3=p3.id,
                               r=(r1.id, r2.id, r3.id))


def test_the_ranking_shows_the_numbers_of_scoring_on_a_hand_example(app, client, clock):
    clock.set(AFTER_CFP)
    ids = hand_example(app)
    r1, r2, _r3 = ids.r
    totals = [(r1, ids.p1, 100.0), (r2, ids.p1, 50.0), (r1, ids.p2, 70.0), (r2, ids.p2, 50.0 / 3), (r2, ids.p3, 0.0)]
    expected = scoring.calibrate(totals, [ids.p1, ids.p2, ids.p3]).quality

    with app.app_context():
        from review_app.accounts.models import User

        chair = db.session.scalar(select(User).where(User.email == ids.chair))
        rows = {r.proposal.id: r for r in rank(db.session.get(Event, ids.event), chair).rows}
    assert (rows[ids.p1].done, rows[ids.p1].assigned) == (2, 2)
    assert (rows[ids.p3].done, rows[ids.p3].assigned) == (1, 2)
    assert (rows[ids.p2].done, rows[ids.p2].assigned) == (2, 3)
    assert rows[ids.p1].stats.mean == pytest.approx(75) and rows[ids.p1].stats.median == pytest.approx(75)
    assert rows[ids.p2].stats.mean == pytest.approx((70 + 50 / 3) / 2)
    assert rows[ids.p1].stats.range == pytest.approx(50) and rows[ids.p1].stats.high_disagreement
    assert rows[ids.p3].stats.range == 0 and not rows[ids.p3].stats.high_disagreement
    for pid in (ids.p1, ids.p2, ids.p3):
        assert rows[pid].calibrated == pytest.approx(expected[pid])

    login(client, ids.chair)
    page = client.get("/events/scd/manage/ranking").get_data(as_text=True)
    row = re.search(rf'<tr data-proposal="{ids.p1}">(.*?)</tr>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[3:8] == ["2/2", "75.0", "75.0", "50.0 high disagreement", f"{expected[ids.p1]:.1f}"]
    # best calibrated score first
    order = [int(x) for x in re.findall(r'<tr data-proposal="(\d+)">', page)]
    assert order == sorted(expected, key=lambda pid: -expected[pid])


def test_filters_and_orders_live_in_the_address(app, client, clock):
    clock.set(AFTER_CFP)
    ids = hand_example(app)
    login(client, ids.chair)

    def shown(query: str) -> list[int]:
        response = client.get(f"/events/scd/manage/ranking?{query}")
        assert response.status_code == 200, query
        return [int(x) for x in re.findall(r'<tr data-proposal="(\d+)">', response.get_data(as_text=True))]

    with app.app_context():
        event = db.session.get(Event, ids.event)
        theme2, format2 = event.themes[1].id, event.formats[1].id
    assert shown("language=en") == [ids.p2]
    assert shown(f"format={format2}") == [ids.p3]
    assert set(shown(f"theme={theme2}")) >= {ids.p2}  # the main theme, or a further one
    assert shown("sort=title&dir=asc") == [ids.p1, ids.p2, ids.p3]
    assert shown("sort=reviews&dir=asc") == [ids.p3, ids.p1, ids.p2]
    assert shown("state=accepted") == []
    assert shown("org_type=company&sort=title&dir=desc") == [ids.p3, ids.p2, ids.p1]


def test_the_programme_balance_counts_accepted_and_pending_accepts(app, client, clock):
    clock.set(AFTER_CFP)
    ids = hand_example(app)
    with app.app_context():
        from review_app.accounts.models import User
        from review_app.cfp.models import Proposal

        chair = db.session.scalar(select(User).where(User.email == ids.chair))
        event = db.session.get(Event, ids.event)
        decisions.decide(db.session.get(Proposal, ids.p1), "accept", actor=chair, now=AFTER_CFP)
        decisions.release(event, actor=chair, now=AFTER_CFP)
        decisions.decide(db.session.get(Proposal, ids.p3), "accept", actor=chair, now=AFTER_CFP)
        decisions.decide(db.session.get(Proposal, ids.p2), "reject", actor=chair, now=AFTER_CFP)
        db.session.commit()
        result = rank(event, chair)
        # Alpha: talk (both venues), accepted; Gamma: workshop (the villa), pending accept; Beta: rejected
        assert result.programme_size == 2
        assert result.balance["venue"] == {"Mulvany Villa": 2, "Alte Druckerei": 1}
        assert result.balance["language"] == {"de": 2}
        assert sum(result.balance["format"].values()) == 2 and len(result.balance["format"]) == 2
        assert result.pending == 2
    login(client, ids.chair)
    page = client.get("/events/scd/manage/ranking").get_data(as_text=True)
    assert "2 sessions accepted or about to be accepted" in page
    assert "<dt>Mulvany Villa</dt><dd>2</dd>" in page


def parse_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))


def test_the_csv_exports_have_a_bom_neutralise_formulas_and_are_audited(app, client, clock):
    clock.set(AFTER_CFP)
    with app.app_context():
        event, chair = committee_event()
        hostile, _speaker = speaker_proposal(event, chair, '=HYPERLINK("http://evil.example","Klick")',
                                             project_organisation="+Stadtwerke", project_city="@Ort")
        plain, _other = speaker_proposal(event, chair, "Grüne Dächer – Bürger*innen")
        r1 = reviewer(event, "Rita")
        cid = event.criteria[0].id
        submitted_review(r1, hostile, {cid: 5}, comment_committee="-2+3", comment_speakers="\tTabbed")
        submitted_review(r1, plain, {cid: 1}, comment_committee="\rreturn")
        db.session.commit()
        ids = SimpleNamespace(chair=chair.email, hostile=hostile.id, plain=plain.id)
    login(client, ids.chair)

    response = client.get("/events/scd/manage/ranking.csv?sort=title&dir=asc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = parse_csv(response)
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[str(ids.hostile)][1] == """'=HYPERLINK("http://evil.example","Klick")"""
    assert by_id[str(ids.hostile)][3] == "'+Stadtwerke" and by_id[str(ids.hostile)][5] == "'@Ort"
    assert by_id[str(ids.plain)][1] == "Grüne Dächer – Bürger*innen"
    assert by_id[str(ids.hostile)][12] == "100.0" and by_id[str(ids.plain)][12] == "0.0"

    reviews = parse_csv(client.get("/events/scd/manage/reviews.csv"))
    cells = {c for row in reviews for c in row}
    assert {"'-2+3", "'\tTabbed", "'\rreturn", "Rita"} <= cells
    assert not any(c[:1] in "=+-@\t\r" for c in cells if c)

    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("export.%"))))
    assert sorted(actions) == ["export.ranking", "export.reviews"]


def test_a_conflicted_member_meets_the_proposal_in_no_row_count_or_export(app, clock):
    clock.set(AFTER_CFP)
    with app.app_context():
        event, chair = committee_event()
        mine, _s = speaker_proposal(event, chair, "Bochum Open Data", organisation="Stadtwerke Bochum GmbH")
        other, _o = speaker_proposal(event, chair, "Herne Parking")
        member = outsider("Member")
        member.organisation = "Stadtwerke Bochum"  # the same organisation, spelt without its legal form
        events.grant_role(event, member, Role.committee, actor=None, now=AFTER_CFP)
        r1 = reviewer(event, "Rita")
        cid = event.criteria[0].id
        submitted_review(r1, mine, {cid: 5}, comment_committee="CONFLICTED-COMMENT")
        submitted_review(r1, other, {cid: 3}, comment_committee="VISIBLE-COMMENT")
        decisions.decide(mine, "accept", actor=chair, now=AFTER_CFP)
        db.session.commit()
        member_email = member.email
    client = app.test_client()
    login(client, member_email)

    page = client.get("/events/scd/manage/ranking").get_data(as_text=True)
    assert "Herne Parking" in page and "Bochum Open Data" not in page
    assert "1 proposal shown" in page and "1 pending decision" not in page
    assert "0 sessions accepted" in page
    ranking_csv = client.get("/events/scd/manage/ranking.csv").get_data(as_text=True)
    reviews_csv = client.get("/events/scd/manage/reviews.csv").get_data(as_text=True)
    assert "Herne Parking" in ranking_csv and "Bochum Open Data" not in ranking_csv
    assert "VISIBLE-COMMENT" in reviews_csv and "CONFLICTED-COMMENT" not in reviews_csv


def add_reviewed_proposals(app, ids, n: int) -> None:
    with app.app_context():
        from review_app.accounts.models import User
        from review_app.review.models import Reviewer

        event = db.session.get(Event, ids.event)
        chair = db.session.scalar(select(User).where(User.email == ids.chair))
        reviewers = list(db.session.scalars(select(Reviewer).where(Reviewer.event_id == event.id)))
        cid = event.criteria[0].id
        for i in range(n):
            proposal = speaker_proposal(event, chair, f"Proposal {ids.count + i}")[0]
            for j, r in enumerate(reviewers):
                submitted_review(r, proposal, {cid: 1 + (i + j) % 5}, comment_committee="ok")
            if i % 2:
                decisions.decide(proposal, "accept", actor=chair, now=AFTER_CFP)
        ids.count += n
        db.session.commit()


def test_the_ranking_and_its_exports_need_the_same_number_of_queries_for_3_and_for_12_proposals(app, client,
                                                                                              clock):
    clock.set(AFTER_CFP)
    with app.app_context():
        event, chair = committee_event()
        reviewer(event, "Rita"), reviewer(event, "Rolf")
        db.session.commit()
        ids = SimpleNamespace(event=event.id, chair=chair.email, count=0)
    add_reviewed_proposals(app, ids, 3)
    login(client, ids.chair)

    def queries(path: str) -> int:
        client.get(path)  # warm caches that do not depend on the data
        with counted(app) as statements:
            response = client.get(path)
        assert response.status_code == 200
        return len(statements)

    paths = ["/events/scd/manage/ranking", "/events/scd/manage/ranking?language=de&sort=title",
             "/events/scd/manage/ranking.csv", "/events/scd/manage/reviews.csv"]
    small = [queries(p) for p in paths]
    add_reviewed_proposals(app, ids, 9)
    large = [queries(p) for p in paths]

    assert large == small
    assert "12 proposals shown" in client.get(paths[0]).get_data(as_text=True)
