"""Audit: every write by a person or a service leaves a record (who, what, when, before/after)."""
