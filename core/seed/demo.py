"""Seeds demo data that looks real: departments, ≥45 service items with full guides, roles, staff of
several departments, and cases in every status spread over the past year.

Cases are made by the same service calls the windows use, with the clock set to each moment, so their
steps, time limits and audit records are what real handling would leave.
"""

import json
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.assessment import demo as assessment_demo
from core.audit.context import Actor, acting
from core.calendar.service import add_working_days, is_working_day
from core.cases import service as case_service
from core.cases.models import Case
from core.cases.schemas import ApplicantIn, MaterialIn, SubmitIn
from core.early_warnings import demo as warning_demo
from core.evaluation import demo as evaluation_demo
from core.exchange import demo as exchange_demo
from core.figures import demo as figures_demo
from core.guidance import demo as guidance_demo
from core.items import demo as item_demo
from core.items import service as item_service
from core.items.enums import CaseType
from core.items.models import ServiceItem
from core.items.schemas import ItemIn
from core.major_projects import demo as major_project_demo
from core.org import service as org_service
from core.org.models import Department, Role, User
from core.org.permissions import DataScope, Permission
from core.projects import demo as project_demo
from core.projects import rule_updates
from core.seed import windows as demo_windows
from core.supervision import demo as supervision_demo
from core.topics import service as topic_service
from core.validators import credit_code_check_char, id_number_check_char

DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "Demo@2026tb"


@dataclass(frozen=True)
class RoleSpec:
    """A built-in role."""

    code: str
    name: str
    scope: DataScope
    permissions: tuple[Permission, ...]
    description: str


P = Permission
ROLES = [
    RoleSpec(
        "admin",
        "系统管理员",
        DataScope.ALL,
        tuple(p for p in P if p not in (P.CASE_APPLY, P.PROJECT_FILE, P.SECURITY_MANAGE, P.AUDIT_READ)),
        "管理部门、用户（分配业务角色、解锁账号）、事项（三员分立：不分配三员角色，不看审计日志）",
    ),
    RoleSpec(
        "security",
        "安全管理员",
        DataScope.ALL,
        (P.SECURITY_MANAGE,),
        "分配角色与权限、安全设置（三员分立：不能给自己授权）",
    ),
    RoleSpec("auditor", "审计员", DataScope.ALL, (P.AUDIT_READ,), "查看和导出审计日志（三员分立：只读）"),
    RoleSpec("helper", "帮办员", DataScope.ALL, (P.GUIDANCE_SERVE,), "接待分配给本人的帮办预约、填写服务情况"),
    RoleSpec("desk", "导办人员", DataScope.ALL, (P.CONVERSATION_DESK,), "导办台：接待未涉及具体部门办件的转人工咨询"),
    RoleSpec(
        "leader",
        "中心领导",
        DataScope.ALL,
        (
            P.CASE_READ,
            P.CASE_HANDLE,
            P.CASE_DECIDE,
            P.STATS_READ,
            P.PROJECT_READ,
            P.MAJOR_PROJECT_READ,
            P.ASSESSMENT_READ,
        ),
        "查看全部办件、项目、重大项目和考核，可签批决定",
    ),
    RoleSpec(
        "clerk",
        "窗口受理人员",
        DataScope.DEPARTMENT,
        (P.CASE_READ, P.CASE_HANDLE, P.CASE_REGISTER),
        "本部门窗口登记、受理、补正告知（不能决定、办结）",
    ),
    RoleSpec(
        "officer",
        "审批人员",
        DataScope.DEPARTMENT,
        (
            P.CASE_READ,
            P.CASE_HANDLE,
            P.CASE_DECIDE,
            P.STATS_READ,
            P.PROJECT_READ,
            P.PROJECT_REVIEW,
            P.SUPERVISION_HANDLE,
            P.MAJOR_PROJECT_READ,
            P.WARNING_HANDLE,
            P.ASSESSMENT_READ,
        ),
        "本部门办件审查、决定、办结，审核确认本部门的报建流程事项，认领审批推送并反馈监管结果，签收处理本部门预警",
    ),
    RoleSpec(
        "guide",
        "报建专员",
        DataScope.ALL,
        (P.PROJECT_READ, P.PROJECT_GUIDE),
        "确认和补填项目指标、推演流程、发起部门审核、出具指导意见书",
    ),
    RoleSpec(
        "tracker",
        "项目专员",
        DataScope.ALL,
        (P.PROJECT_READ, P.MAJOR_PROJECT_READ, P.MAJOR_PROJECT_MANAGE, P.WARNING_MANAGE, P.STATS_READ),
        "登记和跟踪重大项目、协调问题、记录会商，预警设置与销警",
    ),
    RoleSpec("editor", "知识库编辑", DataScope.ALL, (P.KNOWLEDGE_EDIT,), "编写咨询问答、法规、政策、百科，提交审核"),
    RoleSpec("reviewer", "知识库审核", DataScope.ALL, (P.KNOWLEDGE_EDIT, P.KNOWLEDGE_REVIEW), "审核并发布知识库内容"),
    RoleSpec(
        "citizen", "办事群众/企业", DataScope.OWN, (P.CASE_APPLY, P.PROJECT_FILE), "网上申报、查看本人办件、报建申报"
    ),
    RoleSpec("service", "服务客户端", DataScope.ALL, (P.SERVICE_CLIENT, P.CASE_READ), "机器人动作服务器等系统调用"),
]


def load(name: str) -> Any:
    """Reads one of the seed data files."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def ensure_roles(db: Session) -> None:
    """Creates the built-in roles that are missing."""
    for spec in ROLES:
        if org_service.get_role_by_code(db=db, code=spec.code) is None:
            db.add(
                Role(
                    code=spec.code,
                    name=spec.name,
                    data_scope=spec.scope.value,
                    permissions=sorted(p.value for p in spec.permissions),
                    description=spec.description,
                )
            )
    db.flush()


def seed_departments(db: Session) -> dict[str, Department]:
    """Creates the centre's departments."""
    out: dict[str, Department] = {}
    for order, row in enumerate(load("departments.json"), start=1):
        department = org_service.get_department_by_code(db=db, code=row["code"])
        if department is None:
            department = Department(
                sort_order=order,
                **{k: row.get(k, "") for k in ("code", "name", "short_name", "phone", "windows", "credit_code")},
            )
            db.add(department)
        out[row["code"]] = department
    db.flush()
    return out


def seed_items(db: Session, departments: dict[str, Department]) -> list[ServiceItem]:
    """Creates the service items with their guides."""
    items = []
    for row in load("items.json"):
        existing = db.scalar(select(ServiceItem).where(ServiceItem.code == row["code"]))
        if existing is not None:
            if not existing.aliases and row.get("aliases"):
                existing.aliases = list(row["aliases"])  # a database seeded before item aliases existed
            items.append(existing)
            continue
        data = dict(row)
        data["department_id"] = departments[data.pop("department_code")].id
        items.append(item_service.save(db, None, ItemIn.model_validate(data)))
    return items


@dataclass
class Staff:
    """Demo logins printed for the newcomer."""

    username: str
    name: str
    role: str
    department: str


def _user(db: Session, username: str, name: str, roles: list[str], department: Department | None) -> User:
    user = org_service.get_user_by_username(db=db, username=username)
    if user is None:
        user = org_service.create_user(
            db=db,
            username=username,
            name=name,
            password=DEMO_PASSWORD,
            role_codes=roles,
            department_id=department.id if department else None,
        )
    return user


BOT_USERNAME = "bot"


def ensure_bot_user(db: Session) -> User:
    """The service account the bot's action server calls /api/v1 with (tokens only; its password is random)."""
    user = org_service.get_user_by_username(db=db, username=BOT_USERNAME)
    if user is None:
        user = org_service.create_user(
            db=db,
            username=BOT_USERNAME,
            name="智能客服机器人",
            password=secrets.token_urlsafe(24) + "Aa1!",
            role_codes=["service"],
        )
    return user


def seed_people(
    db: Session, departments: dict[str, Department], items: list[ServiceItem], rng: random.Random
) -> list[Staff]:
    """Creates the admin, a leader, a clerk and an officer for every department with items (an officer for every
    department that co-reviews a 联办件), and a citizen."""
    names = load("people.json")
    logins = [Staff("admin", "系统管理员", "系统管理员", "")]
    _user(db, "admin", "系统管理员", ["admin"], None)
    _user(db, "security", "郑安全", ["security"], None)
    logins.append(Staff("security", "郑安全", "安全管理员", ""))
    _user(db, "auditor", "钱审计", ["auditor"], None)
    logins.append(Staff("auditor", "钱审计", "审计员", ""))
    _user(db, "leader", "王建国", ["leader"], None)
    logins.append(Staff("leader", "王建国", "中心领导", "全部"))
    _user(db, "editor", "陈编辑", ["editor"], None)
    _user(db, "reviewer", "林审核", ["reviewer"], None)
    _user(db, "guide", "周专员", ["guide"], departments.get("D35"))
    _user(db, "desk", "吴导办", ["desk"], None)
    _user(db, major_project_demo.TRACKER[0], major_project_demo.TRACKER[1], ["tracker"], departments.get("D35"))
    ensure_bot_user(db)
    logins += [
        Staff("editor", "陈编辑", "知识库编辑", ""),
        Staff("reviewer", "林审核", "知识库审核", ""),
        Staff("guide", "周专员", "报建专员", "企业服务中心"),
        Staff("desk", "吴导办", "导办人员", ""),
        Staff(major_project_demo.TRACKER[0], major_project_demo.TRACKER[1], "项目专员", "企业服务中心"),
    ]
    with_items = sorted({i.department_id for i in items})
    for department in departments.values():
        if department.id not in with_items:
            continue
        code = department.code.lower()
        for role, label in (("clerk", "窗口受理人员"), ("officer", "审批人员")):
            person = rng.choice(names["surnames"]) + rng.choice(names["given_names"])
            _user(db, f"{role}_{code}", person, [role], department)
            logins.append(Staff(f"{role}_{code}", person, label, department.name))
    for clerk, department in demo_windows.seat(db, names, DEMO_PASSWORD):  # the clerks at their windows
        logins.append(Staff(clerk.username, clerk.name, "窗口受理人员", department.name))
    # A 联办件's co-reviewing department records its part itself (never another account on its behalf), so the
    # departments that only co-review get an officer too.
    co_reviewing = {code for i in items for stage in i.joint_route for code in stage}
    for department in departments.values():
        if department.id in with_items or department.code not in co_reviewing:
            continue
        code = department.code.lower()
        person = rng.choice(names["surnames"]) + rng.choice(names["given_names"])
        _user(db, f"officer_{code}", person, ["officer"], department)
        logins.append(Staff(f"officer_{code}", person, "审批人员", department.name))
    if org_service.get_user_by_login(db=db, login="13800000000") is None:
        org_service.register_citizen(db=db, phone="13800000000", name="李明", password=DEMO_PASSWORD)
    logins.append(Staff("13800000000", "李明", "办事群众", ""))
    return logins


def random_id_number(rng: random.Random) -> str:
    """A valid-looking resident ID number (Suzhou area code, correct check digit)."""
    born = datetime(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 48))
    first17 = f"320583{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_number_check_char(first17)


def random_credit_code(rng: random.Random) -> str:
    """A unified social credit code with a correct check character."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = "91320583" + "".join(rng.choice(chars) for _ in range(9))
    return first17 + credit_code_check_char(first17)


def _working_moment(day: datetime, rng: random.Random) -> datetime:
    d = day.date()
    while not is_working_day(d):
        d += timedelta(days=1)
    return datetime.combine(d, time(9)) + timedelta(minutes=rng.randrange(0, 7 * 60))


class CaseFactory:
    """Makes demo cases through the real service calls at chosen moments."""

    def __init__(self, db: Session, items: list[ServiceItem], rng: random.Random) -> None:
        self.db, self.items, self.rng = db, items, rng
        self.names = load("people.json")
        self.staff: dict[tuple[int, str], User] = {}
        self.clerks: dict[int, list[User]] = {}  # a department's window clerks, whom its cases alternate between
        for user in db.scalars(select(User).where(User.is_staff.is_(True)).order_by(User.id)):
            for role in user.roles:
                if user.department_id:
                    self.staff[(user.department_id, role.code)] = user
                    if role.code == "clerk":
                        self.clerks.setdefault(user.department_id, []).append(user)
        self.made = 0
        self.leader = org_service.get_user_by_username(db=db, username="leader")
        self.citizen = org_service.get_user_by_login(db=db, login="13800000000")
        self.people: list[ApplicantIn] = [self._applicant() for _ in range(120)]

    def _applicant(self) -> ApplicantIn:
        rng, names = self.rng, self.names
        road = f"{rng.choice(names['roads'])}{rng.randrange(1, 999)}号"
        if rng.random() < 0.55:
            name = rng.choice(names["enterprise_names"])
            return ApplicantIn(
                kind="enterprise",
                name=name,
                id_number=random_credit_code(rng),
                phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
                address=road,
                legal_representative=rng.choice(names["surnames"]) + rng.choice(names["given_names"]),
                contact_name=rng.choice(names["surnames"]) + rng.choice(names["given_names"]),
            )
        return ApplicantIn(
            kind="personal",
            name=rng.choice(names["surnames"]) + rng.choice(names["given_names"]),
            id_number=random_id_number(rng),
            phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            address=road,
        )

    def _opinion(self, kind: str) -> str:
        return str(self.rng.choice(self.names["opinions"][kind]))

    def _handler(self, case: Case, role: str) -> User:
        user = self.staff.get((case.department_id, role)) or self.staff.get((case.department_id, "officer"))
        assert user is not None and self.leader is not None
        return user if self.rng.random() > 0.1 else self.leader

    def _at(self, moment: datetime, action: Callable[[], Any], user: User | None) -> Any:
        clock.freeze(moment)
        actor = Actor(id=user.id, name=user.name, kind="user", ip="10.0.0.1") if user else None
        with acting(actor):
            result = action()
            self.db.flush()
            return result

    def make(self, submitted: datetime, today: datetime, *, waiting: bool = False) -> Case:
        """One case submitted at ``submitted`` and carried as far as ``today`` allows (``waiting``: left
        at the window, awaiting acceptance)."""
        rng = self.rng
        item = rng.choice(self.items)
        clerks = self.clerks[item.department_id]
        clerk = clerks[self.made % len(clerks)]  # not the generator's choice: its sequence stays as it was
        self.made += 1
        paper = [
            MaterialIn(item_material_id=m.id, paper=True) for m in item.materials if m.required or rng.random() < 0.5
        ]
        data = SubmitIn(
            service_item_id=item.id,
            applicant=rng.choice(self.people),
            materials=paper,
            project_name=rng.choice(["", "", f"{rng.choice(self.names['roads'])}项目"]),
        )
        new = self._at(submitted, lambda: case_service.register_at_window(self.db, clerk, data), clerk)
        case: Case = new.case
        moments = self._moments(submitted, item)
        fate = rng.random()
        steps: list[tuple[str, User]] = []
        if waiting:
            steps = []
        elif fate < 0.05:
            steps = [("refuse", clerk)]
        elif fate < 0.10 and (today - submitted).days < 20:
            steps = [("pre_supplement", clerk)]
        else:
            steps = [("accept", clerk)]
            if rng.random() < 0.12:
                steps.append(("supplement", clerk))
            if rng.random() < 0.08:
                steps.append(("special", self._handler(case, "officer")))
            steps += [("review", self._handler(case, "officer")), ("decide", self._handler(case, "officer"))]
            if rng.random() < 0.06:
                steps += [("return", self._handler(case, "officer")), ("decide", self._handler(case, "officer"))]
            steps.append(("conclude", self._handler(case, "officer")))
        for (action, user), moment in zip(steps, moments, strict=False):
            if moment > today:
                break
            if not self._apply(case, action, user, moment, today):
                break
        clock.freeze(today)
        case_service.refresh_time_state(case, today)
        return case

    def _moments(self, start: datetime, item: ServiceItem) -> Iterator[datetime]:
        """Moments of the successive steps: most cases finish well within the promised limit, a few late."""
        budget = item.promised_limit if item.promised_unit == "工作日" else 0
        late = self.rng.random() < 0.1
        moment = start
        for n in range(100):
            gap = self.rng.randint(0, max(0, budget // 4)) if n else self.rng.randint(0, 1)
            if late and n == 2:
                gap += budget // 2 + 2
            if gap == 0:
                moment += timedelta(minutes=self.rng.randint(10, 50))
            else:
                moment = _working_moment(datetime.combine(add_working_days(moment.date(), gap), time()), self.rng)
            yield moment

    def _apply(self, case: Case, action: str, user: User, moment: datetime, today: datetime) -> bool:
        db, s = self.db, case_service
        if action == "refuse":
            self._at(moment, lambda: s.refuse(db, user, case, reason=self._opinion("refuse")), user)
            return False
        if action == "pre_supplement":
            names = [m.name for m in case.item.materials[:2]]
            self._at(
                moment,
                lambda: s.request_supplement(db, user, case, reason=self._opinion("supplement"), materials=names),
                user,
            )
            return False
        if action == "accept":
            self._at(moment, lambda: s.accept(db, user, case), user)
        elif action == "supplement":
            names = [case.item.materials[0].name]
            self._at(
                moment,
                lambda: s.request_supplement(db, user, case, reason=self._opinion("supplement"), materials=names),
                user,
            )
            back = moment + timedelta(days=self.rng.choice([1, 2, 4, 7]))
            if back > today:
                return False
            material = [MaterialIn(item_material_id=case.item.materials[0].id, paper=True)]
            self._at(back, lambda: s.resupply(db, user, case, note="申请人已到窗口补正", materials=material), user)
        elif action == "special":
            kind = self.rng.choice(["专家评审", "现场勘查", "公示"])
            self._at(moment, lambda: s.start_special(db, user, case, kind=kind, reason=self._opinion("suspend")), user)
            end = moment + timedelta(days=self.rng.choice([3, 5, 10]))
            if end > today:
                return False
            self._at(end, lambda: s.end_special(db, user, case, result=f"{kind}已完成，符合要求"), user)
        elif action == "review":
            if case.case_type == CaseType.JOINT:
                # stages open one after another as the earlier ones complete
                while case.current_step == "review" and (
                    pending := [t for t in case.joint_tasks if t.result_code is None]
                ):
                    task = pending[0]
                    reviewer = self.staff[(task.department_id, "officer")]
                    opinion = self._opinion("review_agree")

                    def joint_review(r: User = reviewer, o: str = opinion) -> None:
                        s.review(db, r, case, agree=True, opinion=o)

                    self._at(moment, joint_review, reviewer)
                return True
            if case.case_type == CaseType.IMMEDIATE:
                self._at(moment, lambda: s.conclude(db, user, case, result=0), user)
                return False
            agree = self.rng.random() > 0.08
            self._at(
                moment,
                lambda: s.review(
                    db, user, case, agree=agree, opinion=self._opinion("review_agree" if agree else "review_disagree")
                ),
                user,
            )
        elif action == "decide":
            agree = self.rng.random() > 0.07
            self._at(
                moment,
                lambda: s.decide(
                    db, user, case, agree=agree, opinion=self._opinion("decide_agree" if agree else "decide_disagree")
                ),
                user,
            )
        elif action == "return":
            # returned from 办结 to 决定; the next planned step decides again
            self._at(moment, lambda: s.return_case(db, user, case, opinion=self._opinion("return")), user)
        elif action == "conclude":
            if case.decision == 1:
                self._at(moment, lambda: s.conclude(db, user, case, result=0), user)
            else:
                self._at(
                    moment,
                    lambda: s.conclude(db, user, case, result=1, reason=self._opinion("no_licence_reason")),
                    user,
                )
        return True


def seed_cases(
    db: Session, count: int, today: datetime, rng: random.Random, progress: Callable[[int], None] | None = None
) -> int:
    """Makes ``count`` cases submitted over the year before ``today``; recent ones are still open."""
    items = list(db.scalars(select(ServiceItem).where(ServiceItem.is_published.is_(True))))
    factory = CaseFactory(db, items, rng)
    waiting = max(2, count // 50)  # the last few arrived today and await acceptance
    try:
        for n in range(count):
            days_back = int(365 * (rng.random() ** 1.3))
            submitted = _working_moment(today - timedelta(days=days_back), rng)
            if submitted > today or n >= count - waiting:
                submitted = today - timedelta(minutes=rng.randint(5, 240))
            factory.make(submitted, today, waiting=n >= count - waiting)
            if progress and (n + 1) % 25 == 0:
                db.commit()
                progress(n + 1)
        db.commit()
    finally:
        clock.freeze(None)
    return count


def has_demo_data(db: Session) -> bool:
    """True once the departments have been seeded."""
    return bool(db.scalar(select(func.count()).select_from(Department)))


def top_up(db: Session) -> list[rule_updates.UpdateReport]:
    """On a database a former version seeded: the demo parts that came later (the bot's account, special topics,
    demo projects, supervision, major projects, last month's assessment; each seeds only once) and the seed rule-set
    updates it lacks (their reports)."""
    ensure_bot_user(db)
    demo_windows.seat(db, load("people.json"), DEMO_PASSWORD)  # clerks seeded before windows existed get theirs
    item_demo.seed(db)
    topic_service.seed_topics(db)
    project_demo.seed_projects(db)
    supervision_demo.seed(db)
    tracker = major_project_demo.TRACKER
    _user(db, tracker[0], tracker[1], ["tracker"], org_service.get_department_by_code(db=db, code="D35"))
    major_project_demo.seed(db)
    warning_demo.seed(db)  # after the cases and projects it warns of
    guidance_demo.seed(db)
    reports = rule_updates.apply_pending(db)
    evaluation_demo.seed(db)  # a database seeded before ratings had a demo gets them now
    assessment_demo.seed(db)  # it assesses what the others made
    exchange_demo.seed(db)  # the exchange log of the latest cases
    figures_demo.seed(db)  # last: the boards count everything above
    db.commit()
    return reports


def seed_all(
    db: Session, *, cases: int, seed: int = 2026, progress: Callable[[str, int, int], None] | None = None
) -> list[Staff]:
    """Everything a demo needs; returns the demo logins."""
    rng = random.Random(seed)
    with acting(Actor(id=None, name="演示数据", kind="system")):
        ensure_roles(db)
        departments = seed_departments(db)
        items = seed_items(db, departments)
        item_demo.seed(db)  # version 1 of each guide before the cases, which record it; templates and guidance
        logins = seed_people(db, departments, items, rng)
        topic_service.seed_topics(db)  # only while there are none, so a rerun keeps the admins' edits
        db.commit()
        if progress:
            progress("部门、事项、人员", 1, 1)
        today = clock.now()
        seed_cases(db, cases, today, rng, (lambda n: progress("办件", n, cases)) if progress else None)
        project_demo.seed_projects(db, progress=progress)
        supervision_demo.seed(db, rng, progress)
        major_project_demo.seed(db, rng, progress)
        warning_demo.seed(db)  # after the cases and projects it warns of
        evaluation_demo.seed(db, rng)  # the applicants rate the concluded cases
        guidance_demo.seed(db, rng)
        assessment_demo.seed(db)  # it assesses what the others made
        exchange_demo.seed(db)  # the exchange log of the latest cases
        figures_demo.seed(db)  # last: the boards count everything above
        db.commit()  # all of it, so that a server started next (or another session) sees it and can write
    return logins
