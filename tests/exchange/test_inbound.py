"""Records from the counterparts: an approval done in the city system fills the major project's node; a batch with
bad records quarantines them with their reasons in Chinese and uses the rest; a quarantined record corrected and
replayed from the admin side is used; supervision status reaches the licence."""

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.exchange import pull
from core.audit.models import AuditLog
from core.exchange.enums import Status
from core.exchange.models import ExchangeRecord
from core.major_projects.models import MajorProject, ProjectNode
from tests.exchange.conftest import licence_for_case, make_cases
from tests.fakes.exchange_platform import FakeExchange
from tests.world import World

PROJECT_CODE = "2026-511602-47-01-000123"


def major_project(db: Session, world: World) -> ProjectNode:
    project = MajorProject(
        code="ZD2026-001",
        name="智能装备产业园一期",
        category="industry",
        stage="approval",
        status="active",
        project_code=PROJECT_CODE,
        enterprise_name="XX智能装备有限公司",
        investment=Decimal(52000),
        lead_department_id=world.dept_a.id,
    )
    db.add(project)
    db.flush()
    node = ProjectNode(
        major_project_id=project.id,
        approval_code="SGXK",
        name="建筑工程施工许可证核发",
        stage="construction_permit",
        stage_name="施工许可",
        department_id=world.dept_a.id,
        position=1,
        depends_on=[],
        time_limit_days=5,
        state="pending",
    )
    db.add(node)
    db.commit()
    return node


def approval(**overrides: str) -> dict[str, str]:
    return {
        "XMDM": PROJECT_CODE,
        "XMMC": "智能装备产业园一期",
        "SPSXBM": "SGXK",
        "SPSXMC": "建筑工程施工许可证核发",
        "SPBM": "市住房和城乡建设局",
        "SLSJ": "2026-09-10 09:30:00",
        "BJSJ": "2026-09-15 16:00:00",
        "SPJG": "0",
        "PFWH": "施许〔2026〕88号",
    } | overrides


def test_an_approval_done_in_the_city_system_fills_the_node(
    world: World, db: Session, fake_exchange: FakeExchange
) -> None:
    node = major_project(db, world)
    fake_exchange.plant("investment", "approval", "CITY-1", approval())
    done = pull.pull("investment")
    assert (done.used, done.quarantined) == (1, 0)
    db.rollback()
    db.refresh(node)
    assert node.state == "done"
    assert (node.actual_start, node.actual_finish) == (date(2026, 9, 10), date(2026, 9, 15))
    assert "市级投资建设一网通办平台办理，文号 施许〔2026〕88号" in node.note
    assert pull.pull("investment").used == 0  # read once: the cursor moved on


def test_bad_records_are_quarantined_and_the_batch_goes_on(
    world: World, db: Session, client: TestClient, fake_exchange: FakeExchange
) -> None:
    node = major_project(db, world)
    fake_exchange.plant("investment", "approval", "CITY-1", approval(XMDM="2026-5116-47-01-123", SPJG="9"))
    fake_exchange.plant("investment", "approval", "CITY-2", approval(XMDM="2026-511602-47-01-999999"))
    fake_exchange.plant("investment", "approval", "CITY-3", approval(BJSJ="", SPJG="", SLSJ="2026-09-12 10:00:00"))
    done = pull.pull("investment")
    assert (done.used, done.quarantined) == (1, 2)
    db.rollback()
    db.refresh(node)
    assert (node.state, node.actual_start) == ("in_progress", date(2026, 9, 12))

    rows = {r.local_id: r for r in db.scalars(select(ExchangeRecord).where(ExchangeRecord.direction == "in"))}
    bad_format, unknown = rows["CITY-1"], rows["CITY-2"]
    assert bad_format.status == unknown.status == Status.QUARANTINED
    assert (
        "“项目代码”格式不对" in bad_format.last_error and "“审批结果”的代码“9”不在规范代码表中" in bad_format.last_error
    )
    assert {p["field"] for p in bad_format.problems} == {"XMDM", "SPJG"}
    assert unknown.last_error == "项目代码 2026-511602-47-01-999999 在本平台没有对应的重大项目"

    # the administrator corrects the first one on the admin side and replays it
    response = client.post(
        f"/api/v1/exchange/records/{bad_format.id}/replay",
        json={"data": approval()},
        headers=world.auth("admin"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status_label"] == "已确认"
    assert response.json()["outcome"].startswith("已填入重大项目节点")
    db.rollback()
    db.refresh(node)
    assert (node.state, node.actual_finish) == ("done", date(2026, 9, 15))
    audit = db.scalars(select(AuditLog).where(AuditLog.action == "修正后重放接收记录")).all()
    assert len(audit) == 1

    # a replay as it is, with nothing fixed on our side, stays quarantined and says why
    response = client.post(f"/api/v1/exchange/records/{unknown.id}/replay", json={}, headers=world.auth("admin"))
    assert response.status_code == 200 and response.json()["status_label"] == "隔离"
    # and a clerk may do none of it
    response = client.post(f"/api/v1/exchange/records/{unknown.id}/replay", json={}, headers=world.auth("clerk_a"))
    assert response.status_code == 403


def test_supervision_status_reaches_the_licence(world: World, db: Session, fake_exchange: FakeExchange) -> None:
    ids = make_cases(db, world, 1)
    licence = licence_for_case(db, ids[0], "建筑工程施工许可证")
    fake_exchange.plant(
        "four_certs",
        "supervision_status",
        "JG-1",
        {
            "ZZBH": licence.licence_no,
            "JGZT": "2",
            "JGSJ": "2026-09-23 10:00:00",
            "JGBM": "市住建局",
            "JGSM": "现场检查发现问题",
        },
    )
    fake_exchange.plant(
        "four_certs",
        "supervision_status",
        "JG-2",
        {"ZZBH": "ZZ-NOT-OURS", "JGZT": "1", "JGSJ": "2026-09-23 10:00:00", "JGBM": "市住建局"},
    )
    done = pull.pull("four_certs")
    assert (done.used, done.quarantined) == (1, 1)
    db.rollback()
    db.refresh(licence)
    assert licence.details["监管状态"] == "整改中"


def test_an_inbound_record_received_twice_is_used_once(world: World, db: Session, fake_exchange: FakeExchange) -> None:
    major_project(db, world)
    fake_exchange.plant("investment", "approval", "CITY-1", approval())
    fake_exchange.plant("investment", "approval", "CITY-1", approval())
    done = pull.pull("investment")
    assert (done.used, done.unchanged) == (1, 1)
    assert db.scalar(select(ExchangeRecord.version).where(ExchangeRecord.local_id == "CITY-1")) == 1
