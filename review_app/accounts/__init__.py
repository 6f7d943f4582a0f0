"""Accounts: registration, confirmation, login sessions, password reset and the profile."""
