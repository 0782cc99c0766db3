"""Statistics (4.8.3) of the projects a user reaches, with the register's filters: by project stage, by category,
by department and by month.

- by stage and by category: projects, total investment (万元), their nodes (skipped ones left out), nodes done,
  done on time (by the planned finish), overdue (open past the planned finish), milestones reached;
- by department: the nodes each department owns, counted the same way, and how many projects they belong to;
- by month: nodes done and done on time, and milestones reached, in the month they were; projects by the month
  they were registered.
The page, the API and the Excel export show the same figures.
"""

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy.orm import Session

from core.clock import today
from core.major_projects import planning
from core.major_projects.enums import CATEGORY_LABELS, DONE, SKIPPED, STAGE_LABELS
from core.major_projects.models import MajorProject, ProjectNode
from core.major_projects.schemas import MajorProjectStats, MajorProjectStatsRow
from core.major_projects.service import ProjectFilter, filtered, require_reader
from core.org.models import User


def _count_nodes(row: MajorProjectStatsRow, nodes: Iterable[ProjectNode], day: date) -> None:
    for node in nodes:
        if node.state == SKIPPED:
            continue
        row.nodes += 1
        if node.state == DONE:
            row.nodes_done += 1
            row.done_on_time += not planning.node_overdue(node, day)
        elif planning.node_overdue(node, day):
            row.overdue += 1


def _project_row(project: MajorProject, day: date) -> MajorProjectStatsRow:
    """One project's own figures, counted once and added to every group it belongs to."""
    row = MajorProjectStatsRow(key=str(project.id), label=project.name, projects=1, investment=project.investment)
    _count_nodes(row, project.nodes, day)
    row.milestones_reached = sum(m.actual_finish is not None for m in project.milestones)
    return row


def _add(row: MajorProjectStatsRow, figures: MajorProjectStatsRow) -> None:
    for key in ("projects", "investment", "nodes", "nodes_done", "done_on_time", "overdue", "milestones_reached"):
        setattr(row, key, getattr(row, key) + getattr(figures, key))


def _group(
    projects: list[tuple[MajorProject, MajorProjectStatsRow]],
    key_of: Callable[[MajorProject], str],
    labels: dict[str, str],
) -> list[MajorProjectStatsRow]:
    rows = {key: MajorProjectStatsRow(key=key, label=label) for key, label in labels.items()}
    for project, figures in projects:
        key = key_of(project)
        _add(rows.setdefault(key, MajorProjectStatsRow(key=key, label=key)), figures)
    return list(rows.values())


def _by_department(projects: list[MajorProject], day: date) -> list[MajorProjectStatsRow]:
    rows: dict[int, MajorProjectStatsRow] = {}
    members: dict[int, set[int]] = {}
    for project in projects:
        for node in project.nodes:
            row = rows.setdefault(
                node.department_id, MajorProjectStatsRow(key=str(node.department_id), label=node.department.name)
            )
            _count_nodes(row, [node], day)
            members.setdefault(node.department_id, set()).add(project.id)
    for department_id, row in rows.items():
        row.projects = len(members[department_id])
    return sorted(rows.values(), key=lambda r: (-r.nodes, r.label))


def _month(row_of: Callable[[str], MajorProjectStatsRow], day: date | None) -> MajorProjectStatsRow | None:
    return row_of(f"{day:%Y-%m}") if day is not None else None


def _by_month(projects: list[MajorProject], day: date) -> list[MajorProjectStatsRow]:
    rows: dict[str, MajorProjectStatsRow] = {}

    def row_of(key: str) -> MajorProjectStatsRow:
        return rows.setdefault(key, MajorProjectStatsRow(key=key, label=f"{key[:4]}年{key[5:]}月"))

    for project in projects:
        row_of(f"{project.created_at:%Y-%m}").projects += 1
        for node in project.nodes:
            if node.state == DONE and (row := _month(row_of, node.actual_finish)) is not None:
                row.nodes_done += 1
                row.done_on_time += not planning.node_overdue(node, day)
        for milestone in project.milestones:
            if (row := _month(row_of, milestone.actual_finish)) is not None:
                row.milestones_reached += 1
    return sorted(rows.values(), key=lambda r: r.key)


def statistics(db: Session, user: User | None, f: ProjectFilter) -> MajorProjectStats:
    """The figures of the projects the user reaches that pass the filters."""
    reader = require_reader(user)
    projects = list(db.scalars(filtered(reader, f).order_by(MajorProject.code)))
    day = today()
    counted = [(project, _project_row(project, day)) for project in projects]
    total = MajorProjectStatsRow(key="total", label="合计")
    for _, figures in counted:
        _add(total, figures)
    return MajorProjectStats(
        total=total,
        by_stage=_group(counted, lambda p: p.stage, STAGE_LABELS),
        by_category=_group(counted, lambda p: p.category, CATEGORY_LABELS),
        by_department=_by_department(projects, day),
        by_month=_by_month(projects, day),
    )
