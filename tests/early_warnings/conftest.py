"""A world with major projects: officers of A and B (warning.handle), a 项目专员 (warning.manage), and helpers that
make projects, nodes, milestones and issues straight in the database (their own service is another domain's),
scan at a fixed moment and read the warnings back."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.early_warnings import scheduled
from core.early_warnings.models import EarlyWarning
from core.early_warnings.scan import Round
from core.major_projects.models import CoordinationIssue, IssueDepartment, MajorProject, Milestone, ProjectNode
from core.org import service as org_service
from core.org.models import Department
from core.seed.demo import DEMO_PASSWORD
from core.warning_settings.models import WarningSetting
from tests.world import World


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of 2026 (the 中秋 + 国庆 holidays: 9/25–9/27 and 10/1–10/7 off, Sunday 9/20 and Saturday 10/10
    worked)."""
    return datetime(2026, month, day, hour, minute)


@pytest.fixture
def projects(world: World, db: Session) -> World:
    """The world with an officer of B and a 项目专员 (tracker), each with an API token."""
    for username, name, role, department in (
        ("officer_b", "吴环保", "officer", world.dept_b.id),
        ("tracker", "周专员", "tracker", None),
    ):
        user = org_service.create_user(
            db=db, username=username, name=name, password=DEMO_PASSWORD, role_codes=[role], department_id=department
        )
        world.users[username] = user
        world.tokens[username] = org_service.issue_token(db=db, user=user, name="test")
    db.commit()
    return world


def project(
    db: Session, department: Department, name: str = "新能源电池产业园", leader_id: int | None = None
) -> MajorProject:
    """An active major project led by ``department``."""
    count = len(db.scalars(select(MajorProject.id)).all())
    made = MajorProject(
        code=f"ZD2026-{count + 1:03d}",
        name=name,
        category="industry",
        stage="approval",
        status="active",
        lead_department_id=department.id,
        leader_id=leader_id,
        investment=Decimal("50000"),
    )
    db.add(made)
    db.flush()
    return made


def node(
    db: Session, owner: MajorProject, department: Department, finish: date, name: str = "建设工程规划许可"
) -> ProjectNode:
    """A pending approval node of the project, due on ``finish``."""
    made = ProjectNode(
        major_project_id=owner.id,
        approval_code=f"A{db.scalar(select(func.count()).select_from(ProjectNode)) or 0}",
        name=name,
        department_id=department.id,
        planned_finish=finish,
        state="pending",
        depends_on=[],
    )
    db.add(made)
    db.flush()
    return made


def milestone(db: Session, owner: MajorProject, finish: date, department: Department | None = None) -> Milestone:
    """A milestone (开工) of the project, due on ``finish``."""
    made = Milestone(
        major_project_id=owner.id,
        kind="groundbreaking",
        name="开工",
        planned_finish=finish,
        department_id=department.id if department else None,
    )
    db.add(made)
    db.flush()
    return made


def issue(db: Session, owner: MajorProject, due: date, *departments: Department) -> CoordinationIssue:
    """A coordination issue of the project asking ``departments``, due on ``due``."""
    made = CoordinationIssue(major_project_id=owner.id, title="临时用电接入", due_on=due, status="open")
    made.departments = [IssueDepartment(department_id=d.id) for d in departments]
    db.add(made)
    db.flush()
    return made


def set_thresholds(db: Session, kind: str, yellow: int, escalate: int, department: Department | None = None) -> None:
    """Stores a setting straight in the table (the API's checks are tested on their own)."""
    db.add(
        WarningSetting(
            subject_kind=kind,
            department_id=department.id if department else None,
            yellow_days=yellow,
            escalate_days=escalate,
            is_enabled=True,
        )
    )
    db.commit()


def scan_at(moment: datetime) -> Round:
    """One scan with the clock at ``moment``."""
    clock.freeze(moment)
    return scheduled.scan(moment)


def warnings(db: Session, **where: Any) -> list[EarlyWarning]:
    """The stored warnings, oldest first, read afresh."""
    db.rollback()
    db.expire_all()
    query = select(EarlyWarning).filter_by(**where).order_by(EarlyWarning.id)
    return list(db.scalars(query))
