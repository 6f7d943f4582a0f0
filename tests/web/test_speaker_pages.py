"""The speaker's pages: every field shown back, required choices, what submitting needs (named at the field and
on the call page), further themes, deleting a draft, withdrawing after the event, open calls on the dashboard."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEntry
from review_app.cfp.models import SUBMISSION_REQUIREMENTS, Proposal, ProposalSpeaker, ProposalState
from review_app.db import db

from ..factories import DURING_CFP, login, make_event, make_proposal, make_user, proposal_form

S = ProposalState


@pytest.fixture
def client(app):
    """A browser that prefers English, so that the page texts asserted below are the msgids."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def _world(app, **event_kwargs):
    with app.app_context():
        chair = make_user(email="chair@example.org", language="en")
        event = make_event(slug="scd", committee=chair, **event_kwargs)
        owner = make_user(email="owner@example.org", language="en")
        db.session.commit()
        return SimpleNamespace(
            owner=owner.email, chair=chair.email,
            formats={f.name_en: f.id for f in event.formats},
            themes={t.name_en: t.id for t in event.themes},
            audiences={a.name_en: a.id for a in event.audiences})


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _section(page: str, heading_id: str) -> str:
    return re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', page, re.S).group(0)


# ---------------------------------------------------------------- every field is shown back


def test_every_field_a_speaker_fills_in_appears_on_the_proposal_page_for_the_speakers_and_the_committee(
    app, client, clock
):
    w = _world(app)
    clock.set(DURING_CFP)
    login(client, w.owner)
    form = {
        "title": "MARK-title", "abstract": "MARK-abstract", "description": "MARK-description",
        "format_id": w.formats["Workshop"], "language": "en", "main_theme_id": w.themes["Data spaces"],
        "further_theme_ids": [w.themes["Digital administration"]], "audience_ids": [w.audiences["Citizens"]],
        "project_organisation": "MARK-organisation", "project_city": "MARK-city",
        "project_partners": "MARK-partners", "project_stage": "scaled", "project_results": "MARK-results",
        "project_transfer": "MARK-transfer", "notes_for_committee": "MARK-notes",
        # not the defaults: only the second day, 10:15 to 11:45
        "day1_available": "y", "day1_from": "10:15", "day1_to": "11:45", "action": "save",
    }
    r = client.post("/events/scd/proposals/new", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.project_stage.value == "scaled"
        path = f"/events/scd/proposals/{proposal.id}"
    expected = [
        "MARK-title", "MARK-abstract", "MARK-description", "Workshop", "English", "Data spaces",
        "Digital administration", "Citizens", "MARK-organisation", "MARK-city", "MARK-partners",
        "Stage of the project", "Rolled out / adopted elsewhere", "MARK-results", "MARK-transfer", "MARK-notes",
        "Thursday, February 6, 2025, 10:15–11:45",
    ]
    speaker_page = client.get(path).get_data(as_text=True)
    client.post("/logout")
    login(client, w.chair)
    committee_page = client.get(path)
    assert committee_page.status_code == 200
    for page in (speaker_page, committee_page.get_data(as_text=True)):
        missing = [marker for marker in expected if marker not in page]
        assert missing == []


# ---------------------------------------------------------------- required choices start with "Please choose"


def _select(page: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', page, re.S).group(0)


def test_format_and_main_theme_start_with_please_choose_and_nothing_is_preselected(app, client, clock):
    w = _world(app)
    clock.set(DURING_CFP)
    login(client, w.owner)
    page = client.get("/events/scd/proposals/new").get_data(as_text=True)
    for name in ("format_id", "main_theme_id"):
        select_html = _select(page, name)
        assert "required" in select_html.split(">")[0]
        options = re.findall(r"<option([^>]*)>([^<]*)</option>", select_html)
        first_attrs, first_label = options[0]
        assert first_label == "Please choose" and 'value=""' in first_attrs
        assert [label for attrs, label in options if "selected" in attrs] == ["Please choose"]


@pytest.mark.parametrize("value", ["", "abc", "²", "99999", "9" * 5000])
def test_choosing_no_format_or_theme_answers_422_naming_the_field_and_saves_nothing(app, client, clock, value):
    w = _world(app)
    clock.set(DURING_CFP)
    login(client, w.owner)
    data = proposal_form(value, value, action="save")
    r = client.post("/events/scd/proposals/new", data=data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    for name, message in (("format_id", "Choose a session format."), ("main_theme_id", "Choose a main theme.")):
        errors = re.search(rf'<ul class="field-errors" id="{name}-errors">(.*?)</ul>', page, re.S).group(1)
        assert message in errors
        assert 'aria-invalid="true"' in _select(page, name).split(">")[0]
        assert f'href="#{name}"' in page  # linked from the summary
    assert _count(app, Proposal) == 0


# ---------------------------------------------------------------- what submitting needs


def test_the_form_marks_what_submitting_needs_and_the_call_page_lists_exactly_that(app, client, clock):
    w = _world(app)
    clock.set(DURING_CFP)
    login(client, w.owner)
    form = client.get("/events/scd/proposals/new").get_data(as_text=True)
    for name in ("abstract", "description"):
        label_line = re.search(rf'<label for="{name}">.*?</label>[^\n]*', form).group(0)
        assert "(needed to submit)" in label_line
    title_line = re.search(r'<label for="title">.*?</label>[^\n]*', form).group(0)
    assert "(required)" in title_line and "needed to submit" not in title_line
    legend = re.search(r'<fieldset id="availability"[^>]*>\s*<legend>(.*?)</legend>', form, re.S).group(1)
    assert "(needed to submit)" in legend

    call = client.get("/events/scd/").get_data(as_text=True)
    listed = re.findall(r"<li>(.*?)</li>", _section(call, "need-heading"))
    assert listed == ["Title", "Short abstract", "Description", "Session format", "Language of the session",
                      "Main theme", "When you can present"]
    assert listed == [str(r.label) for r in SUBMISSION_REQUIREMENTS]


def test_submitting_without_what_it_needs_names_each_missing_field_and_a_draft_still_saves(app, client, clock):
    w = _world(app)
    clock.set(DURING_CFP)
    login(client, w.owner)
    incomplete = proposal_form(w.formats["Workshop"], w.themes["Data spaces"], abstract="", description="   ",
                               day0_available="", action="submit")
    del incomplete["day0_available"]  # an unticked box is not posted
    r = client.post("/events/scd/proposals/new", data=incomplete)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    summary = re.search(r'<div class="form-error".*?</div>', page, re.S).group(0)
    for name, ask in (("abstract", "a short abstract"), ("description", "a description"),
                      ("availability", "your availability on at least one event day")):
        errors = re.search(rf'<ul class="field-errors" id="{name}-errors">(.*?)</ul>', page, re.S).group(1)
        assert f"Needed to submit: please add {ask}." in errors
        assert f'href="#{name}"' in summary
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*name="abstract"|<textarea[^>]*name="abstract"'
                     r'[^>]*aria-invalid="true"', page)
    assert 'aria-describedby="availability-errors"' in page
    day0 = re.search(r'<input[^>]*id="day0_available"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in day0 and "availability-errors" in day0
    assert "Title" not in re.findall(r'<a href="#(\w+)">', summary)
    assert _count(app, Proposal) == 0

    incomplete["action"] = "save"
    r = client.post("/events/scd/proposals/new", data=incomplete)
    assert r.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(Proposal))
        assert draft.state is S.draft and draft.abstract == "" and draft.availability == []
        pid = draft.id
    # the proposal page links each missing part to its field
    page = client.get(f"/events/scd/proposals/{pid}").get_data(as_text=True)
    assert f'href="/events/scd/proposals/{pid}/edit#abstract">a short abstract</a>' in page
    assert f'href="/events/scd/proposals/{pid}/edit#availability">' in page


def test_a_submitted_proposal_cannot_be_emptied_of_what_submitting_needs(app, client, clock):
    _world(app)
    pid = _proposal(app, state=S.submitted)
    with app.app_context():
        p = db.session.get(Proposal, pid)
        format_id, theme_id, version = p.format_id, p.main_theme_id, p.version
    clock.set(DURING_CFP)
    login(client, "owner@example.org")
    r = client.post(f"/events/scd/proposals/{pid}/edit", data=proposal_form(
        format_id, theme_id, description="", action="save", version=str(version)))
    assert r.status_code == 422
    assert "Needed to submit: please add a description." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Proposal, pid).description != ""


def _event():
    from review_app.events.models import Event

    return db.session.scalar(select(Event).where(Event.slug == "scd"))


def _owner():
    from review_app.accounts.models import User

    return db.session.scalar(select(User).where(User.email == "owner@example.org"))


# ---------------------------------------------------------------- further themes


def test_the_saved_main_theme_is_not_offered_again_and_never_stored_as_a_further_theme(app, client, clock):
    w = _world(app)
    clock.set(DURING_CFP)
    login(client, w.owner)
    main = w.themes["Data spaces"]
    r = client.post("/events/scd/proposals/new", data=proposal_form(
        w.formats["Workshop"], main, further_theme_ids=[main, w.themes["Artificial intelligence"]], action="save"))
    assert r.status_code == 302
    with app.app_context():
        p = db.session.scalar(select(Proposal))
        assert p.main_theme_id == main
        assert [t.id for t in p.further_themes] == [w.themes["Artificial intelligence"]]
        pid = p.id
    page = client.get(f"/events/scd/proposals/{pid}/edit").get_data(as_text=True)
    further = re.search(r"<legend>Further themes</legend>.*?</fieldset>", page, re.S).group(0)
    offered = re.findall(r'name="further_theme_ids"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="further_theme_ids"',
                         further)
    offered = {int(a or b) for a, b in offered}
    assert offered == {w.themes["Artificial intelligence"], w.themes["Digital administration"]}


# ---------------------------------------------------------------- deleting a draft


def _proposal(app, state=S.draft, co_speaker=False):
    with app.app_context():
        p = make_proposal(_event(), _owner(), state=state)
        if co_speaker:
            co = make_user(email="co@example.org", language="en")
            p.speakers.append(ProposalSpeaker(user_id=co.id, is_submitter=False, joined_at=DURING_CFP))
        db.session.commit()
        return p.id


def test_a_speaker_deletes_a_draft_after_confirming_and_it_is_gone(app, client, clock):
    _world(app)
    pid = _proposal(app, co_speaker=True)
    clock.set(DURING_CFP)
    login(client, "co@example.org")
    page = client.get(f"/events/scd/proposals/{pid}").get_data(as_text=True)
    assert f'href="/events/scd/proposals/{pid}/delete"' in page
    confirm = client.get(f"/events/scd/proposals/{pid}/delete")
    assert confirm.status_code == 200
    confirm_page = confirm.get_data(as_text=True)
    assert "Do you really want to delete this draft?" in confirm_page
    assert f'action="/events/scd/proposals/{pid}/delete"' in confirm_page
    with app.app_context():
        assert db.session.get(Proposal, pid) is not None  # asking deletes nothing
    r = client.post(f"/events/scd/proposals/{pid}/delete")
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"
    assert "is deleted" in client.get("/dashboard").get_data(as_text=True)
    assert client.get(f"/events/scd/proposals/{pid}").status_code == 404
    with app.app_context():
        assert db.session.get(Proposal, pid) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.delete"))
        assert entry.object_id == pid and entry.actor.email == "co@example.org"


def test_a_submitted_proposal_cannot_be_deleted_and_strangers_cannot_delete_drafts(app, client, clock):
    _world(app)
    submitted = _proposal(app, state=S.submitted)
    draft = _proposal(app)
    with app.app_context():
        make_user(email="stranger@example.org")
        db.session.commit()
    clock.set(DURING_CFP)
    login(client, "owner@example.org")
    assert "/delete" not in client.get(f"/events/scd/proposals/{submitted}").get_data(as_text=True)
    r = client.post(f"/events/scd/proposals/{submitted}/delete")
    assert r.status_code == 409 and "not possible while the proposal is “Submitted”" in r.get_data(as_text=True)
    client.post("/logout")
    login(client, "stranger@example.org")
    assert client.post(f"/events/scd/proposals/{draft}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(Proposal, submitted) is not None and db.session.get(Proposal, draft) is not None


# ---------------------------------------------------------------- withdrawing ends with the event


def test_a_waitlisted_proposal_can_be_withdrawn_until_the_event_ends_in_its_time_zone_and_not_after(
    app, client, clock
):
    _world(app)
    pid = _proposal(app, state=S.waitlisted)
    # the event is on 5 and 6 February 2025 in Berlin: it ends at 7 February 00:00 CET = 6 February 23:00 UTC
    end = datetime(2025, 2, 6, 23, 0, tzinfo=UTC)
    clock.set(end - timedelta(seconds=1))
    login(client, "owner@example.org")
    page = client.get(f"/events/scd/proposals/{pid}").get_data(as_text=True)
    assert f'href="/events/scd/proposals/{pid}/withdraw"' in page
    clock.set(end)
    page = client.get(f"/events/scd/proposals/{pid}").get_data(as_text=True)
    assert f'href="/events/scd/proposals/{pid}/withdraw"' not in page
    r = client.post(f"/events/scd/proposals/{pid}/withdraw")
    assert r.status_code == 403
    assert "The event ended on Thursday, February 6, 2025; this is no longer possible." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Proposal, pid).state is S.waitlisted
    clock.set(end - timedelta(seconds=1))
    assert client.post(f"/events/scd/proposals/{pid}/withdraw").status_code == 302
    with app.app_context():
        assert db.session.get(Proposal, pid).state is S.withdrawn


# ---------------------------------------------------------------- open calls on the dashboard


def test_the_dashboard_points_to_every_open_call_with_its_deadline_also_without_proposals(app, client, clock):
    with app.app_context():
        make_event(slug="past", starts_on=date(2023, 2, 1), cfp_opens=datetime(2022, 9, 1, tzinfo=UTC),
                   cfp_closes=datetime(2022, 12, 1, tzinfo=UTC))
        make_event(slug="open")
        make_user(email="returning@example.org", language="en")
        db.session.commit()
    clock.set(DURING_CFP)
    login(client, "returning@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    section = _section(page, "open-calls-heading")
    assert 'href="/events/open/"' in section and 'href="/events/open/proposals/new"' in section
    assert "Deadline: Sunday, December 1, 2024, 23:59" in section
    assert "/events/past/" not in section
    # a speaker with a past edition's proposal is pointed to the open call as well
    with app.app_context():
        from review_app.events.models import Event

        past = db.session.scalar(select(Event).where(Event.slug == "past"))
        from review_app.accounts.models import User

        me = db.session.scalar(select(User).where(User.email == "returning@example.org"))
        from review_app.cfp import services as cfp
        from tests.factories import proposal_data

        cfp.create_proposal(past, proposal_data(past), actor=me, now=datetime(2022, 10, 1, tzinfo=UTC))
        db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/events/past/"' in page
    assert 'href="/events/open/proposals/new"' in _section(page, "open-calls-heading")
