"""The public portal: guides, progress query, publicity, statistics, registration and online application."""

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.cases.models import Case
from core.items.schemas import GuideOut
from core.sms import last_sent
from tests.helpers import PERSON, act, register
from tests.web.conftest import Browser
from tests.world import World

MakeBrowser = Callable[..., Browser]
PDF = b"%PDF-1.4 test material\n%%EOF"


def test_home_links_to_everything(browser: MakeBrowser, world: World) -> None:
    page = browser().get("/").text
    assert "XX经济开发区便民服务中心" in page
    for text in (
        "投资建设",
        "业务协同",
        "市场准入",
        "不动产登记",
        "其它",
        "/guides",
        "/progress",
        "/publicity",
        "/statistics",
        "/login",
    ):
        assert text in page


def test_guide_list_filters_and_guide_shows_every_element_in_order(browser: MakeBrowser, world: World) -> None:
    anonymous = browser()
    listing = anonymous.get("/guides", params={"q": "验线"}).text
    assert "建设工程验线" in listing and "占用、挖掘城市道路审批" not in listing
    assert "没有找到" in anonymous.get("/guides", params={"category": "市场准入"}).text

    page = anonymous.get(f"/guides/{world.item.id}").text
    labels = [e.label for e in GuideOut.from_model(world.item).elements]
    positions = [page.index(f"<th>{label}</th>") for label in labels]
    assert positions == sorted(positions)
    assert page.index("设定依据") < page.index("材料目录") < page.index("收费依据及标准")
    assert "<th>原件/复印件</th>" in page and "交通疏导方案" in page
    assert f'href="/apply/{world.item.id}"' in page and "网上申报" in page


def test_progress_query_with_right_and_wrong_password(client: TestClient, browser: MakeBrowser, world: World) -> None:
    case = register(client, world)
    anonymous = browser()
    page = anonymous.submit("/progress", "/progress", {"case_no": case["case_no"], "query_code": case["query_code"]})
    assert page.status_code == 200
    assert case["case_no"] in page.text and "待受理" in page.text and "城市管理局" in page.text
    assert "孙*" in page.text and "孙市民" not in page.text
    wrong = "000000" if case["query_code"] != "000000" else "111111"
    page = anonymous.submit("/progress", "/progress", {"case_no": case["case_no"], "query_code": wrong})
    assert page.status_code == 404
    assert "办件编号或查询密码不正确，请核对受理通知书上的信息" in page.text
    unknown = anonymous.submit("/progress", "/progress", {"case_no": "KF000", "query_code": wrong})
    assert "办件编号或查询密码不正确，请核对受理通知书上的信息" in unknown.text


def test_a_notification_link_fills_in_the_case_number(browser: MakeBrowser) -> None:
    page = browser().get("/progress?case_no=KF202609240001")
    assert 'value="KF202609240001"' in page.text
    hostile = browser().get('/progress?case_no="><script>x</script>')
    assert "<script>x" not in hostile.text


def _concluded_case(client: TestClient, world: World) -> dict[str, str]:
    case = register(client, world)
    cid = case["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意")
    act(client, world, cid, "conclude", who="officer_a", result=0)
    return case


# core.cases.queries.statistics still calls Result.tuples(), deprecated in SQLAlchemy 2.1 (reported to the lead).
@pytest.mark.filterwarnings("ignore:The Result.tuples:sqlalchemy.exc.SADeprecationWarning")
def test_publicity_masks_names_and_statistics_count(client: TestClient, browser: MakeBrowser, world: World) -> None:
    case = _concluded_case(client, world)
    register(client, world)  # received, not concluded
    anonymous = browser()
    page = anonymous.get("/publicity").text
    assert case["case_no"] in page and "孙*" in page
    assert "孙市民" not in page
    filtered = anonymous.get("/publicity", params={"department_id": str(world.dept_b.id)}).text
    assert case["case_no"] not in filtered
    bad = anonymous.get("/publicity", params={"date_from": "2026-12-01", "date_to": "2026-01-01"})
    assert bad.status_code == 422 and "开始日期不能晚于结束日期" in bad.text

    stats = re.sub(r"<td[^>]*>", "<td>", re.sub(r">\s+<", "><", anonymous.get("/statistics").text))
    row = re.search(
        r"<td>城市管理局</td><td>\d{4}年\d{1,2}月</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", stats
    )
    assert row is not None and row.groups() == ("2", "1", "1", "0")
    assert re.search(r"<td>合计</td><td>2</td><td>1</td>", stats)


def test_citizen_registers_and_is_signed_in(browser: MakeBrowser, world: World) -> None:
    visitor = browser()
    data = {"phone": "13900000009", "name": "吴新", "password": "Abc12345xyz", "password2": "Abc12345xyz"}
    sent = visitor.submit("/register", "/register/code", data)
    assert sent.status_code == 200 and "验证码已发送至 139****0009" in sent.text
    data["sms_code"] = re.search(r"验证码为 (\d{6})", last_sent("139****0009")).group(1)  # type: ignore[union-attr]
    page = visitor.submit("/register", "/register", data)
    assert page.status_code == 200 and "注册成功" in page.text and "我的办件" in page.text
    again = browser().submit("/register", "/register", data)
    assert again.status_code == 409 and "该手机号已注册" in again.text


def test_login_failure_and_rate_limit(browser: MakeBrowser, world: World) -> None:
    visitor = browser()
    page = visitor.login("clerk_a", "wrong-password1")
    assert page.status_code == 401 and "用户名或密码不正确" in page.text
    for _ in range(10):
        page = visitor.login("clerk_a", "wrong-password1")
    assert page.status_code == 429 and "登录尝试过于频繁" in page.text


def test_citizen_applies_online_with_a_pdf_and_sees_the_password_once(browser: MakeBrowser, world: World, db) -> None:
    anonymous = browser().get(f"/apply/{world.item.id}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/login?next=/apply/{world.item.id}"

    citizen = browser("citizen")
    form = citizen.get(f"/apply/{world.item.id}").text
    assert "带出以往信息" in form and "/static/apply.js" in form
    required = [m for m in world.item.materials if m.required]
    files = {f"file_{m.id}": (f"{m.name}.pdf", PDF, "application/pdf") for m in required}
    page = citizen.submit(f"/apply/{world.item.id}", f"/apply/{world.item.id}", PERSON, files=files)
    assert page.status_code == 200, page.text
    case = db.scalar(select(Case).order_by(Case.id.desc()))
    assert case is not None and case.submit_channel == 1 and len(case.materials) == 2
    assert case.case_no in page.text and "仅在此显示一次" in page.text
    code = re.search(r'<dt>查询密码</dt><dd class="secret">(\d{6})</dd>', page.text)
    assert code is not None

    mine = citizen.get(f"/my/cases/{case.id}").text
    assert case.case_no in mine and code.group(1) not in mine
    assert case.case_no in citizen.get("/my/cases").text
    progress = browser().submit("/progress", "/progress", {"case_no": case.case_no, "query_code": code.group(1)})
    assert progress.status_code == 200 and "待受理" in progress.text


def test_wrong_upload_type_is_refused_and_the_form_kept(browser: MakeBrowser, world: World, db) -> None:
    citizen = browser("citizen")
    first, second = [m for m in world.item.materials if m.required]
    files = {
        f"file_{first.id}": ("申请表.exe", b"MZ\x90\x00", "application/octet-stream"),
        f"file_{second.id}": ("施工方案.pdf", PDF, "application/pdf"),
    }
    page = citizen.submit(f"/apply/{world.item.id}", f"/apply/{world.item.id}", PERSON, files=files)
    assert page.status_code == 422
    assert "文件“申请表.exe”的类型不支持" in page.text
    assert 'value="绿地大道721号"' in page.text  # what was typed is kept
    assert db.scalar(select(func.count()).select_from(Case)) == 0
    missing = citizen.submit(f"/apply/{world.item.id}", f"/apply/{world.item.id}", PERSON)
    assert missing.status_code == 422 and "缺少必需材料" in missing.text


def test_citizen_resupplies_own_case_online(client: TestClient, browser: MakeBrowser, world: World, db) -> None:
    citizen = browser("citizen")
    files = {f"file_{m.id}": (f"{m.name}.pdf", PDF, "application/pdf") for m in world.item.materials if m.required}
    citizen.submit(f"/apply/{world.item.id}", f"/apply/{world.item.id}", PERSON, files=files)
    case = db.scalar(select(Case).order_by(Case.id.desc()))
    assert case is not None
    act(client, world, case.id, "supplement", reason="施工方案缺少签章", materials=["施工方案"])
    page = citizen.get(f"/my/cases/{case.id}").text
    assert "提交补正材料" in page and "施工方案" in page
    plan = next(m for m in world.item.materials if m.name == "施工方案")
    page = citizen.submit(
        f"/my/cases/{case.id}",
        f"/my/cases/{case.id}/resupply",
        {"note": "已补签章"},
        files={f"file_{plan.id}": ("施工方案.pdf", PDF, "application/pdf")},
    )
    assert page.status_code == 200 and "补正材料已提交" in page.text and "待受理" in page.text
    assert browser("citizen2").get(f"/my/cases/{case.id}").status_code == 403
