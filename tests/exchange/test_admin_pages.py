"""The data exchange admin pages through the real forms: the counterparts with pause (a reason is required) and
resume, the log filtered to the quarantine, a quarantined record corrected field by field and replayed, the
reconciliation differences resent, the data centre's ZIP with its dictionary; a clerk sees none of it."""

import io
import json
import zipfile
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.exchange.models import ExchangeCounterpartState, ExchangeRecord
from tests.exchange.helpers import stored_difference, stored_record
from tests.helpers import db_state
from tests.web.conftest import Browser
from tests.world import World


def test_pause_and_resume_a_counterpart(world: World, db: Session, browser: Callable[[str | None], Browser]) -> None:
    admin = browser("admin")
    page = admin.get("/admin/exchange")
    assert page.status_code == 200
    for shown in (
        "市政务服务平台",
        "投资建设一网通办平台",
        "一书三证在线监管系统",
        "城市大脑",
        "行政审批数据中心",
        "未接入",
    ):
        assert shown in page.text
    before = db_state()
    refused = admin.submit("/admin/exchange", "/admin/exchange/gov_service/pause", {"reason": ""})
    assert "请填写暂停原因" in refused.text and db_state() == before
    done = admin.submit("/admin/exchange", "/admin/exchange/gov_service/pause", {"reason": "对方平台维护"})
    assert "已暂停向“市政务服务平台”发送" in done.text and "对方平台维护" in done.text
    state = db.get(ExchangeCounterpartState, "gov_service")
    assert state is not None and state.paused and state.paused_by == "管理员"
    done = admin.submit("/admin/exchange", "/admin/exchange/gov_service/resume", {})
    assert "已恢复向“市政务服务平台”发送" in done.text
    db.rollback()
    db.refresh(state)
    assert not state.paused


def test_a_quarantined_record_corrected_on_the_page(
    world: World, db: Session, browser: Callable[[str | None], Browser]
) -> None:
    row = stored_record(db, direction="in", status="quarantined")
    admin = browser("admin")
    listing = admin.get("/admin/exchange/records?status=quarantined")
    assert row.local_id in listing.text and "“项目代码”格式不对" in listing.text
    page = admin.get(f"/admin/exchange/records/{row.id}")
    assert "修正后重放" in page.text and 'aria-invalid="true"' in page.text
    fields = {
        "f_XMDM": "2026-511602-47-01-000123",
        "f_XMMC": "测试项目",
        "f_SPSXBM": "SGXK",
        "f_SPSXMC": "建筑工程施工许可证核发",
        "f_SPBM": "市住建局",
        "f_SLSJ": "2026-09-10 09:30:00",
    }
    answer = admin.submit(f"/admin/exchange/records/{row.id}", f"/admin/exchange/records/{row.id}/replay", fields)
    # the code is well formed now, but no major project of ours has it: still quarantined, and the page says why
    assert "修正后仍未通过校验：项目代码 2026-511602-47-01-000123 在本平台没有对应的重大项目" in answer.text
    db.rollback()
    db.refresh(row)
    assert row.version == 2 and row.payload["XMDM"] == "2026-511602-47-01-000123"


def test_reconciliation_differences_are_listed_and_resent(
    world: World, db: Session, browser: Callable[[str | None], Browser]
) -> None:
    found = stored_difference(db)
    missing = found.differences[0]["local_id"]
    admin = browser("admin")
    page = admin.get("/admin/exchange/reconciliations")
    assert missing in page.text and "对方缺少" in page.text and "1 / 0" in page.text
    answer = admin.submit("/admin/exchange/reconciliations", f"/admin/exchange/reconciliations/{found.id}/resend", {})
    assert "已重新排队发送 1 条记录" in answer.text
    record = db.scalar(select(ExchangeRecord).where(ExchangeRecord.local_id == missing))
    assert record is not None and record.status == "pending" and record.version == 2


def test_the_data_centre_export(world: World, db: Session, browser: Callable[[str | None], Browser]) -> None:
    admin = browser("admin")
    response = admin.get("/admin/exchange/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"items.csv", "items.json", "cases.csv", "projects.csv", "data_dictionary.csv", "manifest.json"} <= set(
        archive.namelist()
    )
    items = json.loads(archive.read("items.json"))
    assert {i["SXMC"] for i in items} == {"占用、挖掘城市道路审批", "建设工程验线", "户外广告设置的审批"}
    dictionary = archive.read("data_dictionary.csv").decode("utf-8-sig")
    assert "申办流水号" in dictionary and "办件类型" in dictionary
    assert json.loads(archive.read("manifest.json"))["导出方式"] == "全量"
    later = admin.get("/admin/exchange/export?since=2099-01-01")
    assert json.loads(zipfile.ZipFile(io.BytesIO(later.content)).read("manifest.json"))["记录数"]["items"] == 0


def test_a_clerk_sees_none_of_it(world: World, browser: Callable[[str | None], Browser]) -> None:
    clerk = browser("clerk_a")
    assert "数据交换" not in clerk.get("/admin").text
    for url in (
        "/admin/exchange",
        "/admin/exchange/records",
        "/admin/exchange/reconciliations",
        "/admin/exchange/export",
    ):
        assert clerk.get(url).status_code == 403, url
