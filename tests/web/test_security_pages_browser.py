"""The account and security pages walked in a real Chromium on a phone (375×800) and a desktop (1366×900): an
administrator's two-factor enrolment at login and the second login step, the personal page, a citizen's
account page, an auditor's audit log and a desk member's conversations. Every screen passes ``check_page`` (no
sideways scrolling, no English or internal codes, nothing covered) and shows what its user came for; the
screenshots are in var/screenshots/."""

# ruff: noqa: F811  (a test takes the imported desks fixture by name)
import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from tests.browser import SCREENS, browser_page, check_page, log_in  # noqa: F401  (SCREENS: imported from here)
from tests.channels.conftest import desks  # noqa: F401  (the hand-off desk's members, a fixture)
from tests.channels.test_handoff import handoff
from tests.conftest import serve_app
from tests.world import World

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("mariadb")]  # Chromium; MariaDB: the passes balance

AUTHENTICATOR_APPS = ("Microsoft", "Authenticator", "Google")
"""The names of authenticator apps the second login step suggests (brand names, shown as they are spelled)."""

AUDIT_VERBATIM = "code, .audit-row td.value"
"""The audit log shows each write's SQL statement on request, and the values before and after a write as they were
stored (a login name, a channel code): a record, not prose. Field names and yes/no are in Chinese."""


def open_account_link(page: Page, name: str) -> None:
    """Follows the header's link to one's own account settings."""
    page.get_by_role("link", name=f"{name}（账号设置）").click()


def test_an_administrator_enrols_two_factor_at_login_then_logs_in_with_a_recovery_code(
    page: Page, world: World
) -> None:
    with serve_app({"TONGBAN_REQUIRE_TWO_FACTOR": "true"}) as base:
        page.goto(f"{base}/login")
        expect(page.get_by_role("heading", name="登录")).to_be_visible()
        check_page(page, "login")

        log_in(page, base, "admin")
        expect(page).to_have_url(re.compile(r"/login/enrol$"))
        expect(page.get_by_role("heading", name="启用双因素认证")).to_be_visible()
        expect(page.locator(".qr svg")).to_be_visible()
        secret = page.locator(".card p code").inner_text()
        assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
        check_page(page, "login-enrol")

        page.get_by_label("验证器显示的 6 位数字").fill("000000")
        page.get_by_role("button", name="完成绑定").click()
        expect(page.locator(".error-box")).to_contain_text("动态验证码不正确")
        check_page(page, "login-enrol-wrong-code")

        page.get_by_label("验证器显示的 6 位数字").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="完成绑定").click()
        expect(page.get_by_role("heading", name="请保存您的恢复码")).to_be_visible()
        codes = page.locator("ul.recovery-codes code").all_inner_texts()
        assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", code) for code in codes), codes
        expect(page.get_by_role("link", name="管理员（账号设置）")).to_be_visible()  # signed in from here on
        check_page(page, "recovery-codes")

        page.get_by_role("link", name="我已保存，继续").click()
        expect(page.get_by_role("heading", name="工作台")).to_be_visible()
        open_account_link(page, "管理员")
        expect(page).to_have_url(re.compile(r"/admin/me$"))
        expect(page.get_by_role("heading", name="个人设置")).to_be_visible()
        expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
        expect(page.get_by_label("当前密码")).to_be_visible()
        two_factor = page.locator("#two-factor")
        expect(two_factor).to_contain_text("已启用")
        expect(two_factor).to_contain_text("剩余恢复码 10 个")
        expect(two_factor.get_by_role("button", name="重新生成恢复码")).to_be_visible()
        expect(two_factor.get_by_role("button", name="关闭双因素认证")).to_have_count(0)  # required for admins
        check_page(page, "admin-me", allow=("admin",))  # "admin": the login name itself

        with page.expect_navigation():
            page.get_by_role("button", name="退出").click()
        # The code just used for enrolment is spent; a recovery code takes its place (and does not wait for the
        # authenticator's next code).
        log_in(page, base, "admin")
        expect(page).to_have_url(re.compile(r"/login/verify$"))
        expect(page.get_by_role("heading", name="双因素认证")).to_be_visible()
        check_page(page, "login-verify", allow=AUTHENTICATOR_APPS)

        page.get_by_label("动态验证码或恢复码").fill(codes[0])
        page.get_by_role("button", name="验证并登录").click()
        expect(page.get_by_text("欢迎您，管理员")).to_be_visible()
        open_account_link(page, "管理员")
        expect(page.locator("#two-factor")).to_contain_text("剩余恢复码 9 个")


def test_a_citizen_opens_the_account_page_from_the_header_and_a_wrong_password_is_explained(
    page: Page, world: World, live_app: str
) -> None:
    log_in(page, live_app, "13800000001")
    open_account_link(page, "孙市民")
    expect(page).to_have_url(re.compile(r"/my/account$"))
    expect(page.get_by_role("heading", name="我的账号")).to_be_visible()
    expect(page.get_by_text("登录名：138****0001")).to_be_visible()
    expect(page.get_by_text("是您的登录名，不能在此修改")).to_be_visible()
    expect(page.get_by_label("姓名")).to_have_value("孙市民")
    check_page(page, "my-account")

    page.get_by_label("当前密码").fill("Wrong-Password-2026")
    page.get_by_label("新密码", exact=True).fill("Kf-2026-Tongban!x")
    page.get_by_label("再次输入新密码").fill("Kf-2026-Tongban!x")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".error-box")).to_have_text("当前密码不正确")
    expect(page.get_by_role("heading", name="我的账号")).to_be_visible()
    check_page(page, "my-account-wrong-password")


def test_an_auditor_filters_the_audit_log_and_reads_chinese_action_names(
    page: Page, world: World, db: Session, live_app: str
) -> None:
    org_service.create_user(db=db, username="auditor", name="钱审计", password=DEMO_PASSWORD, role_codes=["auditor"])
    db.commit()
    logins = ("SQL", "auditor", *world.users)  # the records name people by name and login name
    log_in(page, live_app, "auditor")
    page.get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    expect(page.locator(".audit-row").first).to_be_visible()
    check_page(page, "audit", allow=logins, verbatim=AUDIT_VERBATIM)

    page.get_by_label("动作").fill("登录")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"action="))
    rows = page.locator(".audit-row")
    expect(rows.first).to_be_visible()
    actions = [text.strip() for text in rows.locator("strong").all_inner_texts()]
    assert actions and all("登录" in action for action in actions), actions
    expect(rows.filter(has_text="钱审计").first).to_contain_text("登录")
    check_page(page, "audit-filtered", allow=logins, verbatim=AUDIT_VERBATIM)


def test_a_desk_member_sees_the_queue_and_takes_a_waiting_conversation(
    page: Page, world: World, desks: list[str], client: TestClient, live_app: str
) -> None:
    handoff(client, world, "rest:crm-9", "用户要求人工")
    sender = ("crm",)  # the user's id in the calling system (crm-9), shown as it is
    log_in(page, live_app, desks[0])
    page.get_by_role("link", name="在线咨询").click()
    expect(page.get_by_role("heading", name="在线咨询 · 人工服务队列")).to_be_visible()
    row = page.locator("#queue tbody tr").filter(has_text="用户要求人工")
    expect(row).to_have_count(1)
    check_page(page, "conversations", allow=sender)

    row.get_by_role("link").first.click()
    expect(page.get_by_text("转人工原因")).to_be_visible()
    expect(page.locator("#assigned")).to_have_text("尚未接入")
    check_page(page, "conversation", allow=sender)

    page.get_by_role("button", name="接入").click()
    expect(page.locator("#assigned")).to_have_text("吴导办")
    expect(page.get_by_label("回复用户")).to_be_visible()
    expect(page.get_by_role("button", name="结束人工服务")).to_be_visible()
    greeting = page.locator("#transcript .bubble").last
    expect(greeting).to_have_text(re.compile(r"^您好，人工客服已接入"))
    text = greeting.inner_text()
    assert text == text.strip(), f"the bubble shows the template's line breaks: {text!r}"
    check_page(page, "conversation-taken", allow=sender)


def test_check_page_reports_what_is_wrong_and_where(shared_chromium: Browser) -> None:
    """The checks themselves, on a page made to fail each one: a table too wide for a phone, an internal code and
    English on screen, a button under a fixed one."""
    faults = {
        "scrolls sideways": '<div id="wide" style="width: 600px">宽</div>',
        "not Chinese": "<p>状态：case.status_code，结果 None，请稍候 Loading</p>",
        "covered": '<button id="under">提交</button>'
        '<div id="cover" style="position: fixed; inset: 0 0 auto 0; height: 100px; background: red"></div>',
    }
    expected = {
        "scrolls sideways": ["div#wide「宽」 is 600px wide"],
        "not Chinese": ["'case.status_code'", "the program value 'None'", "the English word 'Loading'"],
        "covered": ["button#under「提交」 is covered by div#cover"],
    }
    with browser_page(shared_chromium, 375, 800) as page:
        for fault, html in faults.items():
            page.set_content(f'<html><body style="margin: 0"><h1>标题</h1>{html}</body></html>')
            with pytest.raises(AssertionError) as failed:
                check_page(page, "check-page-self-test")
            message = str(failed.value)
            assert fault in message and all(part in message for part in expected[fault]), message
        page.set_content("<html><body><h1>标题</h1><p>导出 Excel</p><code>ab3cd-ef5gh</code></body></html>")
        assert check_page(page, "check-page-self-test").name == "check-page-self-test-375.png"
