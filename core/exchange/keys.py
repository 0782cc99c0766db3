"""The idempotency key of an exchange record: the same (counterpart, kind, local id, direction) always gives the same
key, so whoever stages a record — the real-time path, the nightly batch, a replay — names it alike."""

import hashlib


def idempotency_key(counterpart: str, kind: str, local_id: str, direction: str) -> str:
    """64 hex characters (SHA-256 of the four parts)."""
    return hashlib.sha256(f"{counterpart}|{kind}|{local_id}|{direction}".encode()).hexdigest()


def wire_key(key: str, version: int) -> str:
    """What the counterpart deduplicates on: the record's key and its version (a new version is an update)."""
    return f"{key}.{version}"
