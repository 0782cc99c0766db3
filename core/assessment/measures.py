"""How each indicator is measured: one grouped SQL aggregate per source table for every department at once (the
warnings in warning_measures.py), and the same conditions again to list, for one department, every case, node, warning, push or rating it counted.

The conditions are written once (``_CaseTerms`` …) and used by both, so an explanation always lists exactly what
the aggregate counted. A measure is (numerator, denominator) per department; indicators.py turns it into a value
and a score. Times are the period's moments [start_at, end_at); node dates are calendar days.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from core.assessment.counted import Counted, Measure, when
from core.assessment.periods import Period
from core.assessment.warning_measures import explain_warnings, warning_measures
from core.cases.models import Case
from core.evaluation.models import Evaluation
from core.major_projects.models import ProjectNode
from core.supervision.models import SupervisionPush

ZERO = Decimal(0)
NEVER = datetime(9999, 12, 31)
SECONDS_PER_DAY = Decimal(86400)


class seconds_between(FunctionElement[float]):
    """Whole seconds from the first moment to the second, the same on SQLite and on MariaDB (times are stored to
    the second)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_default(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"TIMESTAMPDIFF(SECOND, {compiler.process(start, **kw)}, {compiler.process(end, **kw)})"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"ROUND((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400)"


def _days(seconds: Any) -> Decimal:
    return (Decimal(str(seconds or 0)) / SECONDS_PER_DAY).quantize(Decimal("0.01"), ROUND_HALF_UP)


# ---------------------------------------------------------------- cases


class _CaseTerms:
    """The conditions of the three case indicators for one period."""

    def __init__(self, period: Period) -> None:
        start, end = period.start_at, period.end_at
        # "not concluded before the period" as one expression: the cases table is read once, whatever the period
        # (an index on concluded_at fetched most rows one by one for periods a year back; bench/assessment.py)
        self.in_handling = and_(
            Case.due_at.is_not(None),
            Case.accepted_at < end,
            func.coalesce(Case.concluded_at, NEVER) >= start,
        )
        self.concluded = and_(Case.status == "concluded", Case.concluded_at >= start, Case.concluded_at < end)
        self.on_time = and_(self.concluded, Case.concluded_at <= Case.due_at)
        self.overdue = and_(
            Case.due_at < end,
            or_(Case.concluded_at.is_(None), Case.concluded_at > Case.due_at),
        )


def _count(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def case_measures(db: Session, period: Period) -> dict[str, dict[int, Measure]]:
    """按时办结率, 平均办理用时比 and 逾期办件数 of every department, in one pass over the cases in handling."""
    t = _CaseTerms(period)
    used = func.sum(case((t.concluded, seconds_between(Case.accepted_at, Case.concluded_at)), else_=0))
    allowed = func.sum(case((t.concluded, seconds_between(Case.accepted_at, Case.due_at)), else_=0))
    # Grouped by ``department_id + 0``: on SQLite (without ANALYZE statistics) grouping by the indexed column
    # walks ix_case_department_id and fetches every row by its key, 3–4 times slower than reading the table once
    # and grouping the rows the period keeps.
    department = (Case.department_id + 0).label("department_id")
    rows = db.execute(
        select(
            department,
            func.count(),
            _count(t.concluded),
            _count(t.on_time),
            used,
            allowed,
            _count(t.overdue),
        )
        .where(t.in_handling)
        .group_by(department)
    )
    out: dict[str, dict[int, Measure]] = {"case_on_time_rate": {}, "handling_time_ratio": {}, "overdue_count": {}}
    for department_id, handled, concluded, on_time, used_seconds, allowed_seconds, overdue in rows:
        out["case_on_time_rate"][department_id] = (Decimal(on_time or 0), Decimal(concluded or 0))
        used_days, allowed_days = _days(used_seconds), _days(allowed_seconds)
        out["handling_time_ratio"][department_id] = (used_days, allowed_days if concluded else ZERO)
        out["overdue_count"][department_id] = (Decimal(overdue or 0), Decimal(handled or 0))
    return out


def _case_link(case_id: int) -> str:
    return f"/admin/cases/{case_id}"


def explain_cases(db: Session, period: Period, department_id: int, code: str) -> list[Counted]:
    """The cases a case indicator counted for the department, the ones against it first."""
    t = _CaseTerms(period)
    population = {"overdue_count": t.overdue}.get(code, t.concluded)
    rows = db.execute(
        select(Case.id, Case.case_no, Case.accepted_at, Case.due_at, Case.concluded_at, Case.project_name)
        .where(t.in_handling, population, Case.department_id == department_id)
        .order_by(Case.id)
    )
    found = []
    for case_id, number, accepted, due, concluded, project in rows:
        assert isinstance(due, datetime) and isinstance(accepted, datetime)  # in handling: accepted, with a due time
        late = concluded is None or concluded > due
        if code == "overdue_count":
            state = f"于 {when(concluded)} 逾期办结" if concluded else "至今未办结"
            why = f"承诺 {when(due)} 前办结，{state}"
            good = False
        elif code == "handling_time_ratio":
            assert concluded is not None  # the population is the concluded cases
            used = _days(round((concluded - accepted).total_seconds()))
            allowed = _days(round((due - accepted).total_seconds()))
            why = f"受理 {when(accepted)}，办结 {when(concluded)}，用时 {used} 天，承诺用时 {allowed} 天"
            good = used <= allowed
        else:
            why = f"承诺 {when(due)} 前办结，实际 {when(concluded)} 办结，{'超时' if late else '按时'}"
            good = not late
        found.append(Counted("办件", case_id, number, project or "", good, why, _case_link(case_id)))
    return found


# ---------------------------------------------------------------- project nodes


def _node_terms(period: Period) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    due = and_(
        ProjectNode.planned_finish >= period.start,
        ProjectNode.planned_finish <= period.end,
        ProjectNode.state != "skipped",
    )
    on_time = and_(ProjectNode.actual_finish.is_not(None), ProjectNode.actual_finish <= ProjectNode.planned_finish)
    return due, on_time


def node_measures(db: Session, period: Period) -> dict[int, Measure]:
    """项目节点按时完成率 of every department."""
    due, on_time = _node_terms(period)
    rows = db.execute(
        select(ProjectNode.department_id, func.count(), _count(on_time)).where(due).group_by(ProjectNode.department_id)
    )
    return {d: (Decimal(good or 0), Decimal(n)) for d, n, good in rows}


def explain_nodes(db: Session, period: Period, department_id: int) -> list[Counted]:
    """The department's nodes due in the period."""
    due, _ = _node_terms(period)
    rows = db.scalars(
        select(ProjectNode).where(due, ProjectNode.department_id == department_id).order_by(ProjectNode.id)
    )
    found = []
    for node in rows:
        good = (
            node.actual_finish is not None
            and node.planned_finish is not None
            and node.actual_finish <= node.planned_finish
        )
        done = f"实际 {when(node.actual_finish)} 完成" if node.actual_finish else "尚未完成"
        why = f"计划 {when(node.planned_finish)} 完成，{done}"
        project = node.major_project
        found.append(Counted("项目节点", node.id, project.code, f"{project.name}·{node.name}", good, why))
    return found


# ---------------------------------------------------------------- supervision pushes


def _push_terms(period: Period) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    deadline = func.coalesce(SupervisionPush.feedback_due_at, SupervisionPush.claim_due_at)
    due = and_(deadline >= period.start_at, deadline < period.end_at)
    on_time = and_(
        SupervisionPush.fed_back_at.is_not(None),
        SupervisionPush.feedback_due_at.is_not(None),
        SupervisionPush.fed_back_at <= SupervisionPush.feedback_due_at,
    )
    return due, on_time


def push_measures(db: Session, period: Period) -> dict[int, Measure]:
    """监管反馈及时率 of every supervising department."""
    due, on_time = _push_terms(period)
    rows = db.execute(
        select(SupervisionPush.department_id, func.count(), _count(on_time))
        .where(due)
        .group_by(SupervisionPush.department_id)
    )
    return {d: (Decimal(good or 0), Decimal(n)) for d, n, good in rows}


def explain_pushes(db: Session, period: Period, department_id: int) -> list[Counted]:
    """The pushes the department had to feed back in the period."""
    due, _ = _push_terms(period)
    rows = db.execute(
        select(
            SupervisionPush.id,
            SupervisionPush.case_no,
            SupervisionPush.claim_due_at,
            SupervisionPush.feedback_due_at,
            SupervisionPush.fed_back_at,
        )
        .where(due, SupervisionPush.department_id == department_id)
        .order_by(SupervisionPush.id)
    )
    found = []
    for push_id, number, claim_due, feedback_due, fed_back in rows:
        if feedback_due is None:
            why, good = f"认领时限 {when(claim_due)}，至今未认领", False
        else:
            good = fed_back is not None and fed_back <= feedback_due
            answer = f"于 {when(fed_back)} 反馈" if fed_back else "至今未反馈"
            why = f"反馈时限 {when(feedback_due)}，{answer}"
        link = f"/admin/supervision/pushes/{push_id}"
        found.append(Counted("审批推送", push_id, number, "", good, why, link))
    return found


# ---------------------------------------------------------------- bad ratings


def _rating_terms(period: Period) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    due = and_(
        Evaluation.follow_up_status.is_not(None),
        Evaluation.follow_up_due_at >= period.start_at,
        Evaluation.follow_up_due_at < period.end_at,
    )
    on_time = and_(Evaluation.follow_up_at.is_not(None), Evaluation.follow_up_at <= Evaluation.follow_up_due_at)
    return due, on_time


def rating_measures(db: Session, period: Period) -> dict[int, Measure]:
    """差评按时整改率 of every department."""
    due, on_time = _rating_terms(period)
    rows = db.execute(
        select(Evaluation.department_id, func.count(), _count(on_time)).where(due).group_by(Evaluation.department_id)
    )
    return {d: (Decimal(good or 0), Decimal(n)) for d, n, good in rows}


def explain_ratings(db: Session, period: Period, department_id: int) -> list[Counted]:
    """The bad ratings whose follow-up fell due in the period."""
    due, _ = _rating_terms(period)
    rows = db.execute(
        select(Evaluation.id, Evaluation.case_id, Case.case_no, Evaluation.follow_up_due_at, Evaluation.follow_up_at)
        .join(Case, Case.id == Evaluation.case_id)
        .where(due, Evaluation.department_id == department_id)
        .order_by(Evaluation.id)
    )
    found = []
    for rating_id, case_id, number, deadline, answered in rows:
        assert isinstance(deadline, datetime)  # the population has a follow-up deadline in the period
        good = answered is not None and answered <= deadline
        answer = f"于 {when(answered)} 答复" if answered else "至今未答复"
        why = f"整改时限 {when(deadline)}，{answer}"
        found.append(Counted("差评", rating_id, number, "", good, why, _case_link(case_id)))
    return found


# ---------------------------------------------------------------- all of them


def measure_all(db: Session, period: Period, codes: set[str]) -> dict[str, dict[int, Measure]]:
    """Every wanted indicator's measures, by indicator code and department (tables not wanted are not read)."""
    out: dict[str, dict[int, Measure]] = {}
    if codes & {"case_on_time_rate", "handling_time_ratio", "overdue_count"}:
        out |= case_measures(db, period)
    if codes & {"warning_sign_rate", "warning_close_rate"}:
        out |= warning_measures(db, period)
    single: dict[str, Callable[[Session, Period], dict[int, Measure]]] = {
        "node_on_time_rate": node_measures,
        "supervision_feedback_rate": push_measures,
        "bad_rating_follow_up_rate": rating_measures,
    }
    for code, measure in single.items():
        if code in codes:
            out[code] = measure(db, period)
    return {code: found for code, found in out.items() if code in codes}


def explain(db: Session, period: Period, department_id: int, code: str) -> list[Counted]:
    """What the indicator counted for the department, those against it first."""
    if code in ("case_on_time_rate", "handling_time_ratio", "overdue_count"):
        found = explain_cases(db, period, department_id, code)
    elif code in ("warning_sign_rate", "warning_close_rate"):
        found = explain_warnings(db, period, department_id, code)
    elif code == "node_on_time_rate":
        found = explain_nodes(db, period, department_id)
    elif code == "supervision_feedback_rate":
        found = explain_pushes(db, period, department_id)
    else:
        found = explain_ratings(db, period, department_id)
    return sorted(found, key=lambda c: c.good)
