"""The admin's user form gives a staff account its hall window: a wrong one comes back on the form with a Chinese
message and nothing saved, a right one is shown on the staff list."""

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.org.models import User
from tests.web.conftest import Browser
from tests.world import World

MakeBrowser = Callable[..., Browser]


def test_the_user_form_sets_a_window_and_refuses_a_wrong_one(browser: MakeBrowser, world: World, db: Session) -> None:
    world.dept_a.windows = "A12-A14"
    db.commit()
    admin = browser("admin")
    data = {
        "username": "clerk_w",
        "name": "窗口新人",
        "password": "Window2026!",
        "roles": ["clerk"],
        "department_id": str(world.dept_a.id),
        "is_active": "1",
    }
    form = admin.get("/admin/users/new").text
    assert 'name="window"' in form and '<option value="A13">城管</option>' in form  # the sign's windows offered
    for window, words in (("A12#", "窗口号只能由字母、数字和“-”组成"), ("A15", "窗口号“A15”不是城管的窗口（A12-A14）")):
        page = admin.submit("/admin/users/new", "/admin/users/new", {**data, "window": window})
        assert page.status_code == 422 and words in page.text
        assert f'value="{window}"' in page.text.replace("&#35;", "#")  # what was typed stays on the form
    db.rollback()
    assert db.scalar(select(User).where(User.username == "clerk_w")) is None

    page = admin.submit("/admin/users/new", "/admin/users/new", {**data, "window": " a13 "})
    assert "用户“窗口新人”已创建" in page.text
    listing = admin.get("/admin/users", params={"department_id": str(world.dept_a.id)}).text
    assert "<td>A13</td>" in listing
    db.rollback()
    created = db.scalar(select(User).where(User.username == "clerk_w"))
    assert created is not None and created.window == "A13"

    url = f"/admin/users/{created.id}"
    assert 'value="A13"' in admin.get(url).text
    data["password"] = ""  # not reset
    moved = admin.submit(url, url, {**data, "department_id": str(world.dept_b.id), "window": "A13"})
    assert moved.status_code == 200  # B's sign lists no windows: the window goes along
    db.rollback()
    world.dept_b.windows = "B01-B02"
    db.commit()
    page = admin.submit(url, url, {**data, "department_id": str(world.dept_b.id), "window": "A13", "name": "改名"})
    assert page.status_code == 422 and "不是环保的窗口（B01-B02）" in page.text
    cleared = admin.submit(url, url, {**data, "department_id": str(world.dept_b.id), "window": ""})
    assert "已保存" in cleared.text
    db.rollback()
    again = db.scalar(select(User).where(User.username == "clerk_w"))
    assert again is not None and again.window is None and again.name == "窗口新人"
