"""The demo has ten major projects in every stage, nodes done by real cases, running, overdue and due soon,
milestones, problems in every state and a 会商 — so that `scripts/run.sh` shows tracking and warnings at work."""

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.calendar.service import add_working_days
from core.cases.models import Case
from core.clock import today
from core.major_projects import demo as major_demo
from core.major_projects.models import CoordinationIssue, MajorProject, Meeting, Milestone, ProjectNode
from core.seed import demo


def test_the_demo_has_ten_projects_in_every_stage_with_work_to_warn_about(db: Session) -> None:
    demo.seed_all(db, cases=60, seed=5)
    projects = list(db.scalars(select(MajorProject)))
    assert len(projects) == 10
    assert {p.stage for p in projects} == {"preparation", "approval", "construction", "completed", "operating"}
    assert sum(p.project_id is not None for p in projects) == 2
    nodes = list(db.scalars(select(ProjectNode)))
    states = {s: sum(n.state == s for n in nodes) for s in ("pending", "in_progress", "done")}
    assert all(states.values()), states
    day = today()
    overdue = [
        n for n in nodes if n.state in ("pending", "in_progress") and n.planned_finish and n.planned_finish < day
    ]
    soon = add_working_days(day, 2)
    due_soon = [n for n in nodes if n.state == "in_progress" and n.planned_finish and day <= n.planned_finish <= soon]
    assert overdue and due_soon, (len(overdue), len(due_soon))
    by_case = [n for n in nodes if n.case_id is not None]
    assert len(by_case) >= 5
    for node in by_case:
        case = db.get(Case, node.case_id)
        assert case is not None and case.major_project_id == node.major_project_id
        assert node.actual_start == case.accepted_at.date()
        if node.state == "done":
            assert node.actual_finish == case.concluded_at.date()
    assert db.scalar(select(func.count()).select_from(Milestone)) >= 15
    statuses = set(db.scalars(select(CoordinationIssue.status)))
    assert statuses == {"open", "replied", "closed"}
    late_issue = db.scalar(select(CoordinationIssue).where(CoordinationIssue.due_on < day))
    assert late_issue is not None
    meeting = db.scalar(select(Meeting))
    assert meeting is not None and len(meeting.decisions) == 3
    assert sum(d.done_on is not None for d in meeting.decisions) == 1
    assert all(p.created_at.date() <= day for p in projects)
    assert min(p.created_at.date() for p in projects) < day - timedelta(days=60)
    assert major_demo.seed(db) == 0  # a second run keeps what is there
    assert date.today()  # the clock runs again
