"""The first answer's decision (actions/choice.py) on search results shaped as the API gives them, and answers
that never stop mid-sentence. The decision is pure; the actions' use of it against captured answers of the real
API is in test_actions.py / test_first_answer.py."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from actions.choice import asks_about_penalty, decide, item_id_of, opens_business, was_cut, whole_sentences
from actions.knowledge import format_answer


def hit(kind: str, title: str, link: str, confidence: float = 0.8, **more: Any) -> Dict[str, Any]:
    return {
        "kind": kind,
        "key": f"{kind}:{title}",
        "title": title,
        "link": link,
        "score": 1.0,
        "confidence": confidence,
        "snippet": "",
        **more,
    }


ITEM = hit("item", "建筑工程施工许可证核发", "/guides/17")
FAQ = hit("faq", "施工许可证要什么条件？", "/knowledge/faqs/12")
LAW = hit("law", "《中华人民共和国建筑法》第六十四条", "/knowledge/laws/5#第六十四条")
RECOGNISED = {"id": 17, "name": "建筑工程施工许可证核发", "matched": "施工许可"}


def result(
    hits: List[Dict[str, Any]], *, answered: bool = True, clear: bool = True, item: Any = None
) -> Dict[str, Any]:
    return {"query": "q", "answered": answered, "clear": clear, "recognised_item": item, "hits": hits}


def test_a_penalty_question_is_answered_by_the_law_article_not_the_guide() -> None:
    decision = decide(result([ITEM, LAW, FAQ], item=RECOGNISED), "不办施工许可证就开工会被怎么罚", wants_guide=True)
    assert decision.kind == "law" and decision.hit is LAW


@pytest.mark.parametrize(
    "text",
    [
        "擅自砍伐树木怎么处罚",
        "没办证就开业要承担什么法律责任",
        "无证经营会被罚款吗",
        "施工许可证过期了还施工会怎么样的后果",
    ],
)
def test_penalty_questions_are_recognised(text: str) -> None:
    assert asks_about_penalty(text)


@pytest.mark.parametrize("text", ["施工许可证要什么材料", "户外广告审批多久", "开个火锅店要办哪些证"])
def test_ordinary_questions_are_not_penalty_questions(text: str) -> None:
    assert not asks_about_penalty(text)


def test_the_guide_intent_takes_the_recognised_item_when_the_ranking_is_unsure() -> None:
    decision = decide(result([ITEM, FAQ], clear=False, item=RECOGNISED), "施工许可证咋办", wants_guide=True)
    assert (decision.kind, decision.item_id, decision.item_name) == ("guide", 17, "建筑工程施工许可证核发")
    unsure = decide(result([FAQ], answered=False, item=RECOGNISED), "施工许可那个", wants_guide=True)
    assert unsure.kind == "guide" and unsure.item_id == 17


def test_an_faq_clearly_first_answers_the_guide_intent_too_naming_the_item() -> None:
    decision = decide(result([FAQ, ITEM], item=RECOGNISED), "施工许可证要什么条件", wants_guide=True)
    assert decision.kind == "answer" and decision.hit is FAQ and decision.item_name == "建筑工程施工许可证核发"


def test_a_question_answers_the_faq_when_it_ranks_first_and_clearly() -> None:
    decision = decide(result([FAQ, ITEM], item=RECOGNISED), "施工许可证要什么条件")
    assert decision.kind == "answer" and decision.hit is FAQ


def test_an_item_hit_on_top_shows_its_guide() -> None:
    assert decide(result([ITEM, FAQ]), "施工许可咋办").kind == "guide"
    assert item_id_of(ITEM) == 17 and item_id_of(FAQ) is None


def test_not_clearly_ahead_offers_the_best_three() -> None:
    hits = [FAQ, LAW, hit("policy", "容缺受理实施办法", "/knowledge/policies/23"), ITEM]
    decision = decide(result(hits, clear=False), "施工那个事咋弄")
    assert decision.kind == "choices" and decision.hits == hits[:3]


def test_a_business_opening_question_lists_the_items_found() -> None:
    food = hit("item", "食品经营许可", "/guides/40")
    licence = hit("item", "个体工商户设立登记", "/guides/41")
    decision = decide(result([FAQ, food, licence], clear=False), "开个小饭馆要办哪些证")
    assert decision.kind == "opening" and decision.hits == [food, licence]
    assert opens_business("想开家奶茶店要办什么证") and opens_business("开一间棋牌室需要什么手续")
    assert not opens_business("施工许可证要什么材料")


def test_nothing_good_enough() -> None:
    unrelated = hit("faq", "办完事怎么评价？", "/knowledge/faqs/3", confidence=0.05)
    assert decide(result([unrelated], answered=False), "宇宙飞船发射").kind == "nothing"
    assert decide(result([], answered=False), "宇宙飞船发射").kind == "nothing"


def test_hits_sharing_some_words_are_offered_as_possible_matches_when_none_answers() -> None:
    tree = hit("faq", "小区里的树影响采光或有安全隐患，能申请砍伐或移植吗？", "/knowledge/faqs/7", confidence=0.22)
    rest = [hit("faq", "哪些情况砍树不需要办林木采伐许可证？", "/knowledge/faqs/8", confidence=0.2), LAW, ITEM]
    decision = decide(result([tree, *rest], answered=False, clear=False), "楼下那颗树快倒了物业能直接锯掉吗")
    assert decision.kind == "maybe" and decision.hits == [tree, *rest][:3]
    assert decide(result([hit("faq", "t", "/x", confidence=0.09)], answered=False), "q").kind == "nothing"


def test_an_older_answer_without_clear_or_recognised_item_answers_the_top_hit() -> None:
    decision = decide({"query": "q", "answered": True, "hits": [FAQ, LAW]}, "施工许可证要什么条件")
    assert decision.kind == "answer" and decision.hit is FAQ


@pytest.mark.parametrize(
    "snippet, kept",
    [
        ("建设单位应当在开工前申请领取施工许可证，请注意保…", ""),  # no whole sentence: only the link
        ("申请人应当提交申请表。材料齐全的当场受理，请注意保…", "申请人应当提交申请表。"),
        ("…材料齐全的当场受理。不齐全的一次性告知。需要补正的", "不齐全的一次性告知。需要补正的"),
        ("…受理。窗口说“可以办。”请注意保…", "窗口说“可以办。”"),
        ("完整的一句话。", "完整的一句话。"),
    ],
)
def test_answers_are_cut_at_a_sentence_end(snippet: str, kept: str) -> None:
    assert whole_sentences(snippet) == kept


def test_a_cut_answer_points_to_the_source_and_never_ends_mid_sentence() -> None:
    faq = hit(
        "faq",
        "施工许可证领取后要注意什么？",
        "/knowledge/faqs/12",
        snippet="施工许可证应当在施工现场公示。延期须在期满前申请，请注意<mark>保</mark>…",
    )
    said = format_answer(result([faq]))
    assert said.splitlines()[1] == "施工许可证应当在施工现场公示。"
    assert "请注意保" not in said
    assert "详见：http://" in said and "/knowledge/faqs/12" in said
    assert not was_cut("完整的一句话。")


def test_the_apis_plain_answer_is_used_when_given() -> None:
    faq = hit(
        "faq",
        "施工许可证领取后要注意什么？",
        "/knowledge/faqs/12",
        snippet="…请注意保…",
        text="施工许可证应当在施工现场公示。延期须在期满前申请。",
    )
    said = format_answer(result([faq]))
    assert said.splitlines()[1] == "施工许可证应当在施工现场公示。延期须在期满前申请。"
