"""Issue 14, the bot half of warnings: a member of staff bound on WeCom who types 我的预警 (encrypted with the
official vectors' crypto) gets their open warnings — the web's ``GET /api/v1/warnings/mine``, with the same
permission and department scope — most urgent first, each with its level, today's working days (the 10/10 调休
Saturday counted) and its page; a member with none is told so, one without the permission is told why."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from channels.wecom import my_warnings
from core import clock
from core.early_warnings.models import EarlyWarning
from core.settings import get_settings
from notifications import tasks
from tests.channels.wecom.conftest import OFFICER, bind, post, reply_text, text_xml
from tests.early_warnings import conftest as warning_fixtures
from tests.early_warnings.conftest import at, node, project, scan_at, warnings
from tests.fakes.wecom_api import FakeWeCom
from tests.world import World

projects = warning_fixtures.projects  # the world with an officer of B and a 项目专员


def _warnings_of_a_and_b(db: Session, world: World) -> dict[str, EarlyWarning]:
    """On Monday 10/12: department A has a red node (due Friday 10/9) and a yellow one (due Wednesday 10/14);
    department B a red one. Scanned at 00:15, the clock then at 09:30."""
    own = project(db, world.dept_a)
    node(db, own, world.dept_a, date(2026, 10, 9), name="建设工程规划许可")
    node(db, own, world.dept_a, date(2026, 10, 14), name="施工图审查")
    node(db, project(db, world.dept_b, name="智能装备产业园"), world.dept_b, date(2026, 10, 9), name="环评批复")
    db.commit()
    scan_at(at(10, 12, 0, 15))
    clock.freeze(at(10, 12, 9, 30))
    assert tasks.wait_idle(15)
    return {w.title.split("：")[0]: w for w in warnings(db)}


@pytest.mark.parametrize("asked", ["我的预警", "我的预警有哪些？", "预警", "待签收预警", "查看我的预警", " 我的预警 "])
def test_these_phrasings_ask_for_ones_warnings(asked: str) -> None:
    assert my_warnings.is_asking(asked)


@pytest.mark.parametrize("said", ["同意", "预警处理方案已报领导同意", "我的项目到哪一步了", "取消"])
def test_other_texts_do_not(said: str) -> None:
    assert not my_warnings.is_asking(said)


def test_a_bound_officer_gets_their_departments_open_warnings_most_urgent_first(
    wecom_client: TestClient, wecom_app: FakeWeCom, projects: World, db: Session
) -> None:
    bind(db, projects, "officer_a", OFFICER)
    found = _warnings_of_a_and_b(db, projects)
    red, yellow = found["新能源电池产业园·建设工程规划许可"], found["新能源电池产业园·施工图审查"]
    site = get_settings().site_url("")

    answer = reply_text(post(wecom_client, text_xml("我的预警有哪些？", "9101")))

    assert answer == (
        "您有 2 条待处理的预警（红色 1 条，黄色 1 条）：\n"
        "1.【红】新能源电池产业园·建设工程规划许可\n"
        "城市管理局，到期 2026-10-09，已逾期 2 个工作日，待签收\n"
        f"{site}/admin/warnings/{red.id}\n"
        "2.【黄】新能源电池产业园·施工图审查\n"
        "城市管理局，到期 2026-10-14，剩余 2 个工作日，待签收\n"
        f"{site}/admin/warnings/{yellow.id}"
    )
    assert "智能装备产业园" not in answer  # department B's warning is not officer A's to see


def test_the_list_is_the_apis_list_for_the_same_member(
    wecom_client: TestClient, wecom_app: FakeWeCom, projects: World, db: Session
) -> None:
    bind(db, projects, "officer_b", "wuhuanbao")
    _warnings_of_a_and_b(db, projects)
    token = projects.tokens["officer_b"]
    api = wecom_client.get("/api/v1/warnings/mine", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    [only] = api.json()

    answer = reply_text(post(wecom_client, text_xml("待签收预警", "9102", userid="wuhuanbao")))

    assert answer.startswith("您有 1 条待处理的预警（红色 1 条，黄色 0 条）：\n1.【红】智能装备产业园·环评批复\n")
    assert answer.endswith(f"/admin/warnings/{only['id']}")


def test_a_member_with_nothing_to_handle_or_without_the_permission_is_told_so(
    wecom_client: TestClient, wecom_app: FakeWeCom, projects: World, db: Session
) -> None:
    bind(db, projects, "tracker", "zhouzhuanyuan")  # warning.manage: only handled warnings wait for them
    bind(db, projects, "clerk_a", "zhangchuangkou")  # no warning permission
    _warnings_of_a_and_b(db, projects)

    assert reply_text(post(wecom_client, text_xml("我的预警", "9103", userid="zhouzhuanyuan"))) == (
        "您目前没有待处理的预警。"
    )
    assert reply_text(post(wecom_client, text_xml("我的预警", "9104", userid="zhangchuangkou"))) == (
        "您没有预警处理权限，没有需要您处理的预警。"
    )
    assert "未绑定" in reply_text(post(wecom_client, text_xml("我的预警", "9105", userid="stranger")))


def test_a_signed_warning_stays_listed_and_a_closed_one_leaves(
    wecom_client: TestClient, wecom_app: FakeWeCom, projects: World, db: Session
) -> None:
    bind(db, projects, "officer_a", OFFICER)
    found = _warnings_of_a_and_b(db, projects)
    red, yellow = found["新能源电池产业园·建设工程规划许可"], found["新能源电池产业园·施工图审查"]
    red.state, red.signed_by_name, red.signed_at = "signed", "李审批", at(10, 12, 9)
    yellow.state = "closed"
    db.commit()

    answer = reply_text(post(wecom_client, text_xml("预警", "9106")))

    assert answer.startswith("您有 1 条待处理的预警（红色 1 条，黄色 0 条）：\n1.【红】")
    assert "已逾期 2 个工作日，已签收" in answer and "施工图审查" not in answer


def test_more_warnings_than_a_reply_holds_are_counted_with_the_lists_link(
    wecom_client: TestClient, wecom_app: FakeWeCom, projects: World, db: Session
) -> None:
    bind(db, projects, "officer_a", OFFICER)
    own = project(db, projects.dept_a)
    for n in range(my_warnings.SHOWN + 2):
        node(db, own, projects.dept_a, date(2026, 10, 9), name=f"第{n + 1}项审批")
    db.commit()
    scan_at(at(10, 12, 0, 15))
    clock.freeze(at(10, 12, 9, 30))
    assert tasks.wait_idle(15)

    answer = reply_text(post(wecom_client, text_xml("我的预警", "9107")))

    assert answer.startswith(f"您有 {my_warnings.SHOWN + 2} 条待处理的预警")
    assert answer.count("/admin/warnings/") == my_warnings.SHOWN
    assert answer.endswith("……另有 2 条，全部预警：" + get_settings().site_url("/admin/warnings?state=live"))
    assert len(answer.encode()) <= 2048
