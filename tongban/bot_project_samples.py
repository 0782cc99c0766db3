"""The sample filers of "我的项目到哪一步了" (GET /my/projects) for the bot contract (tongban/bot_contract.py).

Three channel users, each answer captured as the bot gets it:
- ``one``: one project, filed through the bot, confirmed by the departments and tracked as a major project whose
  nodes are in every state on the day asked (1 December 2026): done on time, done late, running past its plan,
  ready to start (its prerequisite done), waiting for prerequisites; milestones reached and to come;
- ``several``: a tracked project just started, a project in department review and a draft;
- ``none``: no project at all.

The filers file through the API as the bot does (service token, channel user); the departments confirm and the
项目专员 registers and tracks through the core's services, each at its own moment (the clock frozen), so that two
captures on fresh databases give the same answers.
"""

from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.major_projects import service as major_service
from core.major_projects import tracking
from core.major_projects.models import MajorProject
from core.major_projects.schemas import MajorProjectIn, MilestoneIn, NodePatch
from core.org import service as org_service
from core.org.models import Department, User
from core.projects import letters
from core.projects import service as filing_service
from core.projects.models import Project

FILERS = {
    "one": "wechat:oBotProjectOne0001",
    "several": "wechat:oBotProjectMany001",
    "none": "wechat:oBotNoProject0001",
}
LETTER_CODES = ("P3K8M2R6", "P3K8M2R7", "P3K8M2R8", "P3K8M2R9")
"""Letters' verification codes are random; the captured answers carry these in their place, in order of issue."""

MOMENTS = {
    "filed": datetime(2026, 11, 10, 9, 0),
    "confirmed": datetime(2026, 11, 13, 15, 0),
    "tracked": datetime(2026, 11, 16, 9, 0),
    "eia_accepted": datetime(2026, 11, 18, 10, 0),
    "land_granted": datetime(2026, 11, 25, 16, 0),
    "second_tracked": datetime(2026, 11, 23, 9, 0),
    "second_started": datetime(2026, 11, 24, 10, 0),
    "asked": datetime(2026, 12, 1, 10, 0),
}
"""The first project planned from Monday 16 November; asked on Tuesday 1 December."""


class Api(Protocol):
    """The bot's calls of the real API, as a given channel user (tongban/bot_contract.py)."""

    def call(self, method: str, path: str, body: Any = None, channel_user: bool | str = True) -> tuple[int, Any]: ...


def _as(api: Api, who: str, method: str, path: str, body: Any = None) -> Any:
    status, answer = api.call(method, path, body, channel_user=who)
    if status >= 400:
        raise RuntimeError(f"{method} {path} as {who}: {status} {answer}")
    return answer


def _user(db: Session, username: str, name: str, role: str, department_id: int | None = None) -> User:
    found = org_service.get_user_by_username(db=db, username=username)
    if found is not None:
        return found
    return org_service.create_user(
        db=db,
        username=username,
        name=name,
        password="Sample-Password-2026!",
        role_codes=[role],
        department_id=department_id,
    )


def _filed(api: Api, who: str, name: str, facts: dict[str, Any], answers: dict[str, Any], upto: str) -> int:
    """A project filed through the bot and taken to ``upto`` (draft, derived or in_review)."""
    created = _as(api, who, "POST", "/projects", {"name": name})
    if upto == "draft":
        return int(created["id"])
    _as(api, who, "PATCH", f"/projects/{created['id']}", {**facts, "name": name, "indicators": answers})
    _as(api, who, "POST", f"/projects/{created['id']}/derive")
    if upto == "in_review":
        _as(api, who, "POST", f"/projects/{created['id']}/review")
    return int(created["id"])


def _confirmed(db: Session, project_id: int) -> None:
    """Every reviewing department confirms (an officer of each); the last one issues the final letter."""
    db.expire_all()
    project = db.get_one(Project, project_id)
    derivation = filing_service.latest_derivation(db, project)
    assert derivation is not None
    for review in derivation.reviews:
        officer = _user(
            db, f"sample_reviewer_{review.department.code}".lower(), "样例审核员", "officer", review.department_id
        )
        letters.confirm_with_letter(db, officer, review, "同意")
    db.commit()


def _tracked(db: Session, tracker: User, project_id: int, start: date) -> MajorProject:
    lead = db.scalar(select(Department).where(Department.name.contains("经济发展局")))
    assert lead is not None
    data = MajorProjectIn(
        category="industry",
        stage="approval",
        project_id=project_id,
        lead_department_id=lead.id,
        officer_id=tracker.id,
        investment=8000,
        planned_start=start,
    )
    project = major_service.create(db, tracker, data)
    db.commit()
    return project


def _record(db: Session, tracker: User, project: MajorProject, code: str, **dates: date) -> None:
    node = next(n for n in project.nodes if n.approval_code == code)
    tracking.update_node(db, tracker, project, node, NodePatch.model_validate(dates))
    db.commit()


def seed_filers(api: Api, db: Session, facts: dict[str, Any], answers: dict[str, Any]) -> None:
    """The three filers' projects, made at their moments."""
    tracker = _user(db, "sample_tracker", "陈专员", "tracker")
    db.commit()  # (SQLite: the API's own sessions write next)
    clock.freeze(MOMENTS["filed"])
    one = _filed(api, FILERS["one"], "恒创精密零部件生产基地", facts, answers, "in_review")
    second = _filed(api, FILERS["several"], "恒创智能装备产业园二期", facts, answers, "in_review")
    _filed(api, FILERS["several"], "恒创研发中心", facts, answers, "in_review")
    _filed(api, FILERS["several"], "恒创员工宿舍楼", facts, answers, "draft")
    clock.freeze(MOMENTS["confirmed"])
    _confirmed(db, one)
    _confirmed(db, second)

    # the first: 备案 on time, 用地规划许可 a little late, 环评 running, then replanned from the actual dates
    clock.freeze(MOMENTS["tracked"])
    first = _tracked(db, tracker, one, date(2026, 11, 16))
    _record(db, tracker, first, "enterprise_filing", actual_start=date(2026, 11, 16), actual_finish=date(2026, 11, 16))
    reached = MilestoneIn(kind="land", planned_finish=date(2026, 11, 13), actual_finish=date(2026, 11, 12))
    tracking.add_milestone(db, tracker, first, reached)
    for kind, planned in (("groundbreaking", date(2026, 12, 31)), ("topping_out", date(2027, 8, 31))):
        tracking.add_milestone(db, tracker, first, MilestoneIn(kind=kind, planned_finish=planned))
    db.commit()
    clock.freeze(MOMENTS["eia_accepted"])
    _record(db, tracker, first, "eia_report_form", actual_start=date(2026, 11, 18))
    clock.freeze(MOMENTS["land_granted"])
    _record(db, tracker, first, "land_use_permit", actual_start=date(2026, 11, 17), actual_finish=date(2026, 11, 25))
    tracking.plan(db, tracker, first, date(2026, 11, 16))
    db.commit()

    # the second: 备案 done, 环评 and 用地规划许可 running
    clock.freeze(MOMENTS["second_tracked"])
    other = _tracked(db, tracker, second, date(2026, 11, 23))
    _record(db, tracker, other, "enterprise_filing", actual_start=date(2026, 11, 23), actual_finish=date(2026, 11, 23))
    clock.freeze(MOMENTS["second_started"])
    _record(db, tracker, other, "eia_report_form", actual_start=date(2026, 11, 24))
    _record(db, tracker, other, "land_use_permit", actual_start=date(2026, 11, 24))


def _codes_hidden(value: Any, codes: dict[str, str]) -> Any:
    if isinstance(value, str):
        for real, shown in codes.items():
            value = value.replace(real, shown)
        return value
    if isinstance(value, list):
        return [_codes_hidden(v, codes) for v in value]
    if isinstance(value, dict):
        return {k: _codes_hidden(v, codes) for k, v in value.items()}
    return value


def capture_filers(api: Api) -> dict[str, Any]:
    """What GET /my/projects answers each sample filer on the day asked."""
    clock.freeze(MOMENTS["asked"])
    answers = {name: _as(api, who, "GET", "/my/projects") for name, who in FILERS.items()}
    shown = [row["letter"]["pdf_url"].split("/")[-2] for name in FILERS for row in answers[name] if row["letter"]]
    if len(shown) > len(LETTER_CODES):
        raise RuntimeError("more letters than LETTER_CODES")
    codes = dict(zip(shown, LETTER_CODES, strict=False))  # in the order shown: filers, then their rows
    return {name: {"channel_user": FILERS[name], "answer": _codes_hidden(answers[name], codes)} for name in FILERS}
