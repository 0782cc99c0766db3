"""Issue 16, construction filing. 帮办代办: a project guide files a project for an enterprise, which sees it in its
own list and confirms it; only then do the departments get it. Nobody else sees or confirms it; each step is
audited. 项目资料: the documents a project is filed with are checked like a case's materials and opened only by
those who see the project."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from core.db import get_sessionmaker
from core.errors import Conflict
from core.org.models import User
from core.projects import proxy
from core.projects import service as project_service
from core.projects.models import Project, ProjectDocument
from core.projects.schemas import ProjectIn
from core.sms import last_sent
from tests.helpers import PDF_BYTES
from tests.projects import conftest as project_fixtures
from tests.projects.conftest import FACTORY_ANSWERS, FACTORY_INFO, Filing, new_project
from tests.web.conftest import Browser
from tests.web.test_register_sms import MASKED, PASSWORD, PHONE, texted_code

filing = project_fixtures.filing  # the seed departments, the seed rule set in force and a project guide

MakeBrowser = Callable[..., Browser]
FORM = "/filing/projects/proxy"


def proxy_form(phone: str) -> dict[str, str]:
    return {**FACTORY_INFO, "owner_phone": phone}


def test_a_guide_files_for_an_enterprise_which_confirms(browser: MakeBrowser, filing: Filing, db: Session) -> None:
    guide = browser("guide")
    assert "代建设单位填报（帮办代办）" in guide.get("/admin/filing/projects").text
    wrong = guide.submit(FORM, FORM, proxy_form("0512-1234567"))
    assert wrong.status_code == 422 and "请填写建设单位联系人的11位手机号" in wrong.text
    assert 'value="精密机械零部件生产基地项目"' in wrong.text  # the form keeps what was typed
    created = guide.submit(FORM, FORM, proxy_form("13800000001"))
    assert created.status_code == 200 and "已为建设单位创建项目" in created.text
    project_id = int(created.url.path.split("/")[3])
    db.rollback()
    project = db.get(Project, project_id)
    assert project is not None
    assert project.owner_user_id == filing.world.users["citizen"].id
    assert project.proxy_filer_id == filing.world.users["guide"].id and project.owner_confirmed_at is None

    enterprise = browser("citizen")
    listing = enterprise.get("/filing").text
    assert FACTORY_INFO["name"] in listing and "代办待您确认" in listing
    page = enterprise.get(f"/filing/projects/{project_id}").text
    assert "本项目由报建专员周专员代为填报" in page and "确认为本单位项目" in page

    stranger = browser("citizen2")
    assert stranger.get(f"/filing/projects/{project_id}").status_code == 404
    assert stranger.submit("/filing", f"/filing/projects/{project_id}/confirm", {}).status_code == 404
    assert "确认为本单位项目" not in guide.get(f"/filing/projects/{project_id}").text  # the guide cannot confirm

    done = enterprise.submit(f"/filing/projects/{project_id}", f"/filing/projects/{project_id}/confirm", {})
    assert done.status_code == 200 and "已确认该项目为本单位项目" in done.text
    db.rollback()
    confirmed = db.get(Project, project_id)
    assert confirmed is not None and confirmed.owner_confirmed_at is not None
    actions = set(db.scalars(select(AuditLog.action).where(AuditLog.entity_id == str(project_id))))
    assert {"project.proxy_file", "project.owner_confirm"} <= actions


def test_a_guide_files_for_an_enterprise_without_an_account_which_registers_and_confirms(
    browser: MakeBrowser, filing: Filing, db: Session
) -> None:
    """The enterprise has no portal account yet: it is invited by text message, and the project is its own from
    its first sign-in after registering with that number — nobody else sees it before or after."""
    guide = browser("guide")
    created = guide.submit(FORM, FORM, proxy_form(PHONE))
    assert created.status_code == 200 and f"建设单位尚未注册，已向 {MASKED} 发送注册邀请短信" in created.text
    project_id = int(created.url.path.split("/")[3])
    invitation = last_sent(MASKED)
    assert "已为XX精工科技有限公司代办建设项目“精密机械零部件生产基地项目”" in invitation
    assert "请用本手机号在" in invitation and "门户注册并登录" in invitation
    db.rollback()
    waiting = db.get(Project, project_id)
    assert waiting is not None and waiting.owner_user_id is None and waiting.invited_phone == PHONE
    assert f"已邀请其用 {MASKED} 注册" in guide.get(f"/admin/filing/projects/{project_id}").text
    for who in ("citizen", "citizen2"):  # enterprises with accounts under other numbers
        assert browser(who).get(f"/filing/projects/{project_id}").status_code == 404

    enterprise = browser(None)
    form = {"phone": PHONE, "name": "苏州精工机械有限公司", "password": PASSWORD, "password2": PASSWORD}
    enterprise.submit("/register", "/register/code", form)
    registered = enterprise.submit("/register", "/register", {**form, "sms_code": texted_code()})
    assert "注册成功" in registered.text
    assert FACTORY_INFO["name"] in enterprise.get("/filing").text  # registering signs in: the project is there
    enterprise.client.cookies.clear()
    enterprise.submit("/login", "/login", {"username": PHONE, "password": PASSWORD})
    listing = enterprise.get("/filing").text
    assert FACTORY_INFO["name"] in listing and "代办待您确认" in listing
    done = enterprise.submit(f"/filing/projects/{project_id}", f"/filing/projects/{project_id}/confirm", {})
    assert "已确认该项目为本单位项目" in done.text
    db.rollback()
    claimed = db.get(Project, project_id)
    assert claimed is not None and claimed.owner_confirmed_at is not None
    assert claimed.invited_login is None and claimed.invited_phone is None
    owner = db.get(User, claimed.owner_user_id)
    assert owner is not None and owner.name == "苏州精工机械有限公司"
    actions = set(db.scalars(select(AuditLog.action).where(AuditLog.entity_id == str(project_id))))
    assert {"project.proxy_file", "project.invitation_claimed", "project.owner_confirm"} <= actions


def test_only_a_guide_may_file_for_others(browser: MakeBrowser, filing: Filing) -> None:
    assert browser("clerk_a").get(FORM).status_code == 403
    citizen = browser("citizen")
    assert citizen.get(FORM).status_code == 403
    assert browser().get(FORM, follow_redirects=False).status_code == 303


def test_the_departments_get_it_only_after_the_enterprise_confirmed(filing: Filing, db: Session) -> None:
    guide = filing.world.users["guide"]
    data = ProjectIn.model_validate({**FACTORY_INFO, "indicators": FACTORY_ANSWERS})
    project = proxy.file_for_enterprise(db, guide, data, owner_phone="13800000001").project
    project_service.derive_project(db, guide, project)
    with pytest.raises(Conflict, match="须经建设单位在门户确认"):
        project_service.send_for_review(db, guide, project)
    with pytest.raises(Exception, match="只有建设单位本身"):
        proxy.confirm(db, guide, project)
    proxy.confirm(db, filing.world.users["citizen"], project)
    assert project_service.send_for_review(db, guide, project)
    db.rollback()


def test_project_documents_are_checked_stored_and_opened_by_those_allowed(
    browser: MakeBrowser, client: TestClient, filing: Filing, db: Session
) -> None:
    project = new_project(client, filing)
    page = f"/filing/projects/{project['id']}"
    enterprise = browser("citizen")
    assert "项目资料" in enterprise.get(page).text
    fake = enterprise.submit(
        page, f"{page}/documents", {"kind": "business_licence"}, files={"file": ("营业执照.pdf", b"not a pdf")}
    )
    assert "内容与扩展名 .pdf 不符" in fake.text
    wrong_kind = enterprise.submit(page, f"{page}/documents", {"kind": "x"}, files={"file": ("a.pdf", PDF_BYTES)})
    assert "请选择资料类别" in wrong_kind.text
    added = enterprise.submit(
        page, f"{page}/documents", {"kind": "business_licence"}, files={"file": ("营业执照.pdf", PDF_BYTES)}
    )
    assert "已上传“营业执照”：营业执照.pdf" in added.text
    db.rollback()
    [document] = db.scalars(select(ProjectDocument).where(ProjectDocument.project_id == project["id"])).all()
    link = f"{page}/documents/{document.id}"
    assert f'href="{link}"' in added.text
    assert enterprise.get(link).content == PDF_BYTES
    guide = browser("guide")
    assert guide.get(link).content == PDF_BYTES
    assert f'href="{link}"' in guide.get(f"/admin/filing/projects/{project['id']}").text
    for who, status in (("citizen2", 404), ("clerk_a", 403)):  # another enterprise; staff without filing rights
        refused = browser(who).get(link)
        assert refused.status_code == status, who
        assert refused.content != PDF_BYTES
    with get_sessionmaker()() as fresh:
        reads = fresh.scalars(select(AuditLog).where(AuditLog.action == "project.document_download")).all()
        assert len(reads) == 2  # the enterprise's and the guide's openings, not the refused ones
        assert fresh.scalar(select(AuditLog).where(AuditLog.action == "project.document_upload")) is not None
