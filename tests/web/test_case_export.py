"""办件清单导出: the case list as Excel with the filters on screen — what the list shows, within the user's scope,
and the export on record in the audit log."""

from collections.abc import Callable
from io import BytesIO

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from core.audit.models import AuditLog
from tests.helpers import act, register
from tests.web.conftest import Browser
from tests.world import World


def sheet_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(BytesIO(content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_holds_the_filtered_list_of_the_users_scope(
    client: TestClient, world: World, browser: Callable[[str | None], Browser], db
) -> None:
    waiting = register(client, world)["case_no"]
    accepted = register(client, world)
    act(client, world, accepted["case_id"], "accept")

    clerk = browser("clerk_a")
    page = clerk.get("/admin/cases?status=submitted")
    assert 'href="/admin/cases.xlsx?status=submitted"' in page.text
    response = clerk.get("/admin/cases.xlsx?status=submitted")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = sheet_rows(response.content)
    assert "办件清单" in str(rows[0][0]) and "共 1 件" in str(rows[0][0])
    assert rows[1] == ["筛选条件：状态：待受理", *[None] * 10]
    assert rows[2][:5] == ["办件编号", "事项", "部门", "申请人", "状态"]
    assert [r[0] for r in rows[3:]] == [waiting]
    assert rows[3][4] == "待受理"

    everything = sheet_rows(clerk.get("/admin/cases.xlsx").content)
    assert {r[0] for r in everything[3:]} == {waiting, accepted["case_no"]}
    # another department's clerk exports nothing of A, whatever department the address names
    other = sheet_rows(browser("clerk_b").get(f"/admin/cases.xlsx?department_id={world.dept_a.id}").content)
    assert other[3:] == []
    logged = db.scalars(select(AuditLog).where(AuditLog.action == "case.export")).all()
    assert len(logged) == 3
    assert browser("citizen").get("/admin/cases.xlsx").status_code == 403
