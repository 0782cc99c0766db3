"""Reading the thresholds: one query per subject kind gives the default and every department's own row.

A department without its own row follows the default row; a kind without a default row (an empty table, as
in a fresh test database) follows :data:`DEFAULTS`, which are also the rows migration 0017 seeds. A disabled
setting raises no warnings for its departments, while the case time state still uses its yellow threshold.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.calendar.service import WARNING_WORKING_DAYS
from core.warning_settings.models import WarningSetting


class SubjectKind(StrEnum):
    """What a warning can be about."""

    CASE = "case"
    NODE = "node"
    MILESTONE = "milestone"
    ISSUE = "issue"


KIND_LABELS = {
    SubjectKind.CASE: "办件",
    SubjectKind.NODE: "审批节点",
    SubjectKind.MILESTONE: "里程碑",
    SubjectKind.ISSUE: "协调问题",
}


@dataclass(frozen=True)
class Thresholds:
    """Yellow when ``yellow_days`` working days or less are left; escalated to the leaders once the subject has
    been red (overdue) for ``escalate_days`` whole working days."""

    yellow_days: int
    escalate_days: int
    enabled: bool = True


DEFAULTS: dict[SubjectKind, Thresholds] = {
    SubjectKind.CASE: Thresholds(WARNING_WORKING_DAYS, 3),
    SubjectKind.NODE: Thresholds(3, 5),
    SubjectKind.MILESTONE: Thresholds(10, 10),
    SubjectKind.ISSUE: Thresholds(2, 3),
}
"""The built-in defaults (the case's is the threshold the calendar always had: 2 working days)."""


@dataclass(frozen=True)
class KindThresholds:
    """One kind's thresholds: the default and the departments that have their own."""

    kind: SubjectKind
    default: Thresholds
    departments: Mapping[int, Thresholds] = field(default_factory=dict)

    def of(self, department_id: int | None) -> Thresholds:
        """The thresholds a department follows."""
        if department_id is None:
            return self.default
        return self.departments.get(department_id, self.default)

    @property
    def widest_yellow(self) -> int:
        """The largest yellow threshold in force: subjects due further ahead than that are normal everywhere."""
        return max(t.yellow_days for t in (self.default, *self.departments.values()))


def for_kind(db: Session, kind: SubjectKind) -> KindThresholds:
    """The kind's thresholds as stored now."""
    rows = db.execute(
        select(
            WarningSetting.department_id,
            WarningSetting.yellow_days,
            WarningSetting.escalate_days,
            WarningSetting.is_enabled,
        ).where(WarningSetting.subject_kind == kind.value)
    ).all()
    default = DEFAULTS[kind]
    departments: dict[int, Thresholds] = {}
    for department_id, yellow, escalate, enabled in rows:
        if department_id is None:
            default = Thresholds(yellow, escalate, enabled)
        else:
            departments[department_id] = Thresholds(yellow, escalate, enabled)
    return KindThresholds(kind, default, departments)


def case_warning_days(db: Session, department_id: int) -> int:
    """The case threshold of a department: 预警 when this many working days or less are left."""
    rows = db.execute(
        select(WarningSetting.department_id, WarningSetting.yellow_days).where(
            WarningSetting.subject_kind == SubjectKind.CASE.value,
            (WarningSetting.department_id == department_id) | WarningSetting.department_id.is_(None),
        )
    ).all()
    own = [days for dept, days in rows if dept == department_id]
    default = [days for dept, days in rows if dept is None]
    return (own or default or [DEFAULTS[SubjectKind.CASE].yellow_days])[0]
