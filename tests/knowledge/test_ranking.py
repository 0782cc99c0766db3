"""Search understands which item a question is about and what it asks (issue 15): the recogniser finds items by
name, alias, colloquial term and with a typo; the ranking puts the named item's guide, the article a question
names, penalty articles for penalty questions and a policy's amounts for "how much" first; questions outside the
platform's services are not "answered"; the home page's search reaches items. Phrasings here are fresh or from
the dev split of tests/knowledge/colloquial_questions.json, never from its test split."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.items.models import ServiceItem
from knowledge.search import ranking, service
from knowledge.search.engine import Document, Hit
from knowledge.search.evaluation import target_of
from knowledge.search.facets import facets
from knowledge.search.recognise import Recogniser, phrases_of
from knowledge.search.snippets import excerpt, plain, snippet


def top(db: Session, q: str, n: int = 1) -> list[str]:
    return [target_of(h) for h in service.search(db, q, limit=max(n, 3))[:n]]


def test_recogniser_knows_names_aliases_typos_and_split_phrases() -> None:
    known = Recogniser()
    known.add(1, "建筑工程施工许可证核发", phrases_of("建筑工程施工许可证核发", ["施工许可证", "施工证"]))
    known.add(2, "砍伐、移植城市树木审批", phrases_of("砍伐、移植城市树木审批", ["砍树", "树…砍"]))
    known.add(3, "商品房预售许可", phrases_of("商品房预售许可", ["预售证"]))
    assert "建筑工程施工许可证" in known.phrases(1)  # the name without 核发

    plainly = known.recognise("建筑工程施工许可证核发要多久")
    assert plainly is not None and plainly.item_id == 1 and plainly.exact
    by_alias = known.recognise("施工证去哪里办")
    assert by_alias is not None and (by_alias.item_id, by_alias.matched) == (1, "施工证")
    typo = known.recognise("我想问下施工许可整怎么申请")
    assert typo is not None and typo.item_id == 1 and typo.matched == "施工许可整" and not typo.exact
    apart = known.recognise("院子里那棵树能不能砍")
    assert apart is not None and apart.item_id == 2 and apart.matched == "树能不能砍"
    assert known.recognise("今天天气怎么样") is None
    assert known.recognise("施工") is None  # a fragment is not a name


def test_article_numbers_in_arabic_or_chinese() -> None:
    assert ranking.article_numbers("城乡规划法第40条说了啥") == {"第四十条"}
    assert ranking.article_numbers("民法典第209条和第二百一十五条") == {"第二百零九条", "第二百一十五条"}
    assert ranking.chinese_number(110) == "一百一十" and ranking.chinese_number(12) == "十二"
    assert ranking.asks("有什么人才补贴政策") == {"amounts"}
    assert "penalty" in ranking.asks("没领证就干了会怎么罚")


def test_snippets_have_no_gaps_between_chinese_words_and_end_at_a_sentence() -> None:
    assert plain("申请领取施工\n许可证，应当具备 下列条件") == "申请领取施工许可证，应当具备下列条件"
    assert plain("use the  API  now") == "use the API now"
    long = "第一句话说明办理条件。" * 40
    cut = excerpt(long, 100)
    assert cut.endswith("。") and len(cut) <= 100
    assert "施工 许可证" not in snippet("申请施工\n许可证需要满足条件。", ["许可证"])


def test_the_named_item_and_what_is_asked_decide_the_first_hit(seeded: Session) -> None:
    # conditions of a permit: its guide or the article listing the conditions, not 商品房预售
    assert top(seeded, "施工许可证需要满足哪些条件")[0] in {
        "item:建筑工程施工许可证核发",
        "law:中华人民共和国建筑法|第八条",
    }
    # an item named by no word of its name
    assert top(seeded, "楼下的树想移走需要办什么手续") == ["item:砍伐、移植城市树木审批"]
    # the home page's own placeholder, and the colloquial way to say it
    assert top(seeded, "道路挖掘") == ["item:占用、挖掘城市道路审批"]
    assert top(seeded, "开餐馆") == ["item:食品经营许可"]
    # a penalty question gets the article that sets the penalty
    first = service.search(seeded, "没领施工许可证就动工了要罚款吗", limit=3)[0]
    assert first.document.kind == "law" and "罚款" in first.document.snippet_source
    # a benefit question gets the section with the amounts
    assert top(seeded, "人才安居补贴标准是怎样的")[0] in {
        "policy:XX经济开发区高层次人才安居补贴办法 · 二、购房补贴",
        "policy:XX经济开发区高层次人才安居补贴办法 · 三、租房补贴",
    }


def test_whether_something_needs_a_permit_is_a_question_of_conditions(seeded: Session) -> None:
    for q in ("棋牌室要办卫生许可吗", "门口装个广告牌需要审批吗", "小仓库要不要去备案", "修个车棚用不用报批"):
        assert "conditions" in facets(q), q
    for q in ("食品经营许可证要带什么材料", "开办企业一天能办完吗", "营运车辆上路要带营运证吗"):
        assert "conditions" not in facets(q), q
    # so the FAQ on who needs the permit comes before the item's whole guide, or another FAQ that shares a word
    assert top(seeded, "超市门口挂个招牌要报批吗") == ["faq:店铺门头招牌也要办理户外广告设置审批吗？"]
    assert top(seeded, "建个小仓库要去备案吗") == ["faq:哪些项目适用企业投资项目备案，备案证有有效期吗？"]


def test_an_article_number_the_question_names_wins(seeded: Session) -> None:
    assert top(seeded, "城乡规划法第40条是怎么规定的") == ["law:中华人民共和国城乡规划法|第四十条"]
    assert top(seeded, "城乡规划法第四十二条讲的什么") == ["law:中华人民共和国城乡规划法|第四十二条"]


@pytest.mark.parametrize("q", ["今天天气怎么样", "红烧肉怎么做", "股票明天会涨吗", "推荐一部好看的电影"])
def test_questions_outside_the_services_are_not_answered(seeded: Session, q: str) -> None:
    hits: list[Hit] = service.search(seeded, q, limit=3)
    assert not service.is_answered(hits)


def test_search_api_names_the_item_and_whether_the_answer_is_clear(seeded: Session, client: TestClient) -> None:
    item_id = seeded.scalar(select(ServiceItem.id).where(ServiceItem.name == "烟草专卖零售许可证核发"))
    body = client.get("/api/v1/knowledge/search", params={"q": "小卖部卖烟要办啥证"}).json()
    assert body["recognised_item"] == {"id": item_id, "name": "烟草专卖零售许可证核发", "matched": "卖烟"}
    assert body["answered"] is True and body["clear"] is True
    first = body["hits"][0]
    assert first["key"] == f"item:{item_id}" and first["link"] == f"/guides/{item_id}" and first["kind"] == "item"
    assert first["kind_label"] == "办事指南" and first["citation"] == "《烟草专卖零售许可证核发》"
    law = client.get("/api/v1/knowledge/search", params={"q": "城乡规划法第四十二条讲的什么", "kind": "law"}).json()
    assert law["hits"][0]["citation"] == "《中华人民共和国城乡规划法》第四十二条"
    assert "》》" not in law["hits"][0]["citation"] and law["recognised_item"] is None
    items = client.get("/api/v1/knowledge/search", params={"q": "二手房买卖办证", "kind": "item"}).json()
    assert items["hits"] and {h["kind"] for h in items["hits"]} == {"item"}
    vague = client.get("/api/v1/knowledge/search", params={"q": "红烧肉怎么做"}).json()
    assert vague["answered"] is False and vague["clear"] is False


def test_home_page_search_reaches_items_faqs_and_laws(seeded: Session, client: TestClient) -> None:
    home = client.get("/").text
    assert 'action="/knowledge/search"' in home and "道路挖掘" in home
    found = client.get("/knowledge/search", params={"q": "开餐馆要办什么证"}).text
    assert 'id="recognised"' in found and "食品经营许可" in found and 'href="/guides/' in found
    catalogue = client.get("/guides", params={"q": "道路挖掘"}).text
    assert "占用、挖掘城市道路审批" in catalogue and "没有找到符合条件的事项" not in catalogue
    assert "食品经营许可" in client.get("/guides", params={"q": "开餐馆"}).text


def test_a_focused_question_is_answered_at_a_lower_confidence() -> None:
    # a penalty, rule or deadline question, or one naming an item, is a service question even when its everyday
    # words match the article weakly; a question that only shares a word with the catalogue is not
    assert ranking.focused("没领到许可证就先营业了会被怎么处罚", named=False)
    assert ranking.focused("营业执照改名要多少天内去办", named=False)
    assert ranking.focused("随便说点什么", named=True)
    assert not ranking.focused("宇宙飞船发射许可要什么材料", named=False)
    assert not ranking.focused("帮我订酒店", named=False)
    article = Document("law:1:第一条", "law", "《某法》第一条", "/knowledge/laws/1", (("text", 1.0),), "text")
    weak = [Hit(document=article, score=1.0, confidence=0.25, snippet="")]
    assert service.is_answered(weak, focused=True) and not service.is_answered(weak)
    assert not service.is_answered([Hit(document=article, score=1.0, confidence=0.15, snippet="")], focused=True)


def test_questions_outside_the_services_stay_unanswered_whatever_their_cue_words(seeded: Session) -> None:
    for q in ("量子纠缠实验室备案", "宇宙飞船发射许可要什么材料", "红烧肉怎么做"):
        found = service.find(seeded, q, limit=3)
        assert not service.is_answered(found.hits, focused=found.focused), q
