"""Review: reviewers, conflicts of interest, assignment, reviews, ranking, decisions and their release."""

from . import queries as _queries  # noqa: F401 - registers the conflicts of interest with cfp's committee pages
