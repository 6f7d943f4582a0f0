"""Tells the event's configuration pages which proposals still use a session format, a theme or an audience."""
from __future__ import annotations

from flask_babel import ngettext
from sqlalchemy import or_, select

from ..db import db
from ..events.models import Audience, SessionFormat, Theme
from ..events.services import USE_FINDERS, name_list
from .models import Proposal


def proposals_using(item) -> list[str]:
    if isinstance(item, SessionFormat):
        condition = Proposal.format_id == item.id
    elif isinstance(item, Theme):
        condition = or_(Proposal.main_theme_id == item.id, Proposal.further_themes.any(Theme.id == item.id))
    elif isinstance(item, Audience):
        condition = Proposal.audiences.any(Audience.id == item.id)
    else:
        return []
    titles = list(db.session.scalars(select(Proposal.title).where(condition).order_by(Proposal.id)))
    if not titles:
        return []
    return [ngettext("Used by %(num)d proposal: %(names)s.", "Used by %(num)d proposals: %(names)s.", len(titles),
                     names=name_list(titles))]


USE_FINDERS.append(proposals_using)
