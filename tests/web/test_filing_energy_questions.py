"""The filing wizard's energy questions: the annual coal use is asked with the other energy figures, and the
regional-review question appears once the figures call for a review, named when the filer derives without it."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from core.projects.models import Project
from tests.projects import conftest as project_fixtures
from tests.projects.conftest import FACTORY_ANSWERS, Filing
from tests.web.conftest import Browser
from tests.web.test_filing_portal import _asked, _field_block, _form_of, _new_project, _save

filing = project_fixtures.filing


def test_a_review_sized_project_is_asked_about_the_regional_review_and_told_the_route(
    browser: Callable[..., Browser], filing: Filing, db: Session
) -> None:
    filer = browser("citizen")
    project_id, first = _new_project(filer)
    asked = _asked(first)
    assert asked.index("energy_tce") < asked.index("electricity_kwh") < asked.index("coal_tonnes")
    assert "regional_energy_review" not in asked
    coal = _field_block(first, "coal_tonnes")
    assert "年煤炭消费量" in coal and "吨" in coal and "不折算标准煤" in coal

    heavy = {**FACTORY_ANSWERS, "energy_tce": 950.0, "coal_tonnes": 1300.0}
    response = _save(filer, project_id, _form_of(heavy), action="derive")
    assert response.status_code == 422
    assert "请先回答：是否位于已实施区域节能审查的区域" in _field_block(response.text, "regional_energy_review")

    response = _save(filer, project_id, {"regional_energy_review": "yes"}, action="derive")
    assert response.status_code == 200, response.text
    page = response.text
    assert "固定资产投资项目节能审查" in page and "年煤炭消费量 1,300吨，达到1000吨" in page
    assert "节能审查实行告知承诺制" in page and "节能审查告知承诺书" in page
    db.rollback()  # a fresh snapshot of what the app committed
    assert db.get_one(Project, project_id).indicators["coal_tonnes"] == 1300.0

    bad = _save(filer, project_id, {"coal_tonnes": "-5"})
    assert bad.status_code == 422 and "年煤炭消费量不能为负数" in _field_block(bad.text, "coal_tonnes")
