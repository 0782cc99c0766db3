"""A small centre with a November 2026 worked out by hand: the cases, warnings, project nodes, supervision pushes and
bad ratings of departments A (城市管理局) and B (生态环境分局); C (消防救援大队) has nothing in November.

Every time is written out so that the tests' hand calculations can be checked against this file line by line.
The clock stands at 2026-12-05 (the period has ended).
"""

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core import clock
from core.cases.models import Applicant, Case
from core.early_warnings.models import EarlyWarning
from core.evaluation.models import Evaluation
from core.major_projects.models import MajorProject, ProjectNode
from core.org import service as org_service
from core.security import keyed_hash
from core.seed.demo import DEMO_PASSWORD
from core.supervision.models import SupervisionPush
from tests.fakes.fixtures import fake_wecom  # noqa: F401  (the fake WeCom API, for the push tests)
from tests.web.conftest import browser  # noqa: F401  (the page tests log in through the real form)
from tests.world import World

NOW = datetime(2026, 12, 5, 10, 0)
PERIOD = "2026-11"

ALL_EIGHT = [
    "case_on_time_rate",
    "handling_time_ratio",
    "overdue_count",
    "warning_sign_rate",
    "warning_close_rate",
    "node_on_time_rate",
    "supervision_feedback_rate",
    "bad_rating_follow_up_rate",
]
S1 = dict(zip(ALL_EIGHT, [30, 10, 10, 10, 10, 10, 10, 10], strict=True))
"""The first scheme: the on-time rate weighs 30, the seven others 10 each."""
S2 = dict(zip(ALL_EIGHT, [5, 5, 5, 5, 5, 5, 65, 5], strict=True))
"""The weights changed: supervision feedback weighs 65, the seven others 5 each."""


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of 2026."""
    return datetime(2026, month, day, hour, minute)


class Plant:
    """Writes the fixture's rows straight into the tables (the measures read only these columns)."""

    def __init__(self, db: Session, world: World) -> None:
        self.db, self.world, self.n = db, world, 0
        self.applicant = Applicant(
            kind="personal", name="测试申请人", id_number="110105194912310029", id_index=keyed_hash("t"), phone="1"
        )
        db.add(self.applicant)
        db.flush()

    def case(self, department_id: int, accepted: datetime, due: datetime, concluded: datetime | None) -> Case:
        self.n += 1
        row = Case(
            case_no=f"KF2026{self.n:04d}",
            service_item_id=self.world.item.id,
            department_id=department_id,
            applicant_id=self.applicant.id,
            project_name=f"测试办件{self.n}",
            case_type=2,
            submit_channel=0,
            status="concluded" if concluded else "processing",
            current_step="conclude" if concluded else "review",
            promised_limit=5,
            limit_unit="工作日",
            submitted_at=accepted,
            accepted_at=accepted,
            due_at=due,
            concluded_at=concluded,
        )
        self.db.add(row)
        self.db.flush()
        return row

    def warning(
        self,
        department_id: int,
        raised: datetime,
        *,
        signed: datetime | None = None,
        closed: datetime | None = None,
        ended: datetime | None = None,
    ) -> EarlyWarning:
        self.n += 1
        state = "closed" if closed else "ended" if ended else "signed" if signed else "open"
        row = EarlyWarning(
            subject_kind="case",
            subject_id=self.n,
            level="yellow",
            state=state,
            department_id=department_id,
            title=f"测试预警{self.n}",
            due_on=raised.date(),
            raised_at=raised,
            signed_at=signed,
            closed_at=closed,
            ended_at=ended,
        )
        self.db.add(row)
        self.db.flush()
        return row

    def project(self) -> MajorProject:
        row = MajorProject(
            code="ZD2026-001",
            name="测试重大项目",
            category="industry",
            stage="approval",
            lead_department_id=self.world.dept_a.id,
        )
        self.db.add(row)
        self.db.flush()
        return row

    def node(
        self, project: MajorProject, department_id: int, planned: date, actual: date | None, state: str = ""
    ) -> ProjectNode:
        self.n += 1
        row = ProjectNode(
            major_project_id=project.id,
            approval_code=f"N{self.n}",
            name=f"审批节点{self.n}",
            department_id=department_id,
            planned_finish=planned,
            actual_finish=actual,
            state=state or ("done" if actual else "in_progress"),
        )
        self.db.add(row)
        self.db.flush()
        return row

    def push(
        self,
        source: Case,
        department_id: int,
        *,
        claim_due: datetime,
        feedback_due: datetime | None,
        fed_back: datetime | None,
    ) -> SupervisionPush:
        row = SupervisionPush(
            case_id=source.id,
            service_item_id=self.world.item.id,
            approving_department_id=source.department_id,
            department_id=department_id,
            case_no=source.case_no,
            holder_name="测试主体",
            result=[],
            status="fed_back" if fed_back else "claimed" if feedback_due else "pushed",
            pushed_at=at(10, 20),
            claim_days=3,
            feedback_days=20,
            claim_due_at=claim_due,
            feedback_due_at=feedback_due,
            fed_back_at=fed_back,
        )
        self.db.add(row)
        self.db.flush()
        return row

    def bad_rating(self, case: Case, due: datetime, answered: datetime | None) -> Evaluation:
        row = Evaluation(
            case_id=case.id,
            level=1,
            comment="办理太慢",
            channel="web",
            department_id=case.department_id,
            follow_up_status="answered" if answered else "pending",
            follow_up_due_at=due,
            follow_up_at=answered,
        )
        self.db.add(row)
        self.db.flush()
        return row


@pytest.fixture
def november(world: World, db: Session) -> Iterator[dict[str, Any]]:
    """The November fixture; yields the rows the tests name (e.g. ``rows["a2"]``)."""
    plant = Plant(db, world)
    a, b, c = world.dept_a.id, world.dept_b.id, world.dept_c.id
    rows: dict[str, Any] = {}
    # ---- A's cases (accepted → promised → concluded)
    rows["a1"] = plant.case(a, at(11, 2), at(11, 9), at(11, 5))  # 3 of 7 days: on time
    rows["a2"] = plant.case(a, at(11, 3), at(11, 10), at(11, 12))  # 9 of 7 days: late (overdue)
    rows["a3"] = plant.case(a, at(11, 10), at(11, 17), at(11, 14))  # 4 of 7 days: on time
    rows["a4"] = plant.case(a, at(11, 20), at(11, 27), None)  # still open, past due: overdue
    rows["a5"] = plant.case(a, at(10, 20), at(10, 27), at(10, 30))  # concluded in October: not counted
    rows["a6"] = plant.case(a, at(12, 1), at(12, 8), None)  # accepted in December: not counted
    # ---- B's cases
    rows["b1"] = plant.case(b, at(11, 2), at(11, 4), at(11, 3))  # 1 of 2 days: on time
    rows["b2"] = plant.case(b, at(11, 5), at(11, 7), at(11, 6, 21))  # 1.5 of 2 days: on time
    # ---- C's cases, all of September (only the sources of B's pushes)
    sources = [plant.case(c, at(9, d), at(9, d + 7), at(9, d + 2)) for d in (1, 2, 3)]
    # ---- A's warnings; the sign deadline is 17:30 of the next working day
    rows["w1"] = plant.warning(a, at(11, 2, 10), signed=at(11, 3), closed=at(11, 10))  # Mon → Tue 17:30: in time
    rows["w2"] = plant.warning(a, at(11, 6, 10), signed=at(11, 10))  # Fri → Mon 11-09 17:30: late; not closed
    rows["w3"] = plant.warning(a, at(11, 16, 10), ended=at(11, 16, 15))  # ended unsigned, before its deadline
    # ---- A's project nodes
    project = plant.project()
    rows["n1"] = plant.node(project, a, date(2026, 11, 10), date(2026, 11, 9))  # on time
    rows["n2"] = plant.node(project, a, date(2026, 11, 20), date(2026, 11, 25))  # late
    rows["n3"] = plant.node(project, a, date(2026, 11, 25), None)  # not done
    rows["n4"] = plant.node(project, a, date(2026, 11, 15), None, state="skipped")  # 不涉及: not counted
    rows["n5"] = plant.node(project, a, date(2026, 12, 5), None)  # due in December: not counted
    # ---- pushes B must feed back
    rows["p1"] = plant.push(sources[0], b, claim_due=at(10, 23), feedback_due=at(11, 10, 17, 30), fed_back=at(11, 9))
    rows["p2"] = plant.push(sources[1], b, claim_due=at(10, 23), feedback_due=at(11, 20, 17, 30), fed_back=None)
    rows["p3"] = plant.push(sources[2], b, claim_due=at(11, 25, 17, 30), feedback_due=None, fed_back=None)
    # ---- A's bad ratings
    rows["r1"] = plant.bad_rating(rows["a1"], at(11, 13, 17, 30), at(11, 12))  # answered in time
    rows["r2"] = plant.bad_rating(rows["a2"], at(11, 20, 17, 30), at(11, 23))  # answered late
    for username, department in (("officer_b", b),):
        user = org_service.create_user(
            db=db,
            username=username,
            name="吴环保",
            password=DEMO_PASSWORD,
            role_codes=["officer"],
            department_id=department,
        )
        world.users[username] = user
        world.tokens[username] = org_service.issue_token(db=db, user=user, name="test")
    db.commit()
    clock.freeze(NOW)
    yield rows


def scheme(
    client: TestClient, world: World, weights: dict[str, int], name: str = "部门进度考核（月度）"
) -> dict[str, Any]:
    """An administrator saves a monthly scheme through the API."""
    body = {
        "name": name,
        "period_kind": "month",
        "indicators": [{"code": k, "weight": v} for k, v in weights.items()],
    }
    response = client.post("/api/v1/assessment/schemes", json=body, headers=world.auth("admin"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def compute(client: TestClient, world: World, scheme_id: int, period: str = PERIOD) -> dict[str, Any]:
    """An administrator computes the period's draft through the API."""
    response = client.post(
        "/api/v1/assessment/assessments", json={"scheme_id": scheme_id, "period": period}, headers=world.auth("admin")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def post(client: TestClient, world: World, path: str, who: str = "admin", **body: Any) -> Any:
    """A POST to /api/v1/assessment as ``who``; the raw response."""
    return client.post(f"/api/v1/assessment{path}", json=body or None, headers=world.auth(who))


def table(assessment: dict[str, Any]) -> dict[str, tuple[float | None, int | None, dict[str, float | None]]]:
    """department name → (total, rank, indicator → score), as the API answers."""
    return {
        r["department_name"]: (r["total"], r["rank"], {s["indicator"]: s["score"] for s in r["scores"]})
        for r in assessment["results"]
    }
