"""The demo data looks real: the seed catalogue with complete guides, staff of several departments and
cases in every status that publicity, statistics and progress queries can show."""

import random

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.cases.models import Case, Licence
from core.items.models import ServiceItem
from core.org.models import User
from core.projects import letters
from core.projects.models import Project
from core.seed import demo

SEED_CATALOGUE = [
    "建设工程验线",
    "规划许可内容的核实",
    "规划条件的核实",
    "林木种子生产经营许可证核发",
    "林木采伐许可证核发",
    "占用、挖掘城市道路审批",
    "依附于城市道路建设各类管线、杆线等设施审批",
    "城市桥梁上架设各类市政管线审批",
    "绿化工程竣工验收备案",
    "临时占用城市绿地审批",
    "砍伐、移植城市树木审批",
    "迁移古树名木审批",
    "户外广告设置的审批",
    "固定资产投资项目节能审查",
    "企业投资项目核准",
    "建设用地规划许可证核发",
    "建设工程规划用地选址",
    "城镇污水排入排水管网许可证核发",
    "道路货物运输经营许可证（换发、变更、注销）",
    "道路货物运输经营许可（开业）",
    "道路运输证（换发、变更、注销）",
    "公共场所卫生许可证",
    "机动车维修经营备案",
    "企业退休人员一次性奖励金审核",
    "《独生子女父母光荣证》办理",
    "出具婚育证明及独生子女证明",
    "再生育审批材料初审",
    "开具四十周岁以上非医学原因终止妊娠证明",
]


@pytest.mark.slow  # seeds the whole demo centre (hundreds of cases through the services)
def test_demo_seed_has_the_catalogue_complete_guides_and_cases_in_every_status(db: Session, client: TestClient) -> None:
    demo.seed_all(db, cases=160, seed=7)
    items = list(db.scalars(select(ServiceItem)))
    names = {i.name for i in items}
    assert len(items) >= 40
    assert set(SEED_CATALOGUE) <= names
    assert {"建设工程规划许可证核发", "建筑工程施工许可证核发"} <= names
    assert {i.category for i in items} >= {"投资建设", "业务协同", "市场准入", "不动产登记", "其它"}
    for item in items:
        assert item.legal_basis and item.conditions and item.location and item.materials, item.name
        assert item.fee.strip(), f"{item.name} 的收费标准为空"
    assert sum(i.fee == "不收费" for i in items) >= 30
    statuses = {row[0]: row[1] for row in db.execute(select(Case.status, func.count()).group_by(Case.status))}
    assert {"submitted", "processing", "concluded", "refused"} <= set(statuses)
    assert db.scalar(select(func.count()).select_from(Licence)) > 0
    departments_with_staff = db.scalar(select(func.count(func.distinct(User.department_id))))
    assert departments_with_staff and departments_with_staff >= 5
    page = client.get("/api/v1/publicity?page_size=5").json()
    assert page["total"] >= 80 and "*" in page["items"][0]["applicant_name"]
    stats = client.get("/api/v1/statistics").json()
    for_major_projects = db.scalar(select(func.count()).select_from(Case).where(Case.major_project_id.is_not(None)))
    assert for_major_projects  # the major projects' demo registers cases of its own (core/major_projects/demo.py)
    assert sum(row["received"] for row in stats) == 160 + for_major_projects
    projects = {p.status: p for p in db.scalars(select(Project))}
    assert set(projects) == {"draft", "derived", "in_review", "confirmed"}
    confirmed = letters.letters_of(db, projects["confirmed"])
    assert confirmed[0].is_final and confirmed[-1].superseded_at is not None


def test_random_identifiers_pass_their_checksums() -> None:
    from core.validators import credit_code_problem, id_number_problem

    rng = random.Random(1)
    for _ in range(200):
        assert id_number_problem(demo.random_id_number(rng)) is None
        assert credit_code_problem(demo.random_credit_code(rng)) is None


@pytest.mark.slow  # seeds the whole demo centre (hundreds of cases through the services)
def test_statistics_export_as_excel_matches_the_api(db: Session, client: TestClient) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    demo.seed_all(db, cases=60, seed=3)
    rows = client.get("/api/v1/statistics").json()
    response = client.get("/api/v1/statistics.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    detail, totals = book["按部门和月份"], book["按部门汇总"]
    assert detail.max_row - 2 == len(rows)
    last = [cell.value for cell in totals[totals.max_row]]
    made = db.scalar(select(func.count()).select_from(Case))  # the 60 and the major projects' own (their demo)
    assert last[0] == "合计" and last[1] == sum(r["received"] for r in rows) == made
    page = client.get("/statistics").text
    assert "按部门汇总" in page and "/api/v1/statistics.xlsx" in page
