"""The learned re-ranker (knowledge/search/rerank.py): its weights load and name only features the engine computes;
it reorders the engine's real candidates by what the question asks against what each document answers; hits carry
its probability. Phrasings are fresh, never from the test split of tests/knowledge/colloquial_questions.json."""

import json

import numpy as np

from knowledge.search import ranking, rerank
from knowledge.search.engine import Document, Index


def _world() -> Index:
    """A small real index: an item's guide, its FAQ about when it is needed, and the law article that punishes
    building without it (its text says 罚款)."""
    index = Index()
    index.add(
        Document(
            key="item:1",
            kind="item",
            title="建设工程规划许可证核发",
            link="/guides/1",
            fields=(("建设工程规划许可证核发", 3.0), ("规划许可证 规划证", 2.5), ("新建 房屋 建筑 工程", 0.4)),
            snippet_source="新建房屋建筑工程",
            items=frozenset({1}),
            aspects=ranking.ITEM_ASPECTS,
        )
    )
    index.add(
        Document(
            key="faq:1",
            kind="faq",
            title="盖房子什么时候要办建设工程规划许可证？",
            link="/knowledge/faqs/1",
            fields=(("盖房子什么时候要办建设工程规划许可证？", 3.0), ("在城市里建房子、盖厂房前要办规划许可证。", 1.0)),
            snippet_source="在城市里建房子、盖厂房前要办规划许可证。",
            items=frozenset({1}),
        )
    )
    text = "未取得建设工程规划许可证进行建设的，由城乡规划主管部门责令停止建设，处建设工程造价百分之五以上百分之十以下的罚款。"
    index.add(
        Document(
            key="law:1:第六十四条",
            kind="law",
            title="《中华人民共和国城乡规划法》第六十四条",
            link="/knowledge/laws/1",
            fields=(("中华人民共和国城乡规划法", 1.2), ("第六十四条", 1.0), (text, 1.0)),
            snippet_source=text,
            meta={"article": "第六十四条"},
            law=1,
            aspects=ranking.law_aspects(text),
        )
    )
    return index


def _model(weights: dict[str, float]) -> tuple[rerank.Model, float]:
    names = tuple(weights)
    ones = np.ones(len(names))
    return rerank.Model(names, np.zeros(len(names)), ones, np.array(list(weights.values()))), 1.0


def test_the_shipped_weights_load_and_use_only_known_features() -> None:
    loaded = rerank.load()
    assert loaded is not None
    model, margin = loaded
    assert set(model.names) <= set(rerank.FEATURES)
    assert len(model.weights) == len(model.names) == len(model.mean) == len(model.scale)
    assert margin > 0
    data = json.loads(rerank.WEIGHTS.read_text(encoding="utf-8"))
    assert data["model"]["features"] == list(model.names)
    assert Index().ranker is not None  # every index ranks with them


def test_a_penalty_question_gets_the_law_article_first_when_the_features_say_so() -> None:
    index = _world()
    question = "没拿规划证就盖房子会罚多少"
    _, candidates = index.candidates(question)
    article = next(c for c in candidates if c.document.kind == "law")
    assert article.aspect_match  # the question asks a penalty, the article sets one
    assert not any(c.aspect_match for c in candidates if c.document.kind != "law")
    # a scorer that follows what is asked against what is answered puts the article first…
    index.ranker = _model({"aspect_match": 3.0, "log_rel": 1.0})
    found = index.find(question, limit=3)
    assert found.hits[0].document.kind == "law"
    assert abs(sum(h.score for h in found.hits) - 1.0) < 1e-3  # scores are the candidates' probabilities
    assert found.hits[0].score > found.hits[1].score
    # …and one that prefers the named item's documents whatever is asked does not
    index.ranker = _model({"tied": 3.0, "aspect_match": 0.0})
    assert index.find(question, limit=3).hits[0].document.kind != "law"


def test_a_search_of_one_kind_keeps_the_engine_order() -> None:
    index = _world()
    index.ranker = _model({"tied": 5.0})
    hits = index.find("规划许可证", kinds={"faq", "law"}, limit=3).hits
    assert hits and all(h.document.kind in {"faq", "law"} for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)  # engine scores, not probabilities
