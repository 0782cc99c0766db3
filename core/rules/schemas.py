"""The rule-set API's shapes."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class VersionOut(BaseModel):
    """A rule-set version."""

    version: int
    status: str
    status_label: str
    note: str
    based_on: int | None
    created_at: datetime
    published_at: datetime | None
    rule_count: int
    document: dict[str, Any] | None = None
