"""The project page's Gantt-style timeline, laid out on the server: every node and milestone as a row with its
planned bar and its actual bar (done, or running until today), month ticks and a line for today.

Positions are percentages of the time span, so the chart is plain HTML and CSS (web/templates/admin/major_projects/
_timeline.html); on a phone it scrolls sideways inside its own box while the page does not.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.major_projects import planning
from core.major_projects.enums import DONE, IN_PROGRESS, SKIPPED
from core.major_projects.models import MajorProject, Milestone, ProjectNode

MARGIN_DAYS = 3
"""Room before the first and after the last date, so that bars do not touch the edges."""


@dataclass(frozen=True)
class Bar:
    """A span on the chart, in percent of its width."""

    left: float
    width: float
    title: str


@dataclass
class Row:
    """One line of the chart: a node or a milestone."""

    label: str
    detail: str
    kind: str  # node / milestone
    state: str  # done / running / late / waiting / skipped — the actual bar's colour
    planned: Bar | None = None
    actual: Bar | None = None
    marks: list[Bar] = field(default_factory=list)  # a milestone's planned and reached days


@dataclass
class Timeline:
    """The chart: its rows, month ticks (left %, label) and today's position (None when outside)."""

    start: date
    end: date
    rows: list[Row]
    ticks: list[tuple[float, str]]
    today: float | None


def _dates(nodes: Iterable[ProjectNode], milestones: Iterable[Milestone], today: date) -> list[date]:
    found = [today]
    for node in nodes:
        found += [d for d in (node.planned_start, node.planned_finish, node.actual_start, node.actual_finish) if d]
    for milestone in milestones:
        found += [
            d
            for d in (
                milestone.planned_start,
                milestone.planned_finish,
                milestone.actual_start,
                milestone.actual_finish,
            )
            if d
        ]
    return found


class _Scale:
    def __init__(self, start: date, end: date) -> None:
        self.start, self.days = start, (end - start).days + 1

    def at(self, day: date) -> float:
        return round(100 * (day - self.start).days / self.days, 2)

    def bar(self, first: date, last: date, title: str) -> Bar:
        width = max(100 * ((last - first).days + 1) / self.days, 0.8)
        return Bar(self.at(first), round(width, 2), title)


def _ticks(scale: _Scale, start: date, end: date) -> list[tuple[float, str]]:
    months = (end.year - start.year) * 12 + end.month - start.month
    step = 1 if months <= 14 else 3 if months <= 42 else 12
    ticks: list[tuple[float, str]] = []  # (left %, label); a label near the right edge hangs to the left
    day = date(start.year, start.month, 1)
    while day <= end:
        if day >= start and (day.month - 1) % step == 0:
            ticks.append(
                (scale.at(day), f"{day.year}年{day.month}月" if day.month == 1 or not ticks else f"{day.month}月")
            )
        day = (day + timedelta(days=32)).replace(day=1)
    return ticks


def _node_row(node: ProjectNode, scale: _Scale, today: date) -> Row:
    late = planning.node_overdue(node, today)
    state = {DONE: "late" if late else "done", IN_PROGRESS: "late" if late else "running", SKIPPED: "skipped"}.get(
        node.state, "late" if late else "waiting"
    )
    row = Row(label=node.name, detail=node.department.short_name or node.department.name, kind="node", state=state)
    if node.planned_start and node.planned_finish:
        row.planned = scale.bar(
            node.planned_start, node.planned_finish, f"计划 {node.planned_start}～{node.planned_finish}"
        )
    if node.actual_start:
        last = node.actual_finish or today
        words = (
            f"实际 {node.actual_start}～{node.actual_finish}" if node.actual_finish else f"{node.actual_start} 起办理中"
        )
        row.actual = scale.bar(node.actual_start, max(last, node.actual_start), words)
    return row


def _milestone_row(milestone: Milestone, scale: _Scale, today: date) -> Row:
    late = planning.milestone_overdue(milestone, today)
    reached = milestone.actual_finish is not None
    state = ("late" if late else "done") if reached else ("late" if late else "waiting")
    row = Row(label=milestone.name, detail="里程碑", kind="milestone", state=state)
    if milestone.planned_start:
        row.planned = scale.bar(
            milestone.planned_start,
            milestone.planned_finish,
            f"计划 {milestone.planned_start}～{milestone.planned_finish}",
        )
    row.marks.append(Bar(scale.at(milestone.planned_finish), 0, f"计划 {milestone.planned_finish}"))
    if milestone.actual_finish:
        row.marks.append(Bar(scale.at(milestone.actual_finish), 0, f"实际 {milestone.actual_finish}"))
    return row


def build(project: MajorProject, today: date) -> Timeline | None:
    """The project's chart; None while no node or milestone has a date."""
    nodes = sorted(project.nodes, key=lambda n: (n.planned_start or date.max, n.position, n.id))
    dates = _dates(nodes, project.milestones, today)
    if len(dates) == 1:
        return None
    start, end = min(dates) - timedelta(days=MARGIN_DAYS), max(dates) + timedelta(days=MARGIN_DAYS)
    scale = _Scale(start, end)
    rows = [_node_row(n, scale, today) for n in nodes]
    rows += [_milestone_row(m, scale, today) for m in sorted(project.milestones, key=lambda m: m.planned_finish)]
    return Timeline(start, end, rows, _ticks(scale, start, end), scale.at(today) if start <= today <= end else None)
