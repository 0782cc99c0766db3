"""The rating invitation's link, /rate?case_no=...: five levels and a comment, with the case's password or
as the logged-in owner; one rating per case."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.evaluation.models import Evaluation
from tests.helpers import act, register, submit_online
from tests.web.conftest import Browser
from tests.world import World

MakeBrowser = Callable[..., Browser]


def concluded(client: TestClient, world: World, new: dict[str, object]) -> None:
    cid = int(str(new["case_id"]))
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, cid, "conclude", who="officer_a", result=0)


def ratings(db: Session) -> list[Evaluation]:
    db.rollback()
    return list(db.scalars(select(Evaluation)))


def test_a_rating_with_the_case_password(client: TestClient, browser: MakeBrowser, world: World, db: Session) -> None:
    new = register(client, world)
    concluded(client, world, new)
    visitor = browser()
    url = f"/rate?case_no={new['case_no']}"
    form = visitor.get(url).text
    assert f'value="{new["case_no"]}"' in form and "查询密码" in form and "非常满意" in form
    wrong = visitor.submit(url, "/rate", {"case_no": new["case_no"], "query_code": "000000", "level": "5"})
    assert wrong.status_code == 404 and ratings(db) == []
    done = visitor.submit(
        url, "/rate", {"case_no": new["case_no"], "query_code": new["query_code"], "level": "2", "comment": "排队太久"}
    )
    assert done.status_code == 200 and "感谢您的评价" in done.text and "不满意" in done.text
    assert "核实整改并回访" in done.text  # a bad rating goes to the department
    [rating] = ratings(db)
    assert (rating.level, rating.comment, rating.channel) == (2, "排队太久", "web")
    twice = visitor.submit(url, "/rate", {"case_no": new["case_no"], "query_code": new["query_code"], "level": "5"})
    assert twice.status_code == 409 and "只能评价一次" in twice.text


def test_the_owner_rates_without_the_password(
    client: TestClient, browser: MakeBrowser, world: World, db: Session
) -> None:
    new = submit_online(client, world)
    concluded(client, world, new)
    owner = browser("citizen")
    url = f"/rate?case_no={new['case_no']}"
    assert "查询密码" not in owner.get(url).text
    done = owner.submit(url, "/rate", {"case_no": new["case_no"], "level": "5"})
    assert done.status_code == 200 and "非常满意" in done.text
    [rating] = ratings(db)
    assert rating.rater_user_id == world.users["citizen"].id
    stranger = browser("citizen2")
    assert "查询密码" in stranger.get(url).text


def test_bad_input_is_answered_in_chinese(client: TestClient, browser: MakeBrowser, world: World, db: Session) -> None:
    new = register(client, world)
    visitor = browser()
    url = f"/rate?case_no={new['case_no']}"
    no_level = visitor.submit(url, "/rate", {"case_no": new["case_no"], "query_code": new["query_code"]})
    assert no_level.status_code == 422 and "请选择评价等级" in no_level.text
    bad_level = visitor.submit(url, "/rate", {"case_no": new["case_no"], "query_code": new["query_code"], "level": "9"})
    assert bad_level.status_code == 422 and "评价等级应为 1–5" in bad_level.text
    open_case = visitor.submit(url, "/rate", {"case_no": new["case_no"], "query_code": new["query_code"], "level": "4"})
    assert open_case.status_code == 409 and "办结后才能评价" in open_case.text
    no_password = visitor.submit(url, "/rate", {"case_no": new["case_no"], "level": "4"})
    assert no_password.status_code == 422 and "请输入查询密码" in no_password.text
    assert ratings(db) == []
