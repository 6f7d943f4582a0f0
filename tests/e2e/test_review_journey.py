"""The review in a real browser: a reviewer scores an assigned proposal with the keyboard only; the committee
assigns automatically, decides and releases, and the speaker confirms; and every review page, in German and in
English, passes axe-core and fits a 390 px phone without sideways scrolling.

Elements are found by stable attributes (id, name, value, form action), not by translated text, so that the
tests do not depend on the state of the German catalogue."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from review_app.accounts.models import User
from review_app.cfp.models import Proposal, ProposalState
from review_app.db import db
from review_app.events.models import ReviewCriterion
from review_app.review import assigning, decisions, reviewers, reviewing
from review_app.review.models import Assignment, Decision, Review, ReviewState

from ..conftest import TEST_PASSWORD
from ..factories import make_event, make_proposal, make_user
from .conftest import PhoneCheck

SLUG = "review-journey"
# the test event's call closes on 1 December 2024; its review window runs from 2 to 31 December
IN_REVIEW = datetime(2024, 12, 15, 12, 0, tzinfo=UTC)
AFTER_REVIEW = datetime(2025, 1, 5, 12, 0, tzinfo=UTC)
WIDTH = 390

# committee, reviewers and speakers from different organisations, cities and mail domains: no conflict among them,
# except Rena (Stadt Herne), who has one with Sam's proposal from Herne
PEOPLE = {
    "chair": ("chair@smartcity-days.de", "Carla Chair", "Smart City Days e. V.", "other", "Dortmund"),
    "rita": ("rita@ruhr-uni-bochum.de", "Rita Reviewer", "Ruhr-Universität Bochum", "research", "Bochum"),
    "rolf": ("rolf@fh-dortmund.de", "Rolf Reviewer", "Fachhochschule Dortmund", "research", "Dortmund"),
    "rena": ("rena@herne.de", "Rena Reviewer", "Stadt Herne", "city", "Herne"),
    "sam": ("sam@herne.de", "Sam Speaker", "Stadt Herne", "city", "Herne"),
    "sina": ("sina@gelsenkirchen.de", "Sina Speaker", "Stadt Gelsenkirchen", "city", "Gelsenkirchen"),
}
HERNE = "Digitale Bürgerdienste in Herne"
GELSENKIRCHEN = "Sensoren für saubere Luft in Gelsenkirchen"


def _world(app, lang: str) -> dict:
    """The event after its call: two proposals under review, three reviewers, two criteria. Returns ids."""
    with app.app_context():
        users = {key: make_user(email=email, name=name, organisation=org, organisation_type=kind, city=city,
                                language=lang)
                 for key, (email, name, org, kind, city) in PEOPLE.items()}
        event = make_event(slug=SLUG, committee=users["chair"])
        db.session.add(ReviewCriterion(event_id=event.id, name_de="Übertragbarkeit", name_en="Transferability",
                                       description_de="Können andere Städte es übernehmen?",
                                       description_en="Can other cities reuse it?", weight=1, scale_min=1,
                                       scale_max=5, position=1))
        db.session.flush()
        herne = make_proposal(event, users["sam"], state=ProposalState.submitted, title=HERNE)
        gelsenkirchen = make_proposal(event, users["sina"], state=ProposalState.submitted, title=GELSENKIRCHEN,
                                      project_organisation="Stadt Gelsenkirchen", project_city="Gelsenkirchen")
        for key in ("rita", "rolf", "rena"):
            reviewers.invite_reviewer(event, PEOPLE[key][0], language=lang, actor=users["chair"], now=IN_REVIEW)
        decisions.start_review_all(event, actor=users["chair"], now=IN_REVIEW)
        db.session.commit()
        db.session.refresh(event)
        return {"event": event.id, "users": {k: u.id for k, u in users.items()}, "herne": herne.id,
                "gelsenkirchen": gelsenkirchen.id, "criteria": [c.id for c in event.criteria]}


def _log_in(page, key: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(PEOPLE[key][0])
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#submit").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


# ---------------------------------------------------------------- the keyboard

FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '', id: el.id,
          text: (el.innerText || el.value || '').trim().slice(0, 60),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


class Keyboard:
    """Moves through the page with Tab only and remembers every element that took the focus unseen."""

    def __init__(self, page):
        self.page, self.steps, self.unseen = page, 0, []

    def tab_to(self, selector: str, limit: int = 80, key: str = "Tab") -> None:
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.steps += 1
            focused = self.page.evaluate(FOCUS_STATE)
            if focused is not None and not focused["outline"]:
                self.unseen.append(focused)
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} never took the focus after {limit} × {key} on {self.page.url}")

    def choose(self, group: str, steps: int) -> None:
        """Tab into a radio group (the focus lands on its first button), select it, arrow `steps` further."""
        self.tab_to(f"input[type=radio][name={group}]")
        self.page.keyboard.press("Space")
        for _ in range(steps):
            self.page.keyboard.press("ArrowRight")


def test_a_reviewer_scores_an_assigned_proposal_with_the_keyboard_only(app, clock, open_page):
    clock.set(IN_REVIEW)
    ids = _world(app, "en")
    with app.app_context():
        event = db.session.get(Proposal, ids["gelsenkirchen"]).event
        chair = db.session.get(User, ids["users"]["chair"])
        rita = reviewers.ensure_reviewer(event, db.session.get(User, ids["users"]["rita"]))
        assigning.assign(event, rita, db.session.get(Proposal, ids["gelsenkirchen"]), actor=chair, now=IN_REVIEW)
        rita_id = rita.id
        db.session.commit()
    page = open_page("en-US")
    _log_in(page, "rita")
    page.goto("/reviewing")
    keys = Keyboard(page)

    keys.tab_to("a.next-review")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/events/{SLUG}/reviews/{ids['gelsenkirchen']}$"))
    expect(page.locator("h1")).to_have_text(GELSENKIRCHEN)
    first, second = ids["criteria"]
    keys.choose(f"score_{first}", 3)        # 1 → 4
    keys.choose(f"score_{second}", 1)       # 1 → 2
    keys.choose("recommendation", 1)        # "accept, by all means" → "accept"
    keys.choose("confidence", 2)            # low → high
    keys.tab_to("textarea[name=comment_committee]")
    page.keyboard.type("Gut übertragbar, klare Zahlen.")
    keys.tab_to("textarea[name=comment_speakers]")
    page.keyboard.type("Zeigen Sie die Messwerte.")
    # one step back and forth: Shift+Tab returns to the committee's comment, Tab comes back
    keys.tab_to("textarea[name=comment_committee]", limit=1, key="Shift+Tab")
    keys.tab_to("textarea[name=comment_speakers]", limit=1)
    keys.tab_to("button[name=action][value=submit]", limit=3)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/reviewing$"))  # back on the dashboard, the review done
    expect(page.locator("tbody .state-submitted")).to_have_count(1)

    assert keys.steps >= 10
    assert not keys.unseen, f"focus without a visible outline: {keys.unseen}"
    with app.app_context():
        review = db.session.scalar(select(Review).join(Assignment).where(
            Assignment.proposal_id == ids["gelsenkirchen"], Assignment.reviewer_id == rita_id))
        assert review is not None and review.state is ReviewState.submitted
        assert {s.criterion_id: s.score for s in review.scores} == {first: 4, second: 2}
        assert review.recommendation.value == "accept" and review.confidence == 3
        assert review.comment_committee == "Gut übertragbar, klare Zahlen."
        assert review.comment_speakers == "Zeigen Sie die Messwerte."


# ---------------------------------------------------------------- the committee and the speaker

def _submit_all_reviews(app, ids: dict) -> int:
    """Every assigned reviewer submits a review (through the service); the Herne proposal scores higher."""
    with app.app_context():
        done = 0
        for assignment in db.session.scalars(select(Assignment).order_by(Assignment.id)):
            score = 5 if assignment.proposal_id == ids["herne"] else 2
            reviewing.save_review(
                assignment, reviewing.ReviewData(scores=dict.fromkeys(ids["criteria"], score),
                                                 recommendation="accept" if score == 5 else "reject", confidence=2,
                                                 comment_committee="ok", comment_speakers="Danke."),
                actor=assignment.reviewer.user, now=IN_REVIEW, expected_version=None, submit=True)
            done += 1
        db.session.commit()
        return done


def _decide(page, proposal_id: int, outcome: str) -> None:
    page.locator(f"#choose-{proposal_id}").check()
    page.locator("select[name=outcome]").select_option(outcome)
    page.locator("form[action$='/ranking/decide'] button.primary[type=submit]").click()
    page.wait_for_load_state("load")


def _release_all(page, check=None) -> None:
    """Release every pending decision; a confirmation page in between (if there is one) is checked and confirmed."""
    page.locator("button[name=scope][value=all]").click()
    page.wait_for_load_state("load")
    confirm = page.locator("main form[action*='release'] button[type=submit]")
    if "/ranking/release" in page.url and confirm.count():
        if check is not None:
            check(page, "release confirmation")
        confirm.last.click()
        page.wait_for_load_state("load")


def test_the_committee_assigns_decides_and_releases_and_the_speaker_confirms(app, clock, open_page, mailer):
    clock.set(IN_REVIEW)
    ids = _world(app, "en")
    committee = open_page("en-US")
    _log_in(committee, "chair")
    committee.goto(f"/events/{SLUG}/manage/assignments")
    committee.locator("form[action$='/assignments/automatic'] button[type=submit]").click()
    expect(committee.locator("#result-title")).to_be_visible()
    with app.app_context():
        pairs = {(a.reviewer.user_id, a.proposal_id) for a in db.session.scalars(select(Assignment))}
    users = ids["users"]
    # k = 3 and three reviewers: each proposal gets every reviewer who has no conflict with it
    assert pairs == {(users["rita"], ids["herne"]), (users["rolf"], ids["herne"]),
                     (users["rita"], ids["gelsenkirchen"]), (users["rolf"], ids["gelsenkirchen"]),
                     (users["rena"], ids["gelsenkirchen"])}
    expect(committee.locator(".shortfalls")).to_contain_text(HERNE)
    mailer.deliver()
    assert "/reviews/" in mailer.last_to(PEOPLE["rena"][0])["body"] or GELSENKIRCHEN in mailer.last_to(
        PEOPLE["rena"][0])["body"]
    assert _submit_all_reviews(app, ids) == 5

    clock.set(AFTER_REVIEW)
    speaker = open_page("en-US")
    _log_in(speaker, "sam")
    speaker.goto(f"/events/{SLUG}/proposals/{ids['herne']}")
    expect(speaker.locator(".state").first).to_have_class(re.compile(r"state-under_review"))

    _log_in(committee, "chair")  # three weeks later: the session has expired
    committee.goto(f"/events/{SLUG}/manage/ranking")
    rows = committee.locator("table.ranking tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-proposal", str(ids["herne"]))  # the better one first
    _decide(committee, ids["herne"], "accept")
    _decide(committee, ids["gelsenkirchen"], "reject")
    with app.app_context():
        pending = {d.proposal_id: (d.outcome.value, d.released_at) for d in db.session.scalars(select(Decision))}
        states = {p.id: p.state for p in db.session.scalars(select(Proposal))}
    assert pending == {ids["herne"]: ("accept", None), ids["gelsenkirchen"]: ("reject", None)}
    assert set(states.values()) == {ProposalState.under_review}
    speaker.reload()  # pending: the speaker still sees nothing
    expect(speaker.locator(".state").first).to_have_class(re.compile(r"state-under_review"))

    _release_all(committee)
    with app.app_context():
        states = {p.id: p.state for p in db.session.scalars(select(Proposal))}
        assert all(d.released_at is not None for d in db.session.scalars(select(Decision)))
    assert states == {ids["herne"]: ProposalState.accepted, ids["gelsenkirchen"]: ProposalState.rejected}
    mailer.deliver()
    accepted = mailer.last_to(PEOPLE["sam"][0], "accepted")
    rejected = mailer.last_to(PEOPLE["sina"][0])
    assert GELSENKIRCHEN in rejected["subject"] + rejected["body"]
    assert not [m for m in mailer.inbox.to(PEOPLE["sina"][0]) if "accepted" in m["subject"].lower()]

    speaker.goto(mailer.link_in(accepted, f"/events/{SLUG}/proposals/"))
    expect(speaker.locator(".state").first).to_have_class(re.compile(r"state-accepted"))
    speaker.locator(f"form[action$='/proposals/{ids['herne']}/confirm'] button[type=submit]").click()
    expect(speaker.locator(".state").first).to_have_class(re.compile(r"state-confirmed"))
    with app.app_context():
        assert db.session.get(Proposal, ids["herne"]).state is ProposalState.confirmed
        assert db.session.get(Proposal, ids["gelsenkirchen"]).state is ProposalState.rejected


# ---------------------------------------------------------------- axe-core and the phone, in both languages

@pytest.mark.parametrize("locale", ["de-DE", "en-US"])
def test_review_pages_have_no_axe_violations_and_fit_a_phone(app, clock, open_page, axe, locale):
    lang = locale[:2]
    clock.set(IN_REVIEW)
    ids = _world(app, lang)
    base = f"/events/{SLUG}/manage"
    check = PhoneCheck(axe, lang, WIDTH)
    visit, checked = check.visit, check.checked

    committee = open_page(locale, viewport={"width": WIDTH, "height": 844})
    _log_in(committee, "chair")
    visit(committee, f"{base}/reviewers", "reviewers")
    committee.locator("#email").fill("not an address")
    committee.locator("form.stack button[type=submit]").last.click()
    expect(committee.locator("#email")).to_have_attribute("aria-invalid", "true")
    check(committee, "reviewers with errors")
    visit(committee, f"{base}/reviewers/{ids['users']['rita']}", "reviewer limits")
    visit(committee, f"{base}/conflicts", "conflicts")
    committee.locator("form[action$='/conflicts/override'] button[type=submit]").first.click()  # no reason
    expect(committee.locator("[role=alert]")).to_be_visible()
    check(committee, "conflicts with errors")
    visit(committee, f"{base}/assignments", "assignments")
    committee.locator("form[action$='/assignments/automatic'] button[type=submit]").click()
    expect(committee.locator("#result-title")).to_be_visible()
    check(committee, "assignments after the automatic assignment")
    visit(committee, f"{base}/assignments/{ids['herne']}", "assignments of one proposal")

    reviewer = open_page(locale, viewport={"width": WIDTH, "height": 844})
    _log_in(reviewer, "rita")
    visit(reviewer, f"/events/{SLUG}/review/preferences", "preferences")
    with app.app_context():
        token = reviewers.invitation_token(db.session.get(Proposal, ids["herne"]).event, "new@example.org",
                                           now=IN_REVIEW)
    visit(reviewer, f"/reviewer-invitations/{token}", "reviewer invitation")
    visit(reviewer, "/reviewing", "reviewing dashboard")
    visit(reviewer, f"/events/{SLUG}/reviews/{ids['herne']}", "review form")
    reviewer.locator("button[name=action][value=submit]").click()  # nothing chosen: every group is marked
    expect(reviewer.locator("[aria-invalid=true]").first).to_be_attached()
    check(reviewer, "review form with errors")

    _submit_all_reviews(app, ids)
    clock.set(AFTER_REVIEW)
    _log_in(reviewer, "rita")  # three weeks later: the sessions have expired
    _log_in(committee, "chair")
    visit(reviewer, f"/events/{SLUG}/reviews/{ids['herne']}", "review after the window")
    visit(committee, f"{base}/ranking", "ranking")
    committee.locator(f"#choose-{ids['herne']}").check()
    committee.locator("select[name=outcome]").select_option("accept")
    committee.locator("form[action$='/ranking/decide'] button.primary[type=submit]").click()
    expect(committee.locator("button[name=scope][value=all]")).to_be_visible()
    check(committee, "ranking with a pending decision")
    _release_all(committee, check)
    check(committee, "ranking after the release")

    assert len(checked) >= 17  # 18 once the release asks for a confirmation
    axe.assert_clean()
