"""A plain REST channel for integrations and tests (service clients only)."""
