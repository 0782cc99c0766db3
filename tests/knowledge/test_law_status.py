"""Laws carry their standing: the law page and search say when a law is repealed and what replaced it, search ranks
the law in force first, curators keep the status and dates consistent, and every seed rule cites a stored article."""

import json
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from core.rules.document import RuleSetDocument
from core.rules.seed import initial_document
from core.seed import demo
from knowledge import citations, excel, service, workflow
from knowledge.models import Law
from knowledge.plugin import seed
from knowledge.seed_loader import top_up_laws
from tests.knowledge.helpers import draft, search
from tests.world import World
from web.knowledge_forms import data_from_values

ENERGY_2025 = "固定资产投资项目节能审查和碳排放评价办法"
ENERGY_2023 = "固定资产投资项目节能审查办法"
OLD_RULES = RuleSetDocument.model_validate(
    json.loads((Path(__file__).parents[1] / "rules" / "ruleset_2023.json").read_text(encoding="utf-8"))
)


@pytest.fixture
def laws(db: Session) -> dict[str, Law]:
    """The seed laws, published (as on a database seeded before any FAQ)."""
    assert top_up_laws(db) >= 30
    return {law.title: law for law in service.list_laws(db=db)}


def test_the_repealed_measure_says_so_on_its_page_with_its_replacement(
    client: TestClient, laws: dict[str, Law]
) -> None:
    old, new = laws[ENERGY_2023], laws[ENERGY_2025]
    page = client.get(f"/knowledge/laws/{old.id}").text
    assert '<span class="badge law-repealed" id="law-status">已废止</span>' in page
    assert "本法规已于2025-09-01废止" in page and "<dt>废止日期</dt><dd>2025-09-01</dd>" in page
    assert f'<a href="/knowledge/laws/{new.id}" id="law-replacement">《{ENERGY_2025}》</a>' in page
    assert "<dt>施行日期</dt><dd>2023-06-01</dd>" in page
    assert page.count('<span class="badge">摘要</span>') == 2 and "不是法规原文" in page

    current = client.get(f"/knowledge/laws/{new.id}").text
    assert '<span class="badge law-in_force" id="law-status">现行有效</span>' in current
    assert 'id="law-notice"' not in current and "<dt>施行日期</dt><dd>2025-09-01</dd>" in current
    assert f'<a href="/knowledge/laws/{old.id}">《{ENERGY_2023}》</a>（2025-09-01废止）' in current
    assert "摘要" not in current

    listing = client.get("/knowledge/laws").text
    row = listing[listing.index(f"/knowledge/laws/{old.id}") :]
    assert "已废止" in row[: row.index("</tr>")] and "2025-09-01废止" in row[: row.index("</tr>")]
    bridge = laws["城市桥梁检测和养护维修管理办法"]
    assert bridge.doc_no == "中华人民共和国建设部令第118号" and bridge.effective_on == date(2004, 1, 1)
    assert bridge.legal_status == "in_force"


def test_search_ranks_the_law_in_force_first_and_marks_the_repealed_one(
    client: TestClient, laws: dict[str, Law]
) -> None:
    answer = search(client, "年综合能源消费量不满1000吨标准煤 可不单独编制节能报告", kind="law")
    hits = answer["hits"]
    first = hits[0]
    assert first["title"] == f"《{ENERGY_2025}》第八条" and first["law_status"] == "in_force" and first["notice"] == ""
    repealed = next(h for h in hits if ENERGY_2023 in h["title"])
    assert hits.index(repealed) > 0
    assert repealed["title"] == f"《{ENERGY_2023}》第八条（已废止）" and repealed["law_status"] == "repealed"
    assert repealed["notice"] == f"该法规已于2025年9月1日废止，现行规定见《{ENERGY_2025}》。"
    assert repealed["replaced_by_link"] == f"/knowledge/laws/{laws[ENERGY_2025].id}"

    # the old wording matches the repealed article best; the law in force still comes first
    old_words = search(client, "年电力消费量不满500万千瓦时的项目可不单独编制节能报告", kind="law")["hits"]
    assert ENERGY_2025 in old_words[0]["title"] and old_words[0]["law_status"] == "in_force"
    assert old_words[1]["title"] == f"《{ENERGY_2023}》第八条（已废止）"
    everything = search(client, "年电力消费量不满500万千瓦时的项目可不单独编制节能报告")["hits"]
    titles = [h["title"] for h in everything]
    assert titles.index(f"《{ENERGY_2023}》第八条（已废止）") > min(i for i, t in enumerate(titles) if ENERGY_2025 in t)

    page = client.get("/knowledge/search", params={"q": "年电力消费量不满500万千瓦时", "kind": "law"}).text
    assert '<span class="badge law-repealed">已废止</span>' in page
    assert f"现行规定见《{ENERGY_2025}》" in page and "查看现行规定" in page
    assert page.index(f"《{ENERGY_2025}》") < page.index(f"《{ENERGY_2023}》第八条（已废止）")


def test_every_enabled_seed_rule_cites_a_stored_law_article(laws: dict[str, Law]) -> None:
    document = initial_document()
    assert citations.uncited_rules(laws.values(), document) == []
    for rule in (r for r in document.rules if r.enabled):
        cited = citations.cited_articles(rule, laws)
        assert cited, rule.code
        assert all(law.legal_status == "in_force" for law, _ in cited), rule.code
    assert citations.law_alerts(laws.values(), document, published_at=datetime(2026, 1, 1)) == []


def test_rules_citing_the_repealed_measure_are_flagged(laws: dict[str, Law]) -> None:
    alerts = citations.law_alerts(laws.values(), OLD_RULES, published_at=datetime(2024, 1, 1))
    assert {a.rule_code for a in alerts} == {"energy_by_coal", "energy_by_electricity"}
    for alert in alerts:
        assert alert.message == f"《{ENERGY_2023}》已于2025年9月1日废止，现行规定见《{ENERGY_2025}》"
        assert alert.replaced_by is not None and alert.replaced_by.title == ENERGY_2025


def test_a_law_amended_after_the_version_was_published_is_flagged_until_a_later_version(
    db: Session, curators: World, laws: dict[str, Law]
) -> None:
    planning = laws["中华人民共和国城乡规划法"]
    data = {**workflow.current_data(db, "law", planning.id), "amended_on": "2026-06-01"}
    revision = workflow.create_draft(db, curators.users["editor"], "law", data, planning.id)
    workflow.submit(db, curators.users["editor"], revision)
    workflow.approve(db, curators.users["reviewer"], revision)
    document = initial_document()
    before = citations.law_alerts(service.list_laws(db=db), document, published_at=datetime(2026, 3, 1))
    assert {a.rule_code for a in before} >= {"land_allocated", "land_allocated_filing", "planning_new_works"}
    assert all("于2026年6月1日修改，晚于本版规则发布（2026年3月1日）" in a.message for a in before)
    after = citations.law_alerts(service.list_laws(db=db), document, published_at=datetime(2026, 6, 2))
    assert after == []


def test_citations_are_read_as_people_write_them() -> None:
    found = citations.parse("《城市道路管理条例》第三十条至第三十三条；《中华人民共和国消防法》第十一条、第十三条")
    assert found == [
        citations.Citation("城市道路管理条例", ("第三十条", "第三十一条", "第三十二条", "第三十三条")),
        citations.Citation("中华人民共和国消防法", ("第十一条", "第十三条")),
    ]
    assert citations.parse("《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）") == [
        citations.Citation("国务院对确需保留的行政审批项目设定行政许可的决定")
    ]
    for number in (1, 10, 12, 20, 36, 105, 110, 214, 400, 402):
        assert citations.to_int(citations.to_numeral(number)) == number


BASE: dict[str, Any] = {
    "doc_no": "测试令第1号",
    "issuer": "测试机关",
    "title": "测试管理办法",
    "category": "部门规章",
    "published_on": "2020-01-01",
    "effective_on": "2020-03-01",
    "articles": [{"number": "第一条", "text": "为了测试，制定本办法。"}],
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"legal_status": "repealed"}, "已废止的法规请填写废止日期"),
        ({"legal_status": "repealed", "repealed_on": "2019-12-31"}, "废止日期不能早于施行日期"),
        ({"repealed_on": "2021-01-01"}, "只有已废止的法规才填写废止日期"),
        ({"legal_status": "amended"}, "已修改的法规请填写修改后的施行日期"),
        ({"amended_on": "2020-02-01"}, "修改日期不能早于施行日期"),
        ({"effective_on": "2019-01-01"}, "施行日期不能早于公布日期"),
        ({"legal_status": "lapsed"}, "效力状态只能选择：现行有效、已修改、已废止"),
        ({"replaced_by_id": 1}, "现行有效的法规没有替代法规"),
    ],
)
def test_inconsistent_status_and_dates_are_refused_in_chinese(
    client: TestClient, curators: World, changes: dict[str, Any], message: str
) -> None:
    error = draft(client, curators, "law", {**BASE, **changes}, expect=422)["error"]
    assert message in error["message"]


def test_replacements_must_exist_and_never_loop(db: Session, curators: World, laws: dict[str, Law]) -> None:
    editor = curators.users["editor"]
    new = laws[ENERGY_2025]
    with pytest.raises(ValidationFailed, match="所选的替代法规不存在"):
        workflow.create_draft(
            db,
            editor,
            "law",
            {**BASE, "legal_status": "repealed", "repealed_on": "2021-01-01", "replaced_by_id": 999_999},
        )
    loop = {**workflow.current_data(db, "law", new.id), "legal_status": "amended", "amended_on": "2026-01-01"}
    loop["replaced_by_id"] = laws[ENERGY_2023].id  # which is replaced by this one
    with pytest.raises(ValidationFailed, match="替代关系不能循环"):
        workflow.create_draft(db, editor, "law", loop, new.id)


def test_the_admin_form_reads_summaries_and_the_status() -> None:
    values = {
        **{k: v for k, v in BASE.items() if k != "articles"},
        "legal_status": "repealed",
        "repealed_on": "2025-09-01",
        "replaced_by_id": "",
        "amended_on": "",
        "sort_order": "",
        "articles": "第一条 为了测试，制定本办法。\n\n第八条（摘要） 达到标准的须审查。",
    }
    data = data_from_values("law", values)
    assert data["legal_status"] == "repealed" and data["repealed_on"] == "2025-09-01"
    assert data["articles"][1] == {"number": "第八条", "text": "达到标准的须审查。", "summary": True}
    with pytest.raises(ValidationFailed, match="已废止的法规请填写废止日期"):
        data_from_values("law", {**values, "repealed_on": ""})


def test_an_excel_round_trip_keeps_the_standing(db: Session, curators: World, laws: dict[str, Law]) -> None:
    content = excel.export_workbook(db, "law")
    book = load_workbook(BytesIO(content))
    header = [c.value for c in book["法律法规"][1]]
    assert header[-4:] == ["效力状态", "修改日期", "废止日期", "替代法规"]
    row = next(r for r in book["法律法规"].iter_rows(min_row=2, values_only=True) if r[3] == ENERGY_2023)
    assert row[-4:] == ("已废止", None, "2025-09-01", ENERGY_2025)
    assert excel.import_workbook(db, curators.users["editor"], "law", content) == 0, "nothing changed"


def test_an_older_database_gets_the_new_laws_once(db: Session) -> None:
    demo.ensure_roles(db)
    demo.seed_items(db, demo.seed_departments(db))
    db.commit()
    seed(db)  # the whole demo knowledge
    count = len(service.list_laws(db=db))
    bridge = db.scalar(select(Law).where(Law.title == "城市桥梁检测和养护维修管理办法"))
    assert bridge is not None
    db.delete(bridge)
    db.commit()
    seed(db)  # FAQs exist: only the missing law comes back
    assert len(service.list_laws(db=db)) == count
    seed(db)
    assert len(service.list_laws(db=db)) == count
