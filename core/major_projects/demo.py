"""Demo major projects: ten projects in every stage — two made from filing projects whose flow the departments
confirmed, eight registered directly — with their nodes planned in working days back from today, the earlier ones
done, some running, one or two stuck past their planned finish, milestones, problems for coordination and a 会商.

Nodes with a catalogue item are filled by real cases registered for the project at the windows (accepted and
concluded by the departments' own staff, each at its moment), the others by the 项目专员 by hand. Dates are
relative to the day of seeding, so warnings have something to find: nodes overdue and nodes due in a day or two.
Runs once: when a major project exists it does nothing.
"""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.audit.context import Actor, acting
from core.calendar.service import add_working_days, working_days_between
from core.cases import service as case_service
from core.cases.schemas import ApplicantIn, MaterialIn, SubmitIn
from core.items.models import ServiceItem
from core.major_projects import coordination, planning, service, tracking
from core.major_projects.demo_data import ISSUES, SPECS, Spec
from core.major_projects.enums import DONE, IN_PROGRESS
from core.major_projects.models import MajorProject, ProjectNode
from core.major_projects.schemas import DecisionIn, IssueIn, MajorProjectIn, MeetingIn, MilestoneIn, NodeIn, NodePatch
from core.org import service as org_service
from core.org.models import User
from core.projects import letters
from core.projects import service as filing_service
from core.projects.models import Project
from core.projects.schemas import ProjectIn
from core.validators import credit_code_check_char

T = TypeVar("T")
TRACKER = ("tracker", "钱专员")
"""The demo's 项目专员 (core/seed/demo.py makes the login)."""


def _at(moment: datetime, user: User, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``action(*args, **kwargs)`` done by ``user`` with the clock at ``moment`` (audited as them)."""
    clock.freeze(moment)
    with acting(Actor(id=user.id, name=user.name, kind="user", ip="10.0.0.1")):
        return action(*args, **kwargs)


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def _credit_code(number: int) -> str:
    first17 = f"91320583MA1XM{number:04d}"
    return first17 + credit_code_check_char(first17)


def _filing_project(db: Session, spec: Spec, number: int) -> Project | None:
    """The confirmed demo filing project of that name; the second one is filed and confirmed here."""
    found = db.scalar(select(Project).where(Project.name == spec.filing, Project.status == filing_service.CONFIRMED))
    if found is not None or number == 1:
        return found
    filer = org_service.get_user_by_login(db=db, login="13800000000")
    if filer is None:
        return None
    from core.projects.demo import DEMO_PROJECTS

    answers = dict(DEMO_PROJECTS[0][3]) | {"total_investment": 3.6e8, "floor_area": 52_000.0, "digs_road": False}
    info = ProjectIn(
        name=spec.filing,
        enterprise_name=spec.enterprise,
        credit_code=_credit_code(900 + number),
        location="经济开发区生物医药产业园8号地块",
        contact_name="李明",
        contact_phone="13800000000",
        indicators=answers,
    )
    project = filing_service.create_project(db, filer, info)
    letters.derive_with_letter(db, filer, project)
    for review in filing_service.send_for_review(db, filer, project):
        officer = org_service.get_user_by_username(db=db, username=f"officer_{review.department.code.lower()}")
        if officer is None:
            return None
        letters.confirm_with_letter(db, officer, review, "经审核，本部门事项及材料清单无误")
    return project


def _register(db: Session, tracker: User, spec: Spec, number: int, today: date) -> MajorProject | None:
    start = add_working_days(today, spec.start) if spec.start > 0 else _back(today, -spec.start)
    registered = _moment(min(start - timedelta(days=7), today - timedelta(days=3)), 9, 30)
    filing = _filing_project(db, spec, number) if spec.filing else None
    if spec.filing and filing is None:
        return None
    lead = org_service.get_department_by_code(db=db, code=spec.lead)
    leader = org_service.get_user_by_username(db=db, username="leader")
    if lead is None:
        return None
    data = MajorProjectIn(
        name=spec.name,
        category=spec.category,
        stage=spec.stage,
        project_id=filing.id if filing else None,
        enterprise_name=spec.enterprise,
        credit_code=filing.credit_code if filing else _credit_code(number),
        location=filing.location
        if filing
        else f"经济开发区{['星湖街', '金鸡湖大道', '东环路', '青丘街'][number % 4]}{60 + number}号",
        investment=Decimal(spec.investment),
        lead_department_id=lead.id,
        leader_id=leader.id if leader else None,
        officer_id=tracker.id,
        planned_start=start,
        planned_finish=start + timedelta(days=540),
    )
    project = _at(registered, tracker, service.create, db, tracker, data)
    previous: list[str] = []
    for name, code, limit in spec.nodes:
        department = org_service.get_department_by_code(db=db, code=code)
        item = db.scalar(select(ServiceItem).where(ServiceItem.name == name))
        if department is None:
            continue
        node_in = NodeIn(
            name=name,
            department_id=department.id,
            service_item_id=item.id if item else None,
            stage=_stage_of(name),
            depends_on=previous[-1:],
            time_limit_days=limit,
        )
        node = _at(registered, tracker, tracking.add_node, db, tracker, project, node_in)
        previous.append(node.approval_code)
    _at(registered, tracker, tracking.plan, db, tracker, project, start)
    return project


def _back(day: date, working_days: int) -> date:
    """The working day ``working_days`` before ``day``."""
    back = day
    while working_days_between(back, day) < working_days:
        back -= timedelta(days=1)
    return planning.first_working_day(back)


def _stage_of(name: str) -> str:
    if any(word in name for word in ("核实", "竣工", "排水")):
        return "completion"
    if any(word in name for word in ("施工", "消防", "道路", "桥梁", "树木")):
        return "construction"
    if "工程规划" in name or "人防" in name:
        return "engineering"
    return "land_planning"


def _play_nodes(db: Session, tracker: User, project: MajorProject, spec: Spec, today: date, rng: random.Random) -> None:
    """Carries each node as far as today allows, in order: done (a day early, on time or a little late), running,
    or waiting; a real case does it where the node has a catalogue item."""
    finished: dict[str, date] = {}
    for node in planning.in_order(project.nodes):
        if node.planned_start is None or node.planned_finish is None:
            continue
        after = [finished[d] for d in node.depends_on if d in finished]
        if len(after) < len([d for d in node.depends_on if d in {n.approval_code for n in project.nodes}]):
            continue  # a prerequisite is still open
        begin = max([node.planned_start, *(add_working_days(d, 1) for d in after)])
        if begin > today:
            continue
        end = add_working_days(begin, max(node.time_limit_days - 1, 0) + rng.choice([-1, 0, 0, 0, 1, 2]))
        end = max(end, begin)
        done = end < today and node.name not in spec.stuck
        if _by_case(db, project, node, begin, end if done else None, today):
            pass
        else:
            patch = NodePatch(
                actual_start=begin, actual_finish=end if done else None, state=DONE if done else IN_PROGRESS
            )
            _at(_moment(today, 8), tracker, tracking.update_node, db, tracker, project, node, patch)
        if done:
            finished[node.approval_code] = end


def _by_case(db: Session, project: MajorProject, node: ProjectNode, begin: date, end: date | None, today: date) -> bool:
    """A case registered for the project at the node's department's window, accepted on ``begin`` and (when ``end``)
    concluded with the licence on ``end``: the events fill the node. False when the node has no plain item."""
    item = db.get(ServiceItem, node.service_item_id) if node.service_item_id else None
    if item is None or item.case_type not in (1, 2) or item.joint_route or not item.is_published:
        return False
    code = node.department.code.lower()
    clerk = org_service.get_user_by_username(db=db, username=f"clerk_{code}")
    officer = org_service.get_user_by_username(db=db, username=f"officer_{code}")
    if clerk is None or officer is None:
        return False
    applicant = ApplicantIn(
        kind="enterprise",
        name=project.enterprise_name,
        id_number=project.credit_code,
        phone="0512-57861234",
        address=project.location,
        legal_representative="王建华",
        contact_name="李明",
    )
    data = SubmitIn(
        service_item_id=item.id,
        applicant=applicant,
        project_name=project.name,
        materials=[MaterialIn(item_material_id=m.id, paper=True) for m in item.materials],
        major_project_id=project.id,
    )

    def register() -> Any:
        return case_service.register_at_window(db, clerk, data)  # the link is checked by the case service

    case = _at(_moment(begin, 9), clerk, register).case
    _at(_moment(begin, 9, 30), clerk, case_service.accept, db, clerk, case)
    if end is not None:
        if item.case_type == 2:
            _at(_moment(end, 10), officer, case_service.review, db, officer, case, agree=True, opinion="符合条件")
            _at(_moment(end, 11), officer, case_service.decide, db, officer, case, agree=True, opinion="同意")
        _at(_moment(end, 15), officer, case_service.conclude, db, officer, case, result=0)
    clock.freeze(_moment(today, 8))
    case_service.refresh_time_state(case, clock.now())
    db.flush()
    db.refresh(node)
    return True


def _milestones(db: Session, tracker: User, project: MajorProject, spec: Spec, today: date) -> None:
    for kind, planned, reached in spec.milestones:
        data = MilestoneIn(
            kind=kind,
            planned_finish=today + timedelta(days=planned),
            actual_finish=today + timedelta(days=reached) if reached is not None else None,
        )
        _at(_moment(today, 8), tracker, tracking.add_milestone, db, tracker, project, data)


def _issues(db: Session, tracker: User, projects: dict[int, MajorProject], today: date) -> None:
    for number, title, text, codes, raised_ago, due_in, replies, closing in ISSUES:
        project = projects.get(number)
        departments = [org_service.get_department_by_code(db=db, code=c) for c in codes]
        if project is None or None in departments:
            continue
        raised = _moment(today - timedelta(days=raised_ago), 10)
        data = IssueIn(
            title=title,
            description=text,
            department_ids=[d.id for d in departments if d is not None],
            due_on=today + timedelta(days=due_in),
            raised_by_name=f"{project.enterprise_name} 项目负责人",
        )
        issue = _at(raised, tracker, coordination.raise_issue, db, tracker, project, data)
        for offset, (code, body) in enumerate(replies, start=1):
            officer = org_service.get_user_by_username(db=db, username=f"officer_{code.lower()}")
            if officer is not None:
                at = raised + timedelta(days=offset)
                _at(at, officer, coordination.reply, db, officer, project, issue, body)
        if closing:
            at = raised + timedelta(days=len(replies) + 2)
            _at(at, tracker, coordination.close, db, tracker, project, issue, closing)


def _meeting(db: Session, tracker: User, project: MajorProject, today: date) -> None:
    held = today - timedelta(days=7)
    codes = {c: org_service.get_department_by_code(db=db, code=c) for c in ("D03", "D04")}
    data = MeetingIn(
        held_on=held,
        topic="施工许可并联推进会商",
        host_name="王建国",
        participants="经济发展局、自然资源和规划分局、规划建设局、生态环境分局，项目单位",
        summary="会议听取了项目审批进展，研究了环评批复滞后和施工图审查的问题，明确各部门完成时限。",
        decisions=[
            DecisionIn(content="出具建设工程规划许可证", department_id=codes["D03"].id if codes["D03"] else None,
                       owner_name="规划科", due_on=held + timedelta(days=5)),
            DecisionIn(content="完成消防设计审查并出具意见", department_id=codes["D04"].id if codes["D04"] else None,
                       owner_name="消防审查科", due_on=held + timedelta(days=5)),
            DecisionIn(content="补齐施工图审查合格书", owner_name="项目单位 李明", due_on=today + timedelta(days=5)),
        ],
    )  # fmt: skip
    meeting = _at(_moment(held, 17), tracker, coordination.record_meeting, db, tracker, project, data)
    first = meeting.decisions[0]
    _at(
        _moment(today, 8), tracker, coordination.mark_decision, db, tracker, project, first.id, held + timedelta(days=3)
    )


def seed(db: Session, rng: random.Random | None = None, progress: Callable[[str, int, int], None] | None = None) -> int:
    """The ten demo projects (once); the number made."""
    rng = rng or random.Random(2026)
    if db.scalar(select(func.count()).select_from(MajorProject)):
        return 0
    tracker = org_service.get_user_by_username(db=db, username=TRACKER[0])
    if tracker is None or org_service.get_user_by_username(db=db, username="leader") is None:
        return 0  # no demo people to work with
    today = clock.today()
    made: dict[int, MajorProject] = {}
    try:
        with acting(Actor(id=None, name="演示数据", kind="system")):
            for number, spec in enumerate(SPECS, start=1):
                project = _register(db, tracker, spec, number, today)
                if project is None:
                    continue
                _play_nodes(db, tracker, project, spec, today, rng)
                _milestones(db, tracker, project, spec, today)
                made[number] = project
                db.commit()
                if progress:
                    progress("重大项目", number, len(SPECS))
            _issues(db, tracker, made, today)
            if 1 in made:
                _meeting(db, tracker, made[1], today)
        db.commit()
    finally:
        clock.freeze(None)
    return len(made)
