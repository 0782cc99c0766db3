"""The rule-set API's shapes."""

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel

from core.rules.enums import STATUS_LABELS
from core.rules.models import RuleSetVersion


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

    @classmethod
    def from_model(cls, version: RuleSetVersion, *, with_document: bool = False) -> Self:
        """A version for the API and the pages; its rules themselves only ``with_document``."""
        return cls(
            version=version.version,
            status=version.status,
            status_label=STATUS_LABELS[version.status],
            note=version.note,
            based_on=version.based_on,
            created_at=version.created_at,
            published_at=version.published_at,
            rule_count=len(version.document.get("rules", [])),
            document=version.document if with_document else None,
        )
