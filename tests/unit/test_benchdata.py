"""The bench data generator (review_app.benchdata): a small custom size has the shape the load test relies on."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from review_app import benchdata
from review_app.accounts.models import User
from review_app.accounts.services import verify_password
from review_app.cfp.models import Proposal, ProposalState
from review_app.db import db
from review_app.events.models import Event
from review_app.review.models import Assignment, Review
from review_app.schedule.models import ScheduleVersion

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


def test_small_bench_size_has_the_promised_shape(app):
    size = benchdata.Size(proposals=12, reviewers=3, scheduled=5, rooms=2, speakers=4, open_per_reviewer=2)
    with app.app_context():
        result = benchdata.build("T", now=NOW, custom=size)
        event = db.session.scalar(select(Event).where(Event.slug == "bench"))
        assert event.cfp_is_open(NOW)
        assert result.slug == "bench" and result.chair == "chair@bench.invalid"
        assert result.sample_speaker == "speaker1@bench.invalid"
        assert result.sample_reviewer == "reviewer1@bench.invalid"
        assert len(result.session_ids) == 5 and result.counts["rooms"] == 2
        states = dict(db.session.execute(select(Proposal.state, func.count()).group_by(Proposal.state)).all())
        assert states[ProposalState.confirmed] == 5 and states[ProposalState.draft] == 4
        assert states[ProposalState.under_review] == 3 and states[ProposalState.rejected] == 4
        assert db.session.scalar(select(func.count()).select_from(ScheduleVersion)) == 1
        speaker = db.session.scalar(select(User).where(User.email == "speaker2@bench.invalid"))
        assert verify_password(speaker, benchdata.PASSWORD)
        drafts = [p for p in db.session.scalars(select(Proposal).where(Proposal.state == ProposalState.draft))
                  if speaker.id in p.speaker_ids()]
        assert len(drafts) == 1
        # every reviewer has an assignment without a review, to score while the review window is open
        for i in range(1, 4):
            reviewer = db.session.scalar(select(User).where(User.email == f"reviewer{i}@bench.invalid"))
            open_ = db.session.scalar(select(func.count()).select_from(Assignment).outerjoin(Review)
                                      .where(Review.id.is_(None), Assignment.reviewer.has(user_id=reviewer.id)))
            assert open_ >= 1
        with pytest.raises(benchdata.BenchRefused, match="freshly migrated"):
            benchdata.build("T", now=NOW, custom=size)
