"""What the warnings announce as domain events (core/events), for the notification senders to render.

- ``warning.raised``: a subject turned yellow or red; the responsible department's handlers (warning.handle)
  get it in the inbox and as a WeCom card with a 签收 button;
- ``warning.escalated``: a red warning stayed red past the escalation threshold; the department is told, and
  the project's responsible leader; the centre's leaders read it in their morning digest;
- ``warning.digest``: one message listing warnings — a leader's morning digest of the day's red warnings, or a
  department's list when one scan raised more for it than :data:`core.early_warnings.scan.CARDS_PER_DEPARTMENT`.
Facts only; no personal data.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.early_warnings.models import EarlyWarning
from core.early_warnings.states import LEVEL_LABELS, RED, STATE_LABELS
from core.events.kinds import EventKind, WarningDigestFacts, WarningEscalated, WarningLine, WarningRaised
from core.events.models import DomainEvent
from core.events.service import Recipient, publish
from core.major_projects.models import MajorProject
from core.org.models import Department, User
from core.org.permissions import DataScope, Permission
from core.settings import get_settings
from core.warning_settings.thresholds import KIND_LABELS, SubjectKind

DIGEST_LINES = 10
"""Warnings named one by one in a digest; the rest are counted."""


def warning_url(warning_id: int) -> str:
    """The warning's page in the admin site."""
    return get_settings().site_url(f"/admin/warnings/{warning_id}")


def list_url(query: str = "") -> str:
    """The warning list in the admin site, with filters."""
    return get_settings().site_url(f"/admin/warnings{query}")


def _minutes(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def project_names(db: Session, ids: set[int | None]) -> dict[int, str]:
    """Major projects' names by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.execute(select(MajorProject.id, MajorProject.name).where(MajorProject.id.in_(wanted)))
    return {project_id: name for project_id, name in rows}


def facts(warning: EarlyWarning, project_name: str) -> dict[str, Any]:
    """The facts every warning event carries (the fields of ``WarningFacts``)."""
    return {
        "warning_id": warning.id,
        "subject_kind": warning.subject_kind,
        "subject_label": KIND_LABELS.get(SubjectKind(warning.subject_kind), warning.subject_kind),
        "subject_id": warning.subject_id,
        "level": warning.level,
        "level_label": LEVEL_LABELS.get(warning.level, warning.level),
        "title": warning.title,
        "department_id": warning.department_id,
        "department_name": warning.department.name,
        "major_project_id": warning.major_project_id,
        "project_name": project_name,
        "due_on": warning.due_on.isoformat(),
        "raised_at": _minutes(warning.raised_at),
        "url": warning_url(warning.id),
    }


def handlers(department_id: int) -> Recipient:
    """The responsible department's staff who sign for its warnings."""
    return Recipient(department_id=department_id, permission=Permission.WARNING_HANDLE, role="handler")


def leaders(db: Session) -> list[User]:
    """Who gets the morning digest: holders of warning.manage and the centre's leaders (staff who read
    statistics across all departments), as for supervision's second-level escalations."""
    staff = db.scalars(select(User).where(User.is_staff.is_(True), User.is_active.is_(True)).order_by(User.id))
    return [
        u
        for u in staff
        if Permission.WARNING_MANAGE in u.permissions
        or (Permission.STATS_READ in u.permissions and u.data_scope == DataScope.ALL)
    ]


def raised(db: Session, warning: EarlyWarning, situation: str, project_name: str) -> DomainEvent:
    """A new warning, to the responsible department's handlers."""
    payload = WarningRaised(**facts(warning, project_name), situation=situation)
    return publish(
        db, EventKind.WARNING_RAISED, payload, subject=f"warning:{warning.id}", to=[handlers(warning.department_id)]
    )


def escalated(db: Session, warning: EarlyWarning, days: int, project_name: str, leader_id: int | None) -> DomainEvent:
    """A red warning escalated: the department is told, and the project's responsible leader."""
    payload = WarningEscalated(
        **facts(warning, project_name),
        overdue_days=days,
        state_label=STATE_LABELS.get(warning.state, warning.state),
        escalated_at=_minutes(warning.escalated_at),
    )
    to = [handlers(warning.department_id)]
    if leader_id is not None:
        to.append(Recipient(user_id=leader_id, role="leader"))
    return publish(db, EventKind.WARNING_ESCALATED, payload, subject=f"warning:{warning.id}", to=to)


def line(warning: EarlyWarning) -> WarningLine:
    """A warning as one line of a digest."""
    return WarningLine(
        warning_id=warning.id,
        title=warning.title,
        level_label=LEVEL_LABELS.get(warning.level, warning.level),
        department_name=warning.department.name,
        due_on=warning.due_on.isoformat(),
        state_label=STATE_LABELS.get(warning.state, warning.state),
        escalated=warning.escalated_at is not None,
    )


class Tally(NamedTuple):
    """How many warnings a digest stands for, by level, and how many of them are escalated."""

    total: int
    red: int
    yellow: int
    escalated: int


class Brief(NamedTuple):
    """What a scan knows of a warning it announces without reading it back."""

    department_id: int
    level: str
    due_on: date
    escalated: bool


def urgency(level: str, due_on: date, warning_id: int) -> tuple[bool, date, int]:
    """The order of a digest: red first, then the earliest due."""
    return level != RED, due_on, warning_id


def digest(
    db: Session,
    shown: Sequence[EarlyWarning],
    tally: Tally,
    *,
    audience: str,
    day: date,
    to: Recipient,
    department: Department | None = None,
) -> DomainEvent:
    """One message standing for ``tally`` warnings and naming the most urgent (``shown``, at most
    :data:`DIGEST_LINES`): a leader's digest or a department's list."""
    ordered = sorted(shown, key=lambda w: urgency(w.level, w.due_on, w.id))[:DIGEST_LINES]
    query = f"?department_id={department.id}&state=live" if department is not None else "?level=red&state=live"
    payload = WarningDigestFacts(
        audience=audience,
        day=day.isoformat(),
        department_id=department.id if department is not None else None,
        department_name=department.name if department is not None else "",
        total=tally.total,
        red=tally.red,
        yellow=tally.yellow,
        escalated=tally.escalated,
        lines=[line(w) for w in ordered],
        url=list_url(query),
    )
    who = f"user:{to.user_id}" if to.user_id is not None else f"department:{to.department_id}"
    return publish(db, EventKind.WARNING_DIGEST, payload, subject=f"warnings:{who}:{day.isoformat()}", to=[to])


def _load(db: Session, ids: Sequence[int]) -> list[EarlyWarning]:
    found: list[EarlyWarning] = []
    for start in range(0, len(ids), 1000):
        query = select(EarlyWarning).where(EarlyWarning.id.in_(ids[start : start + 1000])).order_by(EarlyWarning.id)
        found += db.scalars(query)
    return found


def announce(
    db: Session,
    *,
    new: dict[int, str],
    escalations: dict[int, int],
    briefs: dict[int, Brief],
    at: datetime,
    per_department: int,
) -> int:
    """Publishes a scan round's news: a card per warning, or one list for a department that got more than
    ``per_department`` of them at once. ``new`` maps a new warning to its situation in words, ``escalations`` an
    escalated one to its working days overdue, ``briefs`` each to what a list counts (so that a list of thousands
    reads back only the few it names). Returns how many events were published."""
    by_department: dict[int, list[int]] = defaultdict(list)
    for warning_id in sorted({*new, *escalations}):
        by_department[briefs[warning_id].department_id].append(warning_id)
    published = 0
    for department_id, ids in sorted(by_department.items()):
        if len(ids) > per_department:
            mine = [briefs[i] for i in ids]
            red = sum(b.level == RED for b in mine)
            tally = Tally(len(ids), red, len(ids) - red, sum(b.escalated for b in mine))
            first = sorted(ids, key=lambda i: urgency(briefs[i].level, briefs[i].due_on, i))[:DIGEST_LINES]
            department = db.get(Department, department_id)
            to = handlers(department_id)
            digest(db, _load(db, first), tally, audience="department", day=at.date(), to=to, department=department)
            published += 1
            continue
        warnings = _load(db, ids)
        names = project_names(db, {w.major_project_id for w in warnings})
        owners = {w.major_project_id for w in warnings if w.major_project_id}
        project_leaders = {
            project_id: leader_id
            for project_id, leader_id in db.execute(
                select(MajorProject.id, MajorProject.leader_id).where(MajorProject.id.in_(owners))
            )
        }
        for warning in warnings:
            project = names.get(warning.major_project_id or 0, "")
            if warning.id in new:
                raised(db, warning, new[warning.id], project)
            else:
                leader = project_leaders.get(warning.major_project_id or 0)
                escalated(db, warning, escalations[warning.id], project, leader)
            published += 1
    return published
