"""Demo construction projects at every stage: a draft, a derived one, one with the departments, a confirmed one."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.org.models import User
from core.projects import letters, service
from core.projects.models import Project
from core.projects.schemas import AdjustmentIn, ProjectIn
from core.rules import service as rules_service
from core.rules.seed import initial_document
from core.validators import credit_code_check_char

_BASE: dict[str, Any] = {
    "investor": "enterprise",
    "in_approval_catalogue": False,
    "new_land": True,
    "land_supply": "transfer",
    "has_basement": False,
    "sewage_to_network": True,
    "digs_road": False,
    "bridge_pipeline": False,
    "moves_trees": False,
    "occupies_green_space": False,
    "outdoor_advertising": False,
}

DEMO_PROJECTS: list[tuple[str, str, str, dict[str, Any]]] = [
    # (stage to reach, project name, enterprise, answers)
    (
        "confirmed",
        "新能源汽车零部件智能制造项目",
        "XX新能源科技有限公司",
        {
            **_BASE,
            "project_type": "industrial",
            "civil_building": False,
            "total_investment": 1.2e9,
            "floor_area": 86_000.0,
            "energy_tce": 6_500.0,
            "electricity_kwh": 2.4e7,
            "coal_tonnes": 0.0,
            "regional_energy_review": True,
            "industry": "equipment",
            "digs_road": True,
        },
    ),
    (
        "in_review",
        "滨湖人才公寓项目",
        "XX城市发展集团有限公司",
        {
            **_BASE,
            "project_type": "residential",
            "total_investment": 4.5e8,
            "floor_area": 120_000.0,
            "has_basement": True,
            "energy_tce": 900.0,
            "electricity_kwh": 4.2e6,
            "coal_tonnes": 0.0,
            "industry": "real_estate",
            "moves_trees": True,
            "outdoor_advertising": True,
        },
    ),
    (
        "derived",
        "精密模具加工厂房项目",
        "XX精工模具有限公司",
        {
            **_BASE,
            "project_type": "industrial",
            "civil_building": False,
            "total_investment": 8.0e7,
            "floor_area": 24_000.0,
            "energy_tce": 800.0,
            "electricity_kwh": 3.0e6,
            "coal_tonnes": 0.0,
            "industry": "equipment",
        },
    ),
    (
        "draft",
        "企业服务中心办公楼装修改造",
        "XX产业园运营管理有限公司",
        {"investor": "enterprise", "in_approval_catalogue": False, "project_type": "renovation"},
    ),
]


INITIAL_NOTE = "初始规则：按《城乡规划法》《建筑工程施工许可管理办法》《企业投资项目核准和备案管理条例》等法律法规梳理的审批事项及其适用条件"
"""The first rule set's note, in the words of the people who read the rules page (the laws it follows)."""


def seed_projects(db: Session, *, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Installs the seed rule set and the demo projects (once); returns how many projects were made."""
    rules_service.install(db, initial_document(), note=INITIAL_NOTE)
    if db.scalar(select(func.count()).select_from(Project)):
        return 0
    filer = org_service.get_user_by_login(db=db, login="13800000000")
    if filer is None:
        return 0
    for number, (stage, name, enterprise, answers) in enumerate(DEMO_PROJECTS, start=1):
        body = f"91320583MA1XKDM{number:02d}"
        project = service.create_project(
            db,
            filer,
            ProjectIn(
                name=name,
                enterprise_name=enterprise,
                credit_code=body + credit_code_check_char(body),
                location=f"经济开发区星湖街{100 + number}号",
                contact_name="李明",
                contact_phone="13800000000",
                indicators=answers,
            ),
        )
        if stage != "draft":
            letters.derive_with_letter(db, filer, project)
        if stage in ("in_review", "confirmed"):
            _review(db, filer, project, confirm_all=stage == "confirmed")
        if progress:
            progress("报建项目", number, len(DEMO_PROJECTS))
    db.commit()
    return len(DEMO_PROJECTS)


def _review(db: Session, filer: User, project: Project, *, confirm_all: bool) -> None:
    """Sends the flow to the departments; their officers confirm (all of them, or every other one)."""
    reviews = service.send_for_review(db, filer, project)
    for index, review in enumerate(reviews):
        officer = org_service.get_user_by_username(db=db, username=f"officer_{review.department.code.lower()}")
        if officer is None or (not confirm_all and index % 2):
            continue
        if index == 0:
            own = [i for i in letters.final_flow(db, project)[1].items() if i.department_code == review.department.code]
            if own:
                service.add_adjustment(
                    db,
                    officer,
                    review,
                    AdjustmentIn(
                        action="correct",
                        approval_code=own[0].code,
                        time_limit_days=max(own[0].time_limit_days - 1, 1),
                        opinion="材料齐全时可容缺受理，承诺时限压缩1个工作日",
                    ),
                )
        service.confirm_review(db, officer, review, opinion="经审核，本部门事项及材料清单无误")
    if project.status == service.CONFIRMED:
        letters.issue_letter(db, filer, project)
