"""The 项目预警 admin pages through the real login and forms: the list with filters and counts, a warning signed,
handled and closed (refused input shows again in Chinese with what was typed, nothing saved), and the settings
table with its forms."""

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from core import clock
from tests.early_warnings.conftest import at, node, project, scan_at, warnings
from tests.helpers import db_state
from tests.web.conftest import Browser
from tests.web.conftest import browser as browser  # the fixture
from tests.world import World

MakeBrowser = Callable[..., Browser]


def test_a_warning_is_signed_handled_and_closed_through_the_pages(
    projects: World, browser: MakeBrowser, db: Session
) -> None:
    owner = project(db, projects.dept_a)
    node(db, owner, projects.dept_a, date(2026, 10, 9))
    node(db, owner, projects.dept_b, date(2026, 10, 13), name="环评批复")
    db.commit()
    scan_at(at(10, 12, 0, 15))
    clock.freeze(at(10, 12, 9))
    red = next(w for w in warnings(db) if w.department_id == projects.dept_a.id)

    officer = browser("officer_a")
    listed = officer.get("/admin/warnings").text
    assert "建设工程规划许可：已逾期 2 个工作日" in listed and "环评批复" not in listed  # B's is not A's
    assert "城市管理局</td><td>1</td>" in listed  # counts by department
    assert "项目预警</a>" in listed  # in the menu
    everyone = browser("leader").get("/admin/warnings?level=yellow").text
    assert "环评批复" in everyone and "建设工程规划许可" not in everyone.split('id="warnings"')[1]

    page = f"/admin/warnings/{red.id}"
    assert "签收</button>" in officer.get(page).text
    signed = officer.submit(page, f"{page}/sign", {})
    assert signed.status_code == 200 and "已签收，请填报" in signed.text and 'id="state">已签收' in signed.text

    before = db_state()
    refused = officer.submit(
        page, f"{page}/handle", {"reason": "规划条件调整", "plan": "补正后出件", "promised_on": "2026-10-10"}
    )
    assert refused.status_code == 422 and "承诺完成日期不能早于今天（2026-10-12）" in refused.text
    assert "规划条件调整" in refused.text  # what was typed is shown again
    assert db_state() == before
    handled = officer.submit(
        page, f"{page}/handle", {"reason": "规划条件调整", "plan": "补正后出件", "promised_on": "2026-10-16"}
    )
    assert handled.status_code == 200 and "处理情况已保存" in handled.text and "2026-10-16" in handled.text
    assert "销警</button>" not in handled.text  # an officer does not close

    tracker = browser("tracker")
    closed = tracker.submit(page, f"{page}/close", {"note": "已核实，10月16日前办结"})
    assert closed.status_code == 200 and 'id="state">已销警' in closed.text
    assert browser("clerk_a").get("/admin/warnings").status_code == 403
    assert browser("officer_b").get(page).status_code == 403


def test_settings_are_changed_through_the_pages_and_bad_input_is_refused(
    projects: World, browser: MakeBrowser, db: Session
) -> None:
    tracker = browser("tracker")
    table = tracker.get("/admin/warnings/settings").text
    assert "审批节点" in table and "默认（未单独设置的部门）" in table

    before = db_state()
    form = {
        "subject_kind": "node",
        "department_id": str(projects.dept_a.id),
        "yellow_days": "-1",
        "escalate_days": "2",
        "is_enabled": "1",
    }
    refused = tracker.submit("/admin/warnings/settings", "/admin/warnings/settings", form)
    assert refused.status_code == 422 and "黄色预警天数不能为负数" in refused.text
    assert db_state() == before
    missing = tracker.submit("/admin/warnings/settings", "/admin/warnings/settings", form | {"yellow_days": ""})
    assert missing.status_code == 422 and "请填写黄色预警天数" in missing.text

    saved = tracker.submit("/admin/warnings/settings", "/admin/warnings/settings", form | {"yellow_days": "4"})
    assert saved.status_code == 200 and "已保存城市管理局的预警设置" in saved.text
    assert "<td>城市管理局</td><td>≤ 4</td><td>2</td>" in saved.text

    default = tracker.submit(
        "/admin/warnings/settings/default/case",
        "/admin/warnings/settings/default/case",
        {"yellow_days": "3", "escalate_days": "0"},
    )
    assert default.status_code == 422 and "升级天数至少为 1 个工作日" in default.text
    assert browser("officer_a").get("/admin/warnings/settings").status_code == 403
