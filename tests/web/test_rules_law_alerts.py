"""The rules admin pages list the rules whose cited law was repealed or amended after the version was published,
so nobody has to remember to look; the dry-run lists the projects it cannot re-derive for lack of an answer."""

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from core.projects import rule_updates
from core.rules import service as rules_service
from core.rules.document import RuleSetDocument
from knowledge import service as knowledge_service
from knowledge.seed_loader import top_up_laws
from tests.projects import conftest as project_fixtures
from tests.projects.conftest import Filing
from tests.web.conftest import Browser

filing = project_fixtures.filing
RULES = "/admin/filing/rules"
OLD_RULES = RuleSetDocument.model_validate(
    json.loads((Path(__file__).parents[1] / "rules" / "ruleset_2023.json").read_text(encoding="utf-8"))
)


def _entry(page: str, marker: str) -> str:
    rest = page[page.index(marker) :]
    return rest[: rest.index("</li>")]


def test_rules_citing_the_repealed_energy_measure_are_listed_until_the_update(
    filing: Filing, db: Session, browser: Callable[[str], Browser]
) -> None:
    top_up_laws(db)
    version = rules_service.published(db)
    assert version is not None
    version.document = OLD_RULES.model_dump(mode="json")  # a database seeded with the 2023 rules
    db.commit()
    laws = {law.title: law for law in knowledge_service.list_laws(db=db)}
    new = laws["固定资产投资项目节能审查和碳排放评价办法"]

    admin = browser("admin")
    page = admin.get(RULES).text
    assert "现行第 1 版规则引用的法规" in page
    for code in ("energy_by_coal", "energy_by_electricity"):
        entry = _entry(page, f'id="law-alert-{code}"')
        assert "《固定资产投资项目节能审查办法》" in entry and "已于2025年9月1日废止" in entry
        assert f'<a href="/knowledge/laws/{new.id}">查看《固定资产投资项目节能审查和碳排放评价办法》</a>' in entry
    assert page.count('id="law-alert-') == 2
    uncited = page[page.index('id="uncited"') :]
    uncited = uncited[: uncited.index("</p>")]  # the 2023 rules named the measure without an article
    assert "（energy_by_coal）" in uncited and "（energy_by_electricity）" in uncited and uncited.count("（") == 3

    admin.submit(RULES, f"{RULES}/draft", {})
    draft_page = admin.get(f"{RULES}/draft").text
    assert "草稿引用的法规" in draft_page and 'id="law-alert-energy_by_coal"' in draft_page

    dry_run = admin.submit(f"{RULES}/draft", f"{RULES}/draft/dry-run", {}).text
    assert "试算结果：0 个项目的流程将发生变化" in dry_run
    admin.submit(RULES, f"{RULES}/draft/discard", {})

    db.rollback()  # a new transaction sees what the requests committed
    reports = rule_updates.apply_pending(db)  # the 2025 energy measure, then the catalogue's names
    db.commit()
    assert [report.version for report in reports] == [2, 3]
    page = admin.get(RULES).text
    assert "现行第 3 版规则引用的法规" in page and 'id="law-alerts-none"' in page
    assert 'id="law-alert-' not in page and 'id="uncited"' not in page


def test_a_rule_citing_no_stored_article_is_named(
    filing: Filing, db: Session, browser: Callable[[str], Browser]
) -> None:
    top_up_laws(db)
    version = rules_service.published(db)
    assert version is not None
    document = rules_service.document_of(version)
    rule = document.rule("advertising")
    assert rule is not None
    rule.legal_basis = "《开发区户外广告设置管理规定》第五条"
    version.document = document.model_dump(mode="json")
    db.commit()

    page = browser("admin").get(RULES).text
    uncited = page[page.index('id="uncited"') :]
    assert "设置户外广告须经批准（advertising）" in uncited[: uncited.index("</p>")]
