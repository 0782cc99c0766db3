"""政务百科 tooltips: the ``glossary`` filter, and a real headless Chromium hovering a marked term on the
service-guide page and on a policy page of a running app."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import Markup

from tests.browser import chromium_page
from tests.knowledge.helpers import publish
from tests.world import World
from web import glossary

ROOT = Path(__file__).resolve().parents[2]
TERM = "交通疏导方案"
EXPLANATION = "施工占用道路期间，为保障车辆和行人安全通行而制定的临时交通组织方案，须经公安交通管理部门同意。"
POLICY = {
    "doc_no": "开管发〔2026〕7号",
    "issuer": "开发区管委会",
    "title": "关于规范道路施工交通组织的通知",
    "summary": "规范道路施工期间的交通组织。",
    "sections": [
        {"heading": "一、基本要求", "text": "施工单位应当在开工前编制交通疏导方案，并按方案设置围挡和标志。"},
    ],
    "interpretation": {"background": "道路施工影响通行。", "key_points": ["开工前编制方案"]},
}


# ---------------------------------------------------------------- the filter


def test_filter_escapes_marks_longest_term_once_and_never_nests(client: TestClient, curators: World) -> None:
    publish(client, curators, "glossary", {"term": "施工方案", "explanation": "施工组织的书面安排"})
    publish(client, curators, "glossary", {"term": TERM, "explanation": 'A<b>&"引号"'})
    publish(client, curators, "glossary", {"term": "疏导", "explanation": "引导分流"})
    marked = str(glossary.glossary(f"<i>先交{TERM}，再交施工方案；{TERM}另附。"))
    assert marked.startswith("&lt;i&gt;先交")
    assert marked.count('class="term"') == 2  # 交通疏导方案 once, 施工方案 once; 疏导 only inside the longer term
    assert f'data-tip="A&lt;b&gt;&amp;&#34;引号&#34;">{TERM}<sup>?</sup>' in marked
    assert '<span class="tip" role="tooltip">A&lt;b&gt;&amp;&#34;引号&#34;</span>' in marked
    assert f"；{TERM}另附" in marked  # the second occurrence stays plain
    assert "引导分流" not in marked
    assert str(glossary.glossary("疏导车辆")).count('class="term"') == 1
    assert str(glossary.glossary(None)) == ""


def test_a_term_inside_a_law_title_or_a_link_is_not_marked(client: TestClient, curators: World) -> None:
    publish(client, curators, "glossary", {"term": "行政许可", "explanation": "行政机关准予从事特定活动的行为"})
    marked = str(glossary.glossary("依据《中华人民共和国行政许可法》第三十条办理行政许可。"))
    assert "《中华人民共和国行政许可法》" in marked  # the title reads as printed, no <sup>?</sup> inside it
    assert marked.count('class="term"') == 1
    assert marked.index('class="term"') > marked.index("》")
    url = "详见 https://example.org/行政许可/指南 。"
    assert 'class="term"' not in str(glossary.glossary(url))
    link = Markup('<a href="/knowledge/laws/1">行政许可法</a>：行政许可事项')
    linked = str(glossary.glossary(link))
    assert linked.startswith('<a href="/knowledge/laws/1">行政许可法</a>：')  # markup kept, the link left alone
    assert linked.count('class="term"') == 1


def test_guide_page_marks_terms_and_an_archived_term_disappears(client: TestClient, curators: World) -> None:
    term_id = publish(client, curators, "glossary", {"term": TERM, "explanation": EXPLANATION})
    page = client.get(f"/guides/{curators.item.id}").text
    assert f'<span class="term" tabindex="0" data-tip="{EXPLANATION}">{TERM}<sup>?</sup>' in page
    archived = client.post(f"/api/v1/knowledge/glossary/{term_id}/archive", headers=curators.auth("reviewer"))
    assert archived.status_code == 200
    assert 'class="term"' not in client.get(f"/guides/{curators.item.id}").text


# ---------------------------------------------------------------- a real browser


@pytest.mark.slow  # Chromium on the app served by uvicorn
@pytest.mark.one_pass("sqlite")
def test_hovering_or_focusing_a_term_shows_its_explanation_in_chromium(
    client: TestClient, curators: World, live_app: str
) -> None:
    publish(client, curators, "glossary", {"term": TERM, "explanation": EXPLANATION})
    policy_id = publish(client, curators, "policy", POLICY)
    with chromium_page() as page:
        page.goto(f"{live_app}/guides/{curators.item.id}")
        term = page.locator("#conditions .term").first
        tip = term.locator(".tip")
        assert term.inner_text().startswith(TERM)
        assert tip.is_hidden()
        term.hover()
        tip.wait_for(state="visible")
        assert tip.is_visible() and tip.inner_text() == EXPLANATION
        box = tip.bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 10
        page.mouse.move(0, 0)
        tip.wait_for(state="hidden")
        term.focus()  # keyboard users and a tap on a phone focus the term
        tip.wait_for(state="visible")

        page.goto(f"{live_app}/knowledge/policies/{policy_id}")
        term = page.locator("#section-1 .term").first
        tip = term.locator(".tip")
        assert tip.is_hidden()
        term.hover()
        tip.wait_for(state="visible")
        assert tip.inner_text() == EXPLANATION
