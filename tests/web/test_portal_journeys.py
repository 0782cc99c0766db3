"""The applicant's journeys on the portal (issue 16): an application filed once however often it is sent, files
kept when the form comes back, licences offered only where they fit, results to download, 我的消息, 好差评 from the
case, 撤回 before acceptance, and 一件事 applications whose cases are filed together (all or none)."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock, jobs
from core.audit.models import AuditLog
from core.cases.models import Case, CaseBundle, PendingUpload
from core.events.models import DomainEvent
from core.files.models import StoredFile
from core.settings import get_settings
from knowledge.models import Bundle
from tests.helpers import PERSON, act
from tests.web.conftest import Browser
from tests.world import World

MakeBrowser = Callable[..., Browser]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
KEY = re.compile(r'name="form_key" value="([^"]+)"')


def pdfs(world: World, *, skip: str = "") -> dict[str, Any]:
    return {
        f"file_{m.id}": (f"{m.name}.pdf", PDF, "application/pdf")
        for m in world.item.materials
        if m.required and m.name != skip
    }


def count(db: Session, model: Any) -> int:
    db.rollback()  # a fresh look: the session's earlier reads are not its snapshot
    return db.scalar(select(func.count()).select_from(model)) or 0


def applied(browser: MakeBrowser, world: World, db: Session) -> tuple[Browser, Case]:
    citizen = browser("citizen")
    page = citizen.submit(f"/apply/{world.item.id}", f"/apply/{world.item.id}", PERSON, files=pdfs(world))
    assert page.status_code == 200, page.text
    db.rollback()
    case = db.scalar(select(Case).order_by(Case.id.desc()))
    assert case is not None
    return citizen, case


def test_sending_the_form_twice_or_refreshing_files_one_case(browser: MakeBrowser, world: World, db: Session) -> None:
    citizen = browser("citizen")
    page_url = f"/apply/{world.item.id}"
    form = citizen.get(page_url).text
    key = KEY.search(form)
    assert key is not None
    sent = {**PERSON, "form_key": key.group(1)}
    first = citizen.submit(page_url, page_url, sent, files=pdfs(world))
    db.rollback()
    case = db.scalar(select(Case))
    assert case is not None and first.url.path == f"/my/cases/{case.id}/submitted"
    assert first.history[0].status_code == 303 and "仅在此显示一次" in first.text
    # refreshing the page after it asks for the page, not for a second filing; the password is not shown again
    again = citizen.get(f"/my/cases/{case.id}/submitted")
    assert again.status_code == 200 and "不会重复立案" in again.text and "仅在此显示一次" not in again.text
    # the browser resends the same form (or a double click): it leads to the first filing
    resent = citizen.submit(page_url, page_url, sent, files=pdfs(world))
    assert resent.url.path == f"/my/cases/{case.id}/submitted"
    assert count(db, Case) == 1
    db.rollback()
    inserts = db.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.entity == "case", AuditLog.operation == "insert")
    )
    assert inserts == 1
    # someone else cannot open that page
    assert browser("citizen2").get(f"/my/cases/{case.id}/submitted").status_code == 403


def test_files_chosen_stay_attached_when_the_form_comes_back(browser: MakeBrowser, world: World, db: Session) -> None:
    citizen = browser("citizen")
    page_url = f"/apply/{world.item.id}"
    key = KEY.search(citizen.get(page_url).text)
    assert key is not None
    sent = {**PERSON, "form_key": key.group(1)}
    # a wrong ID number and a missing material: refused, but the file chosen stays with the form
    refused = citizen.submit(
        page_url, page_url, {**sent, "id_number": "110105194912310021"}, files=pdfs(world, skip="施工方案")
    )
    assert refused.status_code == 422 and "已上传：申请表.pdf" in refused.text
    assert count(db, Case) == 0
    plan = next(m for m in world.item.materials if m.name == "施工方案")
    done = citizen.submit(page_url, page_url, sent, files={f"file_{plan.id}": ("施工方案.pdf", PDF, "application/pdf")})
    assert done.status_code == 200, done.text
    db.rollback()
    case = db.scalar(select(Case))
    assert case is not None and sorted(m.name for m in case.materials) == ["施工方案", "申请表"]


def test_files_of_forms_never_sent_again_are_deleted_after_a_week(
    browser: MakeBrowser, world: World, db: Session
) -> None:
    citizen = browser("citizen")
    page_url = f"/apply/{world.item.id}"
    refused = citizen.submit(page_url, page_url, PERSON, files=pdfs(world, skip="施工方案"))
    assert refused.status_code == 422 and count(db, PendingUpload) == 1
    stored = db.scalar(select(StoredFile))
    assert stored is not None
    path = get_settings().upload_dir / stored.storage_key[:2] / stored.storage_key
    assert path.exists()
    clock.freeze(datetime.now() + timedelta(days=6))
    try:
        assert jobs.run("pending-uploads") == 0
        clock.freeze(datetime.now() + timedelta(days=8))
        assert jobs.run("pending-uploads") == 1
    finally:
        clock.freeze(None)
    assert count(db, PendingUpload) == 0 and count(db, StoredFile) == 0 and not path.exists()


def test_the_picker_offers_a_licence_only_for_the_material_it_fits(client: TestClient, world: World) -> None:
    form = Browser(client)
    assert form.login("13800000001").status_code == 200
    page = form.get(f"/apply/{world.item.id}").text
    assert page.count('data-licence=""') == len(world.item.materials)  # none of these materials names a licence
    js = client.get("/static/apply.js").text
    assert "licenceName && l.name === licenceName" in js


def test_the_applicant_downloads_own_results_and_rates(
    client: TestClient, browser: MakeBrowser, world: World, db: Session
) -> None:
    citizen, case = applied(browser, world, db)
    running = citizen.submit(f"/my/cases/{case.id}", f"/my/cases/{case.id}/results/notice", {})
    assert "尚未办结" in running.text
    for action, who, body in (
        ("accept", "clerk_a", {}),
        ("review", "officer_a", {"agree": True, "opinion": "符合条件"}),
        ("decide", "officer_a", {"agree": True, "opinion": "同意"}),
        ("conclude", "officer_a", {"result": 0}),
    ):
        act(client, world, case.id, action, who=who, **body)
    page = citizen.get(f"/my/cases/{case.id}").text
    assert "下载办理结果通知书（PDF）" in page and "下载电子证照（PDF）" in page
    assert f'href="/rate?case_no={case.case_no}"' in page
    licence = citizen.submit(f"/my/cases/{case.id}", f"/my/cases/{case.id}/results/licence", {})
    assert licence.status_code == 200 and licence.content.startswith(b"%PDF")
    assert licence.headers["content-disposition"].startswith("attachment")
    stranger = browser("citizen2").submit("/my/cases", f"/my/cases/{case.id}/results/licence", {})
    assert stranger.status_code == 403 and not stranger.content.startswith(b"%PDF")
    db.rollback()
    audited = db.scalars(select(AuditLog.action).where(AuditLog.entity == "case", AuditLog.entity_id == str(case.id)))
    assert list(audited).count("case.result_download.licence") == 1
    # the licence stands in only for a material whose guide names it (none of this item's materials does)
    licence_id = client.get(
        "/api/v1/applicants/reusable",
        params={"kind": "personal", "id_number": PERSON["id_number"]},
        headers=world.auth("citizen"),
    ).json()["licences"][0]["id"]
    body = {
        "service_item_id": world.item.id,
        "applicant": PERSON,
        "materials": [{"item_material_id": world.item.materials[0].id, "licence_id": licence_id}],
    }
    misfit = client.post("/api/v1/cases", json=body, headers=world.auth("citizen"))
    assert misfit.status_code == 422
    assert misfit.json()["error"]["message"].startswith("电子证照“占用挖掘城市道路许可决定书”不能作为材料“申请表”")
    rated = citizen.submit(f"/rate?case_no={case.case_no}", "/rate", {"case_no": case.case_no, "level": "5"})
    assert rated.status_code == 200
    assert "您已评价：非常满意" in citizen.get(f"/my/cases/{case.id}").text


def test_the_inbox_shows_own_messages_a_page_at_a_time(
    client: TestClient, browser: MakeBrowser, world: World, db: Session
) -> None:
    citizen, case = applied(browser, world, db)
    act(client, world, case.id, "accept")
    inbox = citizen.get("/my/inbox").text
    assert "办件已受理" in inbox and "1 条未读" in inbox and "查看办件" in inbox
    message = re.search(r'id="message-(\d+)"', inbox)
    assert message is not None
    # another person cannot mark it, and their inbox is empty
    other = browser("citizen2")
    assert "暂无消息" in other.get("/my/inbox").text
    refused = other.submit("/my/inbox", f"/my/inbox/{message.group(1)}/read", {})
    assert "消息不存在" in refused.text
    opened = citizen.submit("/my/inbox", f"/my/inbox/{message.group(1)}/read", {"open": "1"})
    assert opened.url.path == f"/my/cases/{case.id}"
    assert "条未读" not in citizen.get("/my/inbox").text
    assert citizen.get("/my/inbox?page=x").status_code == 422


def test_the_applicant_withdraws_before_acceptance(
    client: TestClient, browser: MakeBrowser, world: World, db: Session
) -> None:
    citizen, case = applied(browser, world, db)
    assert "撤回申请" in citizen.get(f"/my/cases/{case.id}").text
    stranger = browser("citizen2").submit("/my/cases", f"/my/cases/{case.id}/withdraw", {"reason": "不想办了"})
    assert stranger.status_code == 403
    empty = citizen.submit(f"/my/cases/{case.id}", f"/my/cases/{case.id}/withdraw", {"reason": " "})
    assert empty.status_code == 422 and "请填写撤回原因" in empty.text
    done = citizen.submit(f"/my/cases/{case.id}", f"/my/cases/{case.id}/withdraw", {"reason": "项目名称填错，重新申报"})
    assert done.status_code == 200 and "已撤回" in done.text and "申请人撤回" in done.text
    assert "撤回原因：项目名称填错，重新申报" in done.text
    db.rollback()
    assert db.get(Case, case.id).status == "withdrawn"  # type: ignore[union-attr]
    told = db.scalar(select(DomainEvent).where(DomainEvent.kind == "case.withdrawn"))
    assert told is not None and told.data["reason"] == "项目名称填错，重新申报"
    again = citizen.submit(f"/my/cases/{case.id}", f"/my/cases/{case.id}/withdraw", {"reason": "再撤一次"})
    assert "不能在网上撤回" in again.text
    act(client, world, case.id, "accept", expect=409)  # nothing left to accept


def test_an_accepted_case_cannot_be_withdrawn_online(
    client: TestClient, browser: MakeBrowser, world: World, db: Session
) -> None:
    citizen, case = applied(browser, world, db)
    act(client, world, case.id, "accept")
    assert "撤回申请" not in citizen.get(f"/my/cases/{case.id}").text
    refused = citizen.submit(f"/my/cases/{case.id}", f"/my/cases/{case.id}/withdraw", {"reason": "不办了"})
    assert refused.status_code == 409 and "不能在网上撤回" in refused.text


def bundle(db: Session, world: World) -> Bundle:
    row = Bundle(
        theme="我要占道施工",
        applicant_type="企业",
        item_ids=[world.item.id, world.immediate_item.id],
        materials=[],
        steps=[],
        status="published",
    )
    db.add(row)
    db.commit()
    return row


def test_a_bundle_application_files_every_item_at_once(browser: MakeBrowser, world: World, db: Session) -> None:
    theme = bundle(db, world)
    citizen = browser("citizen")
    url = f"/bundles/{theme.id}/apply"
    form = citizen.get(url).text
    assert "一次提交全部事项" in form and "建设工程验线" in form
    lines = re.findall(r'name="file_(\d+)"', form)
    assert len(lines) == 4  # 申请表 is asked by both items, typed once: 申请表, 施工方案, 交通疏导方案, 验线申请表
    files = {f"file_{slot}": ("材料.pdf", PDF, "application/pdf") for slot in lines}
    # one item's required material missing: nothing is filed
    missing = {k: v for k, v in files.items() if k != f"file_{lines[-1]}"}
    refused = citizen.submit(url, url, PERSON, files=missing)
    assert refused.status_code == 422 and "“建设工程验线”" in refused.text
    assert count(db, Case) == 0 and count(db, CaseBundle) == 0
    done = citizen.submit(url, url, PERSON, files=files)
    assert done.status_code == 200, done.text
    db.rollback()
    cases = db.scalars(select(Case).order_by(Case.id)).all()
    assert len(cases) == 2 and len({c.bundle_id for c in cases}) == 1 and cases[0].bundle_id is not None
    code = re.search(r'<dt>查询密码</dt><dd class="secret">(\d{6})</dd>', done.text)
    assert code is not None and all(c.case_no in done.text for c in cases)
    mine = citizen.get("/my/cases").text
    assert "一件事：我要占道施工（2 个事项）" in mine
    progress = browser().submit("/progress", "/progress", {"case_no": cases[1].case_no, "query_code": code.group(1)})
    assert "一件事：我要占道施工" in progress.text and cases[0].case_no in progress.text
    assert browser("citizen2").get(f"/my/bundles/{cases[0].bundle_id}/submitted").status_code == 403
