"""Reviewing: the reviewer's page (assignments and reviews arrive with the review package's next step)."""
