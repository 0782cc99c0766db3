"""What each adapter sends, in its counterpart's fields: the project approval of a major project's case by its
project code, the four planning and construction documents, outdoor-advertising results, the monthly aggregate feeds,
items for 事项信息比对 both ways; local codes translated by the configured code tables; signatures that refuse a
tampered or replayed request."""

from datetime import date, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channels.exchange import pull, signing
from core import clock
from core.cases.models import Case
from core.exchange.adapters import ADAPTERS
from core.exchange.adapters.city_feeds import monthly
from core.exchange.models import ExchangeRecord
from core.exchange.scheduled import nightly
from core.major_projects.models import MajorProject
from core.settings import get_settings
from tests.exchange.conftest import deliver_all, licence_for_case, make_cases
from tests.exchange.test_inbound import PROJECT_CODE, major_project
from tests.fakes.exchange_platform import FakeExchange
from tests.world import World


def test_a_major_projects_approval_goes_to_the_investment_platform_by_its_project_code(
    world: World, db: Session, fake_exchange: FakeExchange
) -> None:
    node = major_project(db, world)
    ids = make_cases(db, world, 3)
    db.execute(update(Case).where(Case.id == ids[0]).values(major_project_id=node.major_project_id))
    db.commit()
    licence_for_case(db, ids[0], "建筑工程施工许可证")
    clock.freeze(datetime(2026, 9, 22, 2, 0))
    nightly(force=True)
    deliver_all()
    case_no = db.scalar(select(Case.case_no).where(Case.id == ids[0]))
    assert fake_exchange.ids("investment", "approval") == {case_no}  # only the project's case
    approval = fake_exchange.filed[("investment", "approval", case_no)].data
    assert approval["XMDM"] == PROJECT_CODE and approval["SPJG"] == "0" and approval["PFWH"] == f"ZZ{ids[0]:08d}"
    # the same licence is one of the four documents: 一书三证 gets it, with its number
    assert fake_exchange.ids("four_certs", "licence") == {f"ZZ{ids[0]:08d}"}
    assert fake_exchange.filed[("four_certs", "licence", f"ZZ{ids[0]:08d}")].data["ZZMC"] == "建筑工程施工许可证"


def test_outdoor_advertising_results_and_the_monthly_feeds(
    world: World, db: Session, fake_exchange: FakeExchange
) -> None:
    ids = make_cases(db, world, 6)
    db.execute(update(Case).where(Case.id.in_(ids[:3])).values(service_item_id=world.joint_item.id))
    db.commit()
    clock.freeze(datetime(2026, 9, 22, 2, 0))
    nightly(force=True)
    deliver_all()
    ads = fake_exchange.ids("outdoor_ads", "ad_result")
    concluded = set(db.scalars(select(Case.case_no).where(Case.id.in_(ids[:3]), Case.conclusion_result.is_not(None))))
    assert ads == concluded and ads
    feeds = {k[2]: f.data for k, f in fake_exchange.filed.items() if k[:2] == ("city_brain", "aggregate")}
    assert set(feeds) == {"2026-09:DA:" + world.item.code, "2026-09:DA:" + world.joint_item.code}
    figures = feeds["2026-09:DA:" + world.item.code]
    assert (figures["SLS"], figures["BJS"], figures["AQL"]) == (3, 1, "100.0")
    assert {k[2] for k in fake_exchange.filed if k[:2] == ("smart_city", "aggregate")} == set(feeds)


def test_the_monthly_feed_counts_overdue_cases(world: World, db: Session) -> None:
    ids = make_cases(db, world, 4)
    db.execute(update(Case).where(Case.id == ids[0]).values(first_overdue_at=datetime(2026, 9, 21, 18, 0)))
    db.commit()
    (feed,) = monthly(db, date(2026, 9, 30))
    assert (feed.payload["BJS"], feed.payload["AQBJS"], feed.payload["YQS"], feed.payload["AQL"]) == (2, 1, 1, "50.0")


def test_local_codes_go_out_as_the_counterparts(
    world: World, db: Session, fake_exchange: FakeExchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = get_settings().exchange_counterparts["gov_service"]
    monkeypatch.setattr(config, "code_maps", {"SSBMBM": {"DA": "11511602MB1234567X"}})
    make_cases(db, world, 2)
    clock.freeze(datetime(2026, 9, 22, 2, 0))
    nightly(force=True)
    deliver_all()
    sent = [f.data for k, f in fake_exchange.filed.items() if k[:2] == ("gov_service", "case")]
    assert {d["SSBMBM"] for d in sent} == {"11511602MB1234567X"}


def test_provincial_items_are_compared_with_ours(world: World, db: Session, fake_exchange: FakeExchange) -> None:
    ours = world.item
    fake_exchange.plant(
        "gov_service",
        "item",
        ours.code,
        {
            "SXBM": ours.code,
            "SXMC": ours.name,
            "SXLX": "行政许可",
            "SSBMBM": "DA",
            "SSBMMC": "城市管理局",
            "FDSX": str(ours.statutory_limit),
            "CNSX": "3",
            "SXDW": "工作日",
            "BJLX": "2",
            "SFBZ": "不收费",
            "BGSJ": "2026-09-20 10:00:00",
        },
    )
    pull.pull("gov_service")
    row = db.scalar(select(ExchangeRecord).where(ExchangeRecord.direction == "in"))
    assert row is not None and row.status == "confirmed"
    assert row.outcome == f"信息不一致：承诺时限（本方 {ours.promised_limit}，对方 3）"


def test_every_adapter_declares_what_it_exchanges() -> None:
    assert set(ADAPTERS) == {
        "gov_service",
        "investment",
        "four_certs",
        "smart_city",
        "city_brain",
        "outdoor_ads",
        "data_center",
    }
    assert ADAPTERS["gov_service"].sends == ("item", "case", "step", "result")
    assert ADAPTERS["investment"].receives == ("approval",)
    assert not ADAPTERS["data_center"].pushes
    assert all(a.when for a in ADAPTERS.values())


def test_signatures_refuse_tampering_and_replay() -> None:
    nonces = signing.NonceCache()
    body = b'{"records":[]}'
    headers = signing.sign("app", "secret", "POST", "/gov_service/records/case", body, at=1_000_000)

    def check(**changes: object) -> str:
        given = {"secret": "secret", "target": "/gov_service/records/case", "body": body, "now": 1_000_010.0} | changes
        return signing.verify(
            str(given["secret"]),
            "POST",
            str(given["target"]),
            given["body"],  # type: ignore[arg-type]
            headers,
            window=300,
            nonces=nonces,
            now=float(given["now"]),  # type: ignore[arg-type]
        )

    assert check(body=b'{"records":[1]}') == "请求内容与签名中的摘要不一致"
    assert check(target="/gov_service/records/step") == "签名不正确"
    assert check(secret="other") == "签名不正确"
    assert check(now=1_000_400.0) == "签名已过期或时间不同步（时间戳超出允许范围）"
    assert check() == ""
    assert check() == "重复的请求（随机数已使用过）"


def test_an_unknown_project_is_quarantined_not_guessed(world: World, db: Session, fake_exchange: FakeExchange) -> None:
    assert db.scalar(select(MajorProject.id)) is None
    fake_exchange.plant(
        "investment",
        "approval",
        "CITY-9",
        {
            "XMDM": PROJECT_CODE,
            "XMMC": "某项目",
            "SPSXBM": "SGXK",
            "SPSXMC": "施工许可",
            "SPBM": "市住建局",
            "SLSJ": "2026-09-10 09:30:00",
        },
    )
    assert pull.pull("investment").quarantined == 1
