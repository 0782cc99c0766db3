"""What admins and staff see: the delivery list with its filters and retries, the inbox (unread first,
marked read), and WeCom / WeChat bindings set in the user form and on the personal page."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from core.org.models import User
from notifications import tasks
from notifications.models import Channel, Notification, Status
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import api_error
from tests.notifications.helpers import stored_notification
from tests.web.conftest import Browser, csrf_of
from tests.world import World

MakeBrowser = Callable[..., Browser]
FAILED_REASON = "企业微信中找不到该成员，或成员不在应用的可见范围内（81013），请核对成员的企业微信账号"


def failed_wecom(db: Session, world: World, who: str = "clerk_a") -> Notification:
    user = world.users[who]
    return stored_notification(
        db,
        user_id=user.id,
        channel=Channel.WECOM,
        status=Status.FAILED,
        address=user.wecom_userid or "zhangchuangkou",
        last_error=FAILED_REASON,
    )


def reread(db: Session, row_id: int) -> Notification:
    db.rollback()
    db.expire_all()  # the rows were committed by this session, which rollback alone would not refresh
    return db.get_one(Notification, row_id)


def test_the_delivery_list_shows_status_attempts_error_and_filters(
    browser: MakeBrowser, wecom_staff: World, db: Session
) -> None:
    failed = failed_wecom(db, wecom_staff)
    stored_notification(db, user_id=wecom_staff.users["officer_a"].id, title="已送达的站内消息")
    admin = browser("admin")
    page = admin.get("/admin/notifications").text
    assert FAILED_REASON in page and "失败" in page and "已送达" in page and "已送达的站内消息" in page
    only_failed = admin.get("/admin/notifications", params={"status": "failed"}).text
    assert f"/admin/notifications/{failed.id}/retry" in only_failed and "已送达的站内消息" not in only_failed
    bad = admin.get("/admin/notifications", params={"status": "lost"})
    assert bad.status_code == 422 and "状态应为" in bad.text
    assert browser("clerk_a").get("/admin/notifications").status_code == 403


def test_an_admin_retries_a_failed_notification_and_it_arrives(
    browser: MakeBrowser, wecom_staff: World, db: Session, fake_wecom: FakeWeCom
) -> None:
    row = failed_wecom(db, wecom_staff)
    row.payload = {
        "msgtype": "textcard",
        "textcard": {"title": "办件已受理", "description": "KF1", "url": "http://x/1"},
    }
    db.commit()
    admin = browser("admin")
    page = admin.submit("/admin/notifications", f"/admin/notifications/{row.id}/retry", {})
    assert page.status_code == 200 and f"通知 #{row.id} 已重新排队发送" in page.text
    assert tasks.wait_idle(10)
    row = reread(db, row.id)
    assert row.status == Status.DELIVERED and row.attempts == 1 and row.provider_msg_id
    assert len(fake_wecom.delivered_to(row.address)) == 1
    audited = db.scalars(select(AuditLog).where(AuditLog.entity == "notification", AuditLog.operation == "update"))
    assert any(a.after.get("status") == "created" and "管理员" in a.actor_name for a in audited)
    again = admin.submit("/admin/notifications", f"/admin/notifications/{row.id}/retry", {})
    assert "只有发送失败的通知可以重发" in again.text


def test_retry_all_failed_through_the_api(
    client: TestClient, wecom_staff: World, db: Session, fake_wecom: FakeWeCom
) -> None:
    rows = [failed_wecom(db, wecom_staff, who) for who in ("clerk_a", "officer_a", "clerk_b")]
    for n, row in enumerate(rows):
        row.payload = {"msgtype": "text", "text": {"content": f"第{n}条"}}
    db.commit()
    answer = client.post("/api/v1/notifications/retry-failed", headers=wecom_staff.auth("admin"))
    assert answer.status_code == 200 and answer.json() == {"retried": 3}
    assert tasks.wait_idle(10)
    listed = client.get("/api/v1/notifications", params={"channel": "wecom"}, headers=wecom_staff.auth("admin"))
    assert {item["status"] for item in listed.json()["items"]} == {"delivered"}
    api_error(client.get("/api/v1/notifications", params={"channel": "fax"}, headers=wecom_staff.auth("admin")), 422)
    api_error(client.post(f"/api/v1/notifications/{rows[0].id}/retry", headers=wecom_staff.auth("admin")), 409)
    api_error(client.post("/api/v1/notifications/999999/retry", headers=wecom_staff.auth("admin")), 404)


def test_the_inbox_shows_unread_first_and_marks_read(browser: MakeBrowser, world: World, db: Session) -> None:
    clerk = world.users["clerk_a"]
    old = stored_notification(db, user_id=clerk.id, title="较早的消息")
    old.read_at = old.created_at
    db.commit()
    new = stored_notification(db, user_id=clerk.id, title="新到的消息")
    others = stored_notification(db, user_id=world.users["clerk_b"].id, title="别人的消息")
    page = browser("clerk_a")
    html = page.get("/admin/inbox").text
    assert "1 条未读" in html and html.index("新到的消息") < html.index("较早的消息")
    assert "别人的消息" not in html
    opened = page.submit("/admin/inbox", f"/admin/inbox/{new.id}/read", {"open": "1"})
    assert opened.url.path == "/progress"  # the message's link
    assert reread(db, new.id).read_at is not None
    assert page.submit("/admin/inbox", f"/admin/inbox/{others.id}/read", {}).status_code == 404
    assert reread(db, others.id).read_at is None


def test_an_admin_binds_a_staff_members_wecom_account_in_the_user_form(
    browser: MakeBrowser, world: World, db: Session
) -> None:
    admin = browser("admin")
    officer = world.users["officer_a"]
    form = {
        "name": officer.name,
        "department_id": str(world.dept_a.id),
        "roles": "officer",
        "is_active": "1",
        "wecom_userid": "LiShenPi",
        "wechat_openid": "",
        "notify_channels": "wecom",
    }
    page = admin.submit(f"/admin/users/{officer.id}", f"/admin/users/{officer.id}", form)
    assert page.status_code == 200 and "已保存" in page.text
    db.rollback()
    db.expire_all()
    saved = db.get_one(User, officer.id)
    assert saved.wecom_userid == "LiShenPi" and saved.notify_channels == ["inbox", "wecom"]
    assert 'value="LiShenPi"' in admin.get(f"/admin/users/{officer.id}").text

    clerk = world.users["clerk_a"]
    clash = admin.submit(f"/admin/users/{clerk.id}", f"/admin/users/{clerk.id}", form | {"name": clerk.name})
    assert clash.status_code == 409 and "已绑定到其他用户" in clash.text
    bad = admin.submit(f"/admin/users/{clerk.id}", f"/admin/users/{clerk.id}", form | {"wecom_userid": "张三"})
    assert bad.status_code == 422 and "格式不正确" in bad.text
    db.rollback()
    db.expire_all()
    assert db.get_one(User, clerk.id).wecom_userid is None


def test_staff_choose_their_own_channels_on_the_personal_page(browser: MakeBrowser, world: World, db: Session) -> None:
    page = browser("clerk_b")
    saved = page.submit("/admin/me", "/admin/me", {"notify_channels": ["wecom", "wechat"]})
    assert saved.status_code == 200 and "通知设置已保存" in saved.text
    db.rollback()
    db.expire_all()
    user = db.get_one(User, world.users["clerk_b"].id)
    assert user.notify_channels == ["inbox", "wecom", "wechat"]
    assert browser("citizen").get("/admin/me").status_code == 403


def test_only_an_administrator_binds_accounts(browser: MakeBrowser, world: World, db: Session) -> None:
    """A card click runs as the staff account its WeCom UserID is bound to: binding a colleague's UserID to
    oneself would let one decide in their place, so staff cannot bind (or rebind) accounts themselves."""
    page = browser("clerk_b")
    assert "由系统管理员" in page.get("/admin/me").text
    refused = page.client.post(
        "/admin/me",
        data={
            "csrf_token": csrf_of(page.get("/admin/me").text),
            "wecom_userid": "li.shenpi",
            "notify_channels": ["wecom"],
        },
    )
    assert refused.status_code == 403 and "由管理员绑定" in refused.text
    db.rollback()
    db.expire_all()
    assert db.get_one(User, world.users["clerk_b"].id).wecom_userid is None
    admin = browser("admin")
    saved = admin.submit("/admin/me", "/admin/me", {"wecom_userid": "admin.it", "notify_channels": ["wecom"]})
    assert saved.status_code == 200 and "通知设置已保存" in saved.text
    bad = admin.submit("/admin/me", "/admin/me", {"wechat_openid": "short", "notify_channels": ["wechat"]})
    assert bad.status_code == 422 and "openid 格式不正确" in bad.text


def test_notification_settings_through_the_api(client: TestClient, world: World, db: Session) -> None:
    auth = world.auth("officer_a")
    body = {"wecom_userid": "lishenpi", "wechat_openid": "", "notify_channels": ["wecom"]}
    refused = client.put("/api/v1/me/notification-settings", json=body, headers=auth)
    assert "由管理员绑定" in api_error(refused, 403)["message"]
    officer = db.get_one(User, world.users["officer_a"].id)
    officer.wecom_userid = "lishenpi"  # bound by an administrator
    db.commit()
    answer = client.put("/api/v1/me/notification-settings", json=body, headers=auth)
    assert answer.status_code == 200 and answer.json()["notify_channels"] == ["inbox", "wecom"]
    admin = world.auth("admin")
    taken = client.put("/api/v1/me/notification-settings", json=body | {"wecom_userid": "LISHENPI"}, headers=admin)
    assert api_error(taken, 409)["message"].startswith("该企业微信账号已绑定")
    citizen = client.put(
        "/api/v1/me/notification-settings", json=body | {"wecom_userid": "sun"}, headers=world.auth("citizen")
    )
    assert "由管理员绑定" in api_error(citizen, 403)["message"]
    wrong = client.put("/api/v1/me/notification-settings", json=body | {"notify_channels": ["sms"]}, headers=auth)
    assert "通知渠道" in api_error(wrong, 422)["message"]
