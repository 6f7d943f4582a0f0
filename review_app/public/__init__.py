"""Public pages: the list of events, each event's call for sessions, the language switch, and the released programme
with its feeds (programme_views)."""
